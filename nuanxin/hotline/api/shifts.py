"""The hotline API: shifts."""

from nuanxin.core import apiutils

router = apiutils.ScopedRouter(tags=["hotline"])
