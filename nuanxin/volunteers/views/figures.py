"""Volunteer teams: the figures pages."""

urlpatterns: list = []
MENU: list = []
COUNTERS: list = []
HOME_PANELS: list = []
