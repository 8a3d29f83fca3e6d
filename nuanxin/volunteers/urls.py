from nuanxin.volunteers.views import figures, shifts, teams

AREAS = (
    teams,
    shifts,
    figures,
)

app_name = "volunteers"
urlpatterns: list = [pattern for area in AREAS for pattern in area.urlpatterns]
