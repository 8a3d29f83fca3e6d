"""Volunteer teams: the figures API operations."""

from nuanxin.core import apiutils

router = apiutils.ScopedRouter(tags=["volunteers"])
