from django.urls import path

from nuanxin.registry import views

app_name = "registry"
urlpatterns: list = [
    path("", views.worker_list, name="worker_list"),
    path("new/", views.worker_create, name="worker_create"),
    path("<int:pk>/", views.worker_detail, name="worker_detail"),
    path("<int:pk>/edit/", views.worker_update, name="worker_update"),
    path("<int:pk>/reveal/", views.worker_reveal, name="worker_reveal"),
    path("<int:pk>/sensitive/", views.worker_sensitive, name="worker_sensitive"),
    path("<int:pk>/sensitive/edit/", views.sensitive_update, name="sensitive_update"),
    path("<int:pk>/family/new/", views.family_create, name="family_create"),
    path("family/<int:pk>/edit/", views.family_update, name="family_update"),
    path("family/<int:pk>/remove/", views.family_remove, name="family_remove"),
    path("family/<int:pk>/primary/", views.family_primary, name="family_primary"),
    path("family/<int:pk>/reveal/", views.family_reveal, name="family_reveal"),
    path("<int:pk>/deployments/new/", views.deployment_create, name="deployment_create"),
    path("deployments/<int:pk>/edit/", views.deployment_update, name="deployment_update"),
    path("deployments/<int:pk>/remove/", views.deployment_remove, name="deployment_remove"),
    path("deployments/<int:pk>/reveal/", views.deployment_reveal, name="deployment_reveal"),
]
