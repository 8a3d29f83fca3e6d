"""Volunteer teams: the shifts pages."""

urlpatterns: list = []
MENU: list = []
COUNTERS: list = []
HOME_PANELS: list = []
