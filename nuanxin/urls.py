"""The site's URLs: the project's own pages, then every app's pages as its manifest says
(``core/manifest.py``: ``Manifest(url_prefix=..., urls=...)``, in INSTALLED_APPS order), then
the API. Adding an app adds nothing here."""

from django.urls import include, path
from django.views.i18n import set_language

from nuanxin.api import api
from nuanxin.core import access, manifest
from nuanxin.core import views as core_views


def build_urlpatterns(api) -> list:
    """The site's patterns around ``api`` (a test that installs another app builds its own)."""
    return [
        path("", core_views.home, name="home"),
        path("healthz", core_views.healthz, name="healthz"),
        path("readyz", core_views.readyz, name="readyz"),
        path("i18n/setlang/", access.public(set_language), name="set_language"),
        path("attachments/", include("nuanxin.core.attachment_urls")),
        *manifest.url_patterns(),
        path("api/v1/", api.urls),
    ]


urlpatterns = build_urlpatterns(api)

handler400 = "nuanxin.core.views.bad_request"
handler403 = "nuanxin.core.views.permission_denied"
handler404 = "nuanxin.core.views.page_not_found"
handler500 = "nuanxin.core.views.server_error"
