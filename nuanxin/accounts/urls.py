from django.urls import path

from nuanxin.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.login_totp_view, name="login_totp"),
    path("logout/", views.logout_view, name="logout"),
    path("me/", views.profile_view, name="profile"),
    path("me/password/", views.password_change_view, name="password_change"),
    path("me/two-step/", views.totp_setup_view, name="totp_setup"),
    path("me/two-step/off/", views.totp_disable_view, name="totp_disable"),
    path("me/tokens/new/", views.token_create_view, name="token_create"),
    path("me/tokens/<int:pk>/revoke/", views.token_revoke_view, name="token_revoke"),
]
