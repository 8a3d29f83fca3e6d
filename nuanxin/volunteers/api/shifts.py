"""Volunteer teams: the shifts API operations."""

from nuanxin.core import apiutils

router = apiutils.ScopedRouter(tags=["volunteers"])
