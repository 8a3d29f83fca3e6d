"""What every app's REST router shares: bearer-token auth, JSON errors, the scoped router,
scoped lookups and the standard pagination.

Adding an app's operations
--------------------------
1. ``nuanxin/<app>/api.py`` defines ``router = ScopedRouter(tags=["<app>"])`` and its
   operations, each declaring the model and the action of its policy (``core/policy.py``):
   the router answers 403 to a token whose account holds no role for it::

       from ninja import Schema
       from nuanxin.core import apiutils

       router = apiutils.ScopedRouter(tags=["registry"])

       @router.get("/workers", model=Worker, action="view",
                   response={200: list[WorkerOut], **apiutils.ERROR_RESPONSES}, operation_id="list_workers")
       @apiutils.paginate
       def list_workers(request):
           return Worker.objects.for_user(request.user).order_by("pk")

       @router.get("/workers/{worker_id}", model=Worker, action="view", response=WorkerOut,
                   operation_id="get_worker")
       def get_worker(request, worker_id: int):
           return apiutils.get_scoped_or_404(Worker, request, "view", pk=worker_id)

   An operation about the token's own account only declares ``model=None``.
2. The app's manifest names it (``api_router="nuanxin.<app>.api.router"``).
3. Every operation gets a ``Case("GET /api/v1/workers", allowed=p.yi, ...)`` in the app's
   ``tests/authz_cases.py``.

Every operation requires a bearer token (``request.user`` is the token's user). Writes call
the app's service functions with ``actor=request.user``; the services write the audit rows
(the channel is ``api`` for every /api/ request). Errors are JSON ``{"code", "message"}``:
raise ``ServiceError`` / ``NotAllowed`` / ``Conflict``, ``Http404`` or ``PermissionDenied``
and the handlers below answer with the right status. A body parameter (``payload: ThingIn``)
is read as JSON only: a form or multipart body is a 400 saying so, never a 500.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.http.request import RawPostDataException
from django.urls import URLPattern
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination
from ninja.pagination import paginate as ninja_paginate
from ninja.parser import Parser
from ninja.security import HttpBearer

from nuanxin.core.errors import ServiceError

logger = logging.getLogger("nuanxin.api")

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
# The largest ``offset`` a list accepts. Far past any table Nuanxin holds, and far inside what
# every database accepts (PostgreSQL's OFFSET is a bigint; a larger number used to be a 500).
MAX_OFFSET = 1_000_000_000


# --- authentication ---------------------------------------------------------------------


# Which user a token names is the accounts app's knowledge: it installs its check here from
# ``AccountsConfig.ready()`` (core imports no app), as orgs installs the grant tree into the policy.
_token_authenticator: Callable[[str], Any] | None = None


def install_token_authenticator(authenticate: Callable[[str], Any]) -> None:
    """Let ``BearerTokenAuth`` ask ``authenticate(token)`` for the token's user (or None)."""
    global _token_authenticator
    _token_authenticator = authenticate


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer nx_…``: an unexpired, unrevoked token of an active account.
    The session cookie is ignored, so the API needs no CSRF token."""

    def authenticate(self, request: HttpRequest, token: str):
        if _token_authenticator is None:
            raise ImproperlyConfigured("No API token authenticator installed (AccountsConfig.ready() installs it).")
        user = _token_authenticator(token.strip())
        if user is None:
            return None
        request.user = user
        return user


# --- errors -------------------------------------------------------------------------------


class FieldErrorOut(Schema):
    field: str
    in_: str = Field(alias="in", description="query, path or body")
    message: str


class ErrorOut(Schema):
    """Every error answer: a stable ``code`` for programs and a translated ``message``."""

    code: str
    message: str
    field: str | None = Field(None, description="The field a 400/409 error is about, if any.")
    errors: list[FieldErrorOut] | None = Field(None, description="Per-field problems of a 422 answer.")


# Merge into an operation's ``response=`` so the OpenAPI schema documents the error shape:
# ``response={200: ThingOut, **apiutils.ERROR_RESPONSES}``. Operations need not: the schema
# documents the errors every operation can answer anyway (``document_error_responses``).
ERROR_RESPONSES = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}

# What the error handlers can answer, by the operations that can meet it. Every operation:
EVERY_OPERATION_ERRORS = {
    400: "The request is not valid: a body that is not JSON, text holding a NUL character, or a value refused.",
    401: "No valid API token.",
    403: "The token's account may not do this.",
    404: "Not found, or outside the token's scope.",
    422: "Some values are not valid (see ``errors``), or a number is out of range.",
    503: "The database is busy; nothing was saved. Try again after ``Retry-After`` seconds.",
}
# Operations that change something (POST, PUT, PATCH, DELETE), in addition:
WRITE_ERRORS = {
    409: "The object changed since it was read, or already exists.",
    429: "Too many requests of this kind; try again later.",
}
# PATCH operations (optimistic editing), in addition:
PATCH_ERRORS = {428: "The version read is required (``version`` or ``If-Match``)."}


CODES_BY_STATUS = {
    400: "invalid",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid",
    429: "throttled",
    500: "server_error",
}


def default_message(status: int) -> str:
    messages = {
        400: _("The request is not valid."),
        401: _("Authentication required: send a valid API token as 'Authorization: Bearer <token>'."),
        403: _("You may not do this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        409: _("The object changed or already exists."),
        422: _("Some values are not valid."),
        429: _("Too many requests. Try again later."),
        500: _("Something went wrong on our side. The error has been logged."),
    }
    return str(messages.get(status, messages[500] if status >= 500 else messages[400]))


def error_response(status: int, code: str | None = None, message: str | None = None, **extra) -> JsonResponse:
    """The JSON error answer used by the API handlers and by the site-wide error views for
    /api/ paths (unknown URLs, 500s outside an operation)."""
    body = {"code": code or CODES_BY_STATUS.get(status, "error"), "message": str(message or default_message(status))}
    body.update({k: v for k, v in extra.items() if v is not None})
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="nuanxin"'
    return response


class BodyNotJson(ValueError):
    """The body of an operation that reads JSON could not be read as JSON."""


class JsonBodyParser(Parser):
    """Ninja's parser, whose failures are recognisable (``BodyNotJson``) so that the answer can
    say what to send instead of a bare "invalid request". The body is read as JSON whatever its
    Content-Type (``curl -d '{…}'`` sends JSON labelled as a form)."""

    def parse_body(self, request: HttpRequest):
        try:
            return super().parse_body(request)
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            raise BodyNotJson(str(exc)) from exc


def body_not_json_message(request: HttpRequest) -> str:
    """What to fix when an operation that reads a JSON body got something else."""
    if (request.content_type or "") == "application/json":
        return _("The request body is not valid JSON.")
    return _(
        "The request body must be JSON, sent with “Content-Type: application/json” (form fields and "
        "multipart bodies are not read here)."
    )


def _validation_errors(errors: list[dict]) -> list[dict]:
    result = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", [])]
        location = loc[0] if loc else ""
        # ("query", "limit") -> "limit"; ("body", "payload", "name") -> "name"
        field_parts = loc[1:]
        if len(field_parts) > 1:
            field_parts = field_parts[1:]
        result.append({"field": ".".join(field_parts), "in": location, "message": error.get("msg", "")})
    return result


def number_out_of_range(exc: BaseException) -> bool:
    """Whether ``exc`` is a database refusing a number it cannot hold: SQLite's driver raises
    ``OverflowError`` past 64 bits, PostgreSQL answers SQLSTATE 22003 (numeric value out of
    range, e.g. "bigint out of range")."""
    from django.db import DataError

    if isinstance(exc, OverflowError):
        return True
    return isinstance(exc, DataError) and getattr(exc.__cause__, "sqlstate", None) == "22003"


def install_error_handlers(api: NinjaAPI) -> None:
    """Make every error of ``api`` a JSON ``{"code", "message", ...}`` answer."""

    def on_service_error(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(exc.status, exc.code, exc.message, field=exc.field)

    def on_authentication(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(401)

    def on_authorization(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(403)

    def on_permission_denied(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(403)

    def on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(404)

    def on_throttled(request: HttpRequest, exc: Any) -> HttpResponse:
        response = error_response(429)
        if exc.wait:
            response["Retry-After"] = str(int(exc.wait))
        return response

    def on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        if isinstance(exc.__cause__, BodyNotJson):
            return error_response(400, "invalid", body_not_json_message(request))
        return error_response(exc.status_code)

    def on_body_already_read(request: HttpRequest, exc: Any) -> HttpResponse:
        # A multipart POST to an operation reading JSON: Django has parsed the form (the NUL
        # check reads it) and the raw body is gone. It was not JSON anyway.
        return error_response(400, "invalid", body_not_json_message(request))

    def on_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(422, "invalid", errors=_validation_errors(exc.errors))

    def on_django_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(400, "invalid", " ".join(str(m) for m in exc.messages))

    def on_anything_else(request: HttpRequest, exc: Any) -> HttpResponse:
        from nuanxin.core.middleware import busy_response, is_database_busy

        if number_out_of_range(exc):
            # The schema bounds offsets and Django answers lookups of impossible ids as empty;
            # this is the net under both for any number a database cannot hold.
            return error_response(422, "invalid", _("A number in the request is too large or too small."))

        if is_database_busy(exc):  # SQLite's write lock held too long, or no free connection
            return busy_response(request)
        # Logged with the traceback for the operator; the client learns nothing about it.
        logger.error("API error on %s %s", request.method, request.path, exc_info=exc)
        return error_response(500)

    api.add_exception_handler(ServiceError, on_service_error)
    api.add_exception_handler(AuthenticationError, on_authentication)
    api.add_exception_handler(AuthorizationError, on_authorization)
    api.add_exception_handler(PermissionDenied, on_permission_denied)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(ObjectDoesNotExist, on_not_found)
    api.add_exception_handler(Throttled, on_throttled)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(RawPostDataException, on_body_already_read)
    api.add_exception_handler(NinjaValidationError, on_validation)
    api.add_exception_handler(DjangoValidationError, on_django_validation)
    api.add_exception_handler(Exception, on_anything_else)


class NuanxinAPI(NinjaAPI):
    """NinjaAPI whose "method not allowed" answers are JSON too (ninja answers those with
    plain text from inside its path view, where no exception handler sees them), and which
    refuses text holding a NUL character before any operation runs (see ``holds_nul``). Its
    parser tells a body that is not JSON from other bad requests (``JsonBodyParser``)."""

    def __init__(self, *args, parser: Parser | None = None, **kwargs):
        super().__init__(*args, parser=parser or JsonBodyParser(), **kwargs)

    def get_openapi_schema(self, *args, **kwargs):
        return document_error_responses(super().get_openapi_schema(*args, **kwargs))

    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        return [_json_405(p) if isinstance(p, URLPattern) else p for p in patterns], app_name, namespace


def document_error_responses(schema: dict) -> dict:
    """Document in ``schema`` (an OpenAPI document) the error answers each operation can give
    whatever its ``response=`` says: the error handlers answer them for every operation (a 503
    when the database is busy, a 400 for a NUL character, ...). A client reading the schema, and
    the schemathesis run in the tests, then meets no undocumented status."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    # By alias: a 422's field errors say "in", which ninja's schema called "in_".
    generated = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}", by_alias=True)
    components.update(generated.pop("$defs", {}))
    components["ErrorOut"] = generated
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    for methods in schema.get("paths", {}).values():
        for method, operation in methods.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = dict(EVERY_OPERATION_ERRORS)
            if method in ("post", "put", "patch", "delete"):
                codes.update(WRITE_ERRORS)
            if method == "patch":
                codes.update(PATCH_ERRORS)
            responses = operation["responses"]
            for code, description in codes.items():
                if code not in responses and str(code) not in responses:
                    responses[code] = {"description": description, "content": error}
    return schema


