"""The labour-protection green channel: the figures API operations."""

from nuanxin.core import apiutils

router = apiutils.ScopedRouter(tags=["labour"])
