from nuanxin.welfare.views import enrolments, imports, schemes

AREAS = (schemes, enrolments, imports)

app_name = "welfare"
urlpatterns: list = [pattern for area in AREAS for pattern in area.urlpatterns]
