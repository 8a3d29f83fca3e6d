"""Volunteer teams: the figures API operations (none yet: the reports read
``selectors/report_figures.py``)."""

from nuanxin.core import apiutils

router = apiutils.ScopedRouter(tags=["volunteers"])
