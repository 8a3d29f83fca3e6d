"""The hotline API: calls."""

from nuanxin.core import apiutils

router = apiutils.ScopedRouter(tags=["hotline"])
