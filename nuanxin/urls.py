from django.urls import include, path
from django.views.i18n import set_language

from nuanxin.api import api
from nuanxin.core import access
from nuanxin.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/setlang/", access.public(set_language), name="set_language"),
    path("accounts/", include("nuanxin.accounts.urls")),
    path("", include("nuanxin.orgs.urls")),
    path("audit/", include("nuanxin.core.urls")),
    path("attachments/", include("nuanxin.core.attachment_urls")),
    path("register/", include("nuanxin.registry.urls")),
    path("register/", include("nuanxin.tables.urls")),
    path("care/", include("nuanxin.care.urls")),
    path("notifications/", include("nuanxin.notify.urls")),
    path("api/v1/", api.urls),
]

handler400 = "nuanxin.core.views.bad_request"
handler403 = "nuanxin.core.views.permission_denied"
handler404 = "nuanxin.core.views.page_not_found"
handler500 = "nuanxin.core.views.server_error"
