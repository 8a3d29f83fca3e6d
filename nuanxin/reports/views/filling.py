"""Reports up the tree: the filling pages."""

urlpatterns: list = []
MENU: list = []
COUNTERS: list = []
HOME_PANELS: list = []
