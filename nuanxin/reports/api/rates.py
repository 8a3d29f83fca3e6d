"""Reports up the tree: the rates API operations."""

from nuanxin.core import apiutils

router = apiutils.ScopedRouter(tags=["reports"])