def holds_nul(request: HttpRequest) -> bool:
    """Whether a query parameter, a JSON body or a form field holds a NUL character: no text
    column can store it (PostgreSQL refuses it outright), and the pages' forms refuse it
    too. Uploaded files are bytes and are not looked at."""
    fields = [*request.GET.lists()]
    content_type = request.content_type or ""
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if content_type == "application/json":
            body = request.body
            # JSON writes NUL as \u0000 (any case); a raw NUL byte is not valid JSON either.
            if b"\x00" in body or b"\\u0000" in body.lower():
                return True
        elif content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            try:
                fields += [*request.POST.lists()]
            except MultiPartParserError:
                # A broken multipart body (no boundary, cut short) reads as no fields: the
                # operation answers what it misses (a JSON operation: "the body must be JSON").
                pass
    return any("\x00" in value for _name, values in fields for value in values)


def _json_405(pattern: URLPattern) -> URLPattern:
    view = pattern.callback

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if holds_nul(request):
            return error_response(400, "invalid", _("Text must not contain NUL characters."))
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponse) and response.status_code == 405 and (
            not response.get("Content-Type", "").startswith("application/json")
        ):
            json_response = error_response(405)
            json_response["Allow"] = response.get("Allow", "")
            return json_response
        return response

    for attr in ("csrf_exempt",):
        if hasattr(view, attr):
            setattr(wrapper, attr, getattr(view, attr))
    return URLPattern(pattern.pattern, wrapper, pattern.default_args, pattern.name)


