"""The family produce supply: the weeks API operations."""

from nuanxin.core import apiutils

router = apiutils.ScopedRouter(tags=["produce"])
