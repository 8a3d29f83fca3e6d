"""The funds API: entries."""

from nuanxin.core import apiutils

router = apiutils.ScopedRouter(tags=["funds"])
