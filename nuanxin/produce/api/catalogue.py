"""The family produce supply: the catalogue API operations."""

from nuanxin.core import apiutils

router = apiutils.ScopedRouter(tags=["produce"])
