"""Reports up the tree: the dashboards pages."""

urlpatterns: list = []
MENU: list = []
COUNTERS: list = []
HOME_PANELS: list = []
