"""Recuperation's pages: figures (to be built: issue 14 items 2–5)."""

MENU: list = []
COUNTERS: list = []
HOME_PANELS: list = []
urlpatterns: list = []
