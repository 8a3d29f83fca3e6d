"""The fee waiver's API (to be built: issue 14 item 8)."""

from nuanxin.core import apiutils

router = apiutils.ScopedRouter(tags=["telecom"])
