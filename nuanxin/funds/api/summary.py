"""The funds API: summary."""

from nuanxin.core import apiutils

router = apiutils.ScopedRouter(tags=["funds"])
