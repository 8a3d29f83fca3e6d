"""The labour-protection green channel: the legal API operations."""

from nuanxin.core import apiutils

router = apiutils.ScopedRouter(tags=["labour"])
