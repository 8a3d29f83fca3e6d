"""Reports up the tree: the approval API operations."""

from nuanxin.core import apiutils

router = apiutils.ScopedRouter(tags=["reports"])
