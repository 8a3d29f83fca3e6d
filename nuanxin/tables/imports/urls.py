from django.urls import path

from nuanxin.tables.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.batch_list, name="list"),
    path("<int:pk>/", views.batch_detail, name="detail"),
    path("<int:pk>/progress/", views.batch_progress, name="progress"),
    path("<int:pk>/apply/", views.batch_apply, name="apply"),
    path("<int:pk>/undo/", views.batch_undo, name="undo"),
    path("<int:pk>/skip-undecided/", views.batch_skip, name="skip"),
    path("<int:pk>/rows/<int:row_pk>/decide/", views.row_decide, name="decide"),
    path("<int:pk>/rejected.xlsx", views.batch_rejects, name="rejects"),
]
