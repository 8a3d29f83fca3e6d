from django.urls import path

from tests.toyapp import views

app_name = "toyapp"
urlpatterns = [
    path("", views.note_list, name="note_list"),
    path("<int:pk>/", views.note_detail, name="note_detail"),
]
