"""Volunteer teams: the teams API operations."""

from nuanxin.core import apiutils

router = apiutils.ScopedRouter(tags=["volunteers"])
