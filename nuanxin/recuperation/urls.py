from nuanxin.recuperation.views import batches, catalogue, figures

AREAS = (catalogue, batches, figures)

app_name = "recuperation"
urlpatterns: list = [pattern for area in AREAS for pattern in area.urlpatterns]
