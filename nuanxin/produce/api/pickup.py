"""The family produce supply: the pickup API operations."""

from nuanxin.core import apiutils

router = apiutils.ScopedRouter(tags=["produce"])