# --- scoping --------------------------------------------------------------------------------


class ScopedRouter(Router):
    """A ninja ``Router`` whose operations declare ``model=`` and ``action=``: before the
    operation runs, ``model.policy.may(user, action)`` must hold (else 403). The operation
    still reads its rows through ``for_user`` / ``get_scoped_or_404`` (404 outside the scope).
    ``model=None`` declares an operation about the token's own account (any valid token)."""

    _UNSET = object()

    def api_operation(self, methods, path, *, model=_UNSET, action: str | None = None, **kwargs):
        if model is ScopedRouter._UNSET:
            raise TypeError(f"{'/'.join(methods)} {path}: declare model= and action= (model=None: own account)")
        if model is not None and not action:
            raise TypeError(f"{'/'.join(methods)} {path}: model={model.__name__} needs an action=")
        inner = super().api_operation(methods, path, **kwargs)

        def decorator(view):
            return inner(_guarded(view, model, action))

        return decorator

    def get(self, path, **kwargs):
        return self.api_operation(["GET"], path, **kwargs)

    def post(self, path, **kwargs):
        return self.api_operation(["POST"], path, **kwargs)

    def put(self, path, **kwargs):
        return self.api_operation(["PUT"], path, **kwargs)

    def patch(self, path, **kwargs):
        return self.api_operation(["PATCH"], path, **kwargs)

    def delete(self, path, **kwargs):
        return self.api_operation(["DELETE"], path, **kwargs)


