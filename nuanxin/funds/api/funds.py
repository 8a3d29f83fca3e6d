"""The funds API: funds."""

from nuanxin.core import apiutils

router = apiutils.ScopedRouter(tags=["funds"])
