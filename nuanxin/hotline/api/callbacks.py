"""The hotline API: callbacks."""

from nuanxin.core import apiutils

router = apiutils.ScopedRouter(tags=["hotline"])
