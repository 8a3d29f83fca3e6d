"""The funds' pages: funds (filled by its area; see views/__init__.py)."""

urlpatterns: list = []
MENU: list = []
COUNTERS: list = []
HOME_PANELS: list = []
