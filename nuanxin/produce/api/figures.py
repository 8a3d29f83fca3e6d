"""The family produce supply: the figures API operations."""

from nuanxin.core import apiutils

router = apiutils.ScopedRouter(tags=["produce"])
