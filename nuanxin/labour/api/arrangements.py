"""The labour-protection green channel: the arrangements API operations."""

from nuanxin.core import apiutils

router = apiutils.ScopedRouter(tags=["labour"])
