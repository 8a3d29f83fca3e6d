"""Reports up the tree: the forms API operations."""

from nuanxin.core import apiutils

router = apiutils.ScopedRouter(tags=["reports"])
