"""Reports up the tree: the filling API operations."""

from nuanxin.core import apiutils

router = apiutils.ScopedRouter(tags=["reports"])
