from nuanxin.telecom.views import waivers

AREAS = (waivers,)

app_name = "telecom"
urlpatterns: list = [pattern for area in AREAS for pattern in area.urlpatterns]
