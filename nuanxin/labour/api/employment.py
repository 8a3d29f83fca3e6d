"""The labour-protection green channel: the employment API operations."""

from nuanxin.core import apiutils

router = apiutils.ScopedRouter(tags=["labour"])
