from nuanxin.produce.views import catalogue, figures, orders, pickup, weeks

AREAS = (
    catalogue,
    orders,
    pickup,
    weeks,
    figures,
)

app_name = "produce"
urlpatterns: list = [pattern for area in AREAS for pattern in area.urlpatterns]
