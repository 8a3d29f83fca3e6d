from nuanxin.hotline.views import assessments, callbacks, calls, hotlines, rota, stats

AREAS = (hotlines, rota, calls, assessments, callbacks, stats)

app_name = "hotline"
urlpatterns: list = [pattern for area in AREAS for pattern in area.urlpatterns]
