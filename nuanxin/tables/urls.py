"""Pages of the official tables, under /register/ where they have always been
(/register/imports/…, /register/export/)."""

from django.urls import include, path

from nuanxin.tables import views

app_name = "tables"
urlpatterns = [
    path("export/", views.export, name="export"),
    path("imports/", include("nuanxin.tables.imports.urls")),
]
