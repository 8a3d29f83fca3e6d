"""The hotline API: stats."""

from nuanxin.core import apiutils

router = apiutils.ScopedRouter(tags=["hotline"])
