"""The fee waiver's pages (to be built: issue 14 items 6–7)."""

MENU: list = []
COUNTERS: list = []
HOME_PANELS: list = []
urlpatterns: list = []
