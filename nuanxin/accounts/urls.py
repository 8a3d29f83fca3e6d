from django.contrib.auth import views as auth_views
from django.urls import path

from nuanxin.core import access

app_name = "accounts"
urlpatterns = [
    path("login/", access.public(auth_views.LoginView.as_view()), name="login"),
    path("logout/", access.public(auth_views.LogoutView.as_view()), name="logout"),
    path("me/", access.public(auth_views.LoginView.as_view()), name="profile"),
]
