"""The hotline API: assessments."""

from nuanxin.core import apiutils

router = apiutils.ScopedRouter(tags=["hotline"])
