from nuanxin.welfare.views import schemes

AREAS = (schemes,)

app_name = "welfare"
urlpatterns: list = [pattern for area in AREAS for pattern in area.urlpatterns]
