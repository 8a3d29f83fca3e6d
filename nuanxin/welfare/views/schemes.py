"""The mutual-aid scheme's pages (to be built: issue 14 item 1)."""

MENU: list = []
COUNTERS: list = []
HOME_PANELS: list = []
urlpatterns: list = []
