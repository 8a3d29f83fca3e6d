"""Reports up the tree: the rates pages."""

urlpatterns: list = []
MENU: list = []
COUNTERS: list = []
HOME_PANELS: list = []
