"""The family produce supply: the orders API operations."""

from nuanxin.core import apiutils

router = apiutils.ScopedRouter(tags=["produce"])
