"""A URLconf for the error-shape tests: the real site plus a small API whose operations
raise each kind of error, built exactly like ``nuanxin.api.api``."""

from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.http import Http404
from django.urls import path
from ninja import Schema

from nuanxin.core.apiutils import BearerTokenAuth, NuanxinAPI, install_error_handlers, require_roles
from nuanxin.core.errors import Conflict, NotAllowed, ServiceError
from nuanxin.urls import handler400, handler403, handler404, handler500
from nuanxin.urls import urlpatterns as site_patterns

test_api = NuanxinAPI(title="errors", urls_namespace="api-errors", auth=BearerTokenAuth(), docs_url=None)
install_error_handlers(test_api)


class Payload(Schema):
    name: str
    count: int


@test_api.get("/service-error")
def service_error(request):
    raise ServiceError("The name is too long.", field="name")


@test_api.get("/not-allowed")
def not_allowed(request):
    raise NotAllowed("You may not manage this account.")


@test_api.get("/permission-denied")
def permission_denied(request):
    raise PermissionDenied


@test_api.get("/needs-city-admin")
def needs_city_admin(request):
    require_roles(request, {"city_admin"})
    return {"ok": True}


@test_api.get("/missing")
def missing(request):
    raise Http404("secret detail")


@test_api.get("/conflict")
def conflict(request):
    raise Conflict("The organisation code is already taken.", field="code")


@test_api.post("/payload")
def payload(request, data: Payload):
    return {"ok": True}


@test_api.get("/boom")
def boom(request):
    raise RuntimeError("secret internals")


@test_api.get("/busy")
def busy(request):
    raise OperationalError("database is locked")


def busy_page(request):
    """A page whose write waited too long for SQLite's write lock."""
    raise OperationalError("database is locked")


def broken_page(request):
    raise OperationalError("no such table: secret_internals")


urlpatterns = [
    path("api/errors/", test_api.urls),
    path("errors/busy-page", busy_page),
    path("errors/broken-page", broken_page),
    *site_patterns,
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