def _guarded(view, model, action):
    if model is None:
        view.nuanxin_model, view.nuanxin_action = None, None
        return view
    policy = model.policy

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not policy.may(request.user, action):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    # ninja resolves string annotations in the wrapper's module (this one): hand it the view's
    # own signature, evaluated, so an api module with ``from __future__ import annotations``
    # keeps its body and path parameters.
    wrapper.__signature__ = inspect.signature(view, eval_str=True)  # type: ignore[attr-defined]
    wrapper.nuanxin_model, wrapper.nuanxin_action = model, action
    return wrapper


def require_roles(request: HttpRequest, roles: Iterable[str]) -> None:
    """403 unless the token's user holds one of ``roles`` somewhere. The older form of a
    ``ScopedRouter`` operation's ``model=``/``action=``: new operations declare those."""
    from nuanxin.core.policy import Policy

    if not Policy(path=None, actions={"use": roles}).may(request.user, "use"):
        raise PermissionDenied


def get_scoped_or_404(model_or_qs, request: HttpRequest, action: str = "view", **lookup):
    """One row inside the user's scope for ``action``; outside it is the same 404 as missing."""
    from nuanxin.core import access

    return access.get_scoped_or_404(model_or_qs, request.user, action, **lookup)


# --- pagination -----------------------------------------------------------------------------


class Pagination(LimitOffsetPagination):
    """``?limit=&offset=`` (limit 1–200, default 50) answered as ``{"items": [...], "count": N}``;
    ``count`` is the number of rows in the whole selection."""

    class Input(Schema):
        limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Rows per page (1–200).")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Rows to skip (0–1000000000).")

    def __init__(self, **kwargs):
        super().__init__(max_limit=MAX_LIMIT, **kwargs)


def paginate(func=None, *, on_page=None):
    """Decorate a list operation declared with ``response=list[ItemOut]``; it returns an ordered
    queryset and answers with the standard ``{items, count}`` page. ``on_page(request, items)``,
    when given, is called with the rows of the page actually answered (e.g. to audit reads of
    sensitive records)."""
    if func is None:
        return lambda f: paginate(f, on_page=on_page)
    if on_page is None:
        return ninja_paginate(Pagination)(func)

    class Noted(Pagination):
        def paginate_queryset(self, queryset, pagination, request, **params):
            page = super().paginate_queryset(queryset, pagination, request, **params)
            page[self.items_attribute] = items = list(page[self.items_attribute])
            on_page(request, items)
            return page

    return ninja_paginate(Noted)(func)
