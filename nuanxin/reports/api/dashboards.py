"""Reports up the tree: the dashboards API operations."""

from nuanxin.core import apiutils

router = apiutils.ScopedRouter(tags=["reports"])
