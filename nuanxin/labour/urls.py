from nuanxin.labour.views import arrangements, employment, figures, legal

AREAS = (
    arrangements,
    legal,
    employment,
    figures,
)

app_name = "labour"
urlpatterns: list = [pattern for area in AREAS for pattern in area.urlpatterns]
