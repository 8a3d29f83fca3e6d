from nuanxin.honours.views import catalogue, figures, nominations

AREAS = (catalogue, nominations, figures)

app_name = "honours"
urlpatterns: list = [pattern for area in AREAS for pattern in area.urlpatterns]
