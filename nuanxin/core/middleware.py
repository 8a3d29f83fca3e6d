"""Request-wide middleware: audit context, language choice, no caching of pages, and a busy database."""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import OperationalError
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _

from nuanxin.core import context

BUSY_RETRY_SECONDS = 30


# What a database says when it cannot take this request now but will shortly: SQLite's write
# lock held longer than its timeout (settings: 20 s, e.g. by a large import's transaction), and
# PostgreSQL out of connection slots (without the pool, or another program took them).
BUSY_DATABASE_MESSAGES = (
    "database is locked",
    "too many clients already",
    "remaining connection slots are reserved",
)
# PostgreSQL ended the transaction to let another one through: a deadlock or a serialization
# failure. Nothing of it was saved and the same request sent again normally succeeds. Matched
# by SQLSTATE, which does not depend on the server's language (lc_messages).
RETRY_SQLSTATES = {"40P01", "40001"}
# PostgreSQL went away under the request: restarted or stopped (57P01 admin_shutdown, sent by
# ``pg_ctl restart/stop -m fast``), crashed (57P02), still starting or shutting down (57P03), or
# the connection broke (class 08). The transaction was not committed (unless the break came during
# COMMIT itself) and the pool hands the next request a new connection once the server is back
# (scripts/drills.py postgres-restart). psycopg gives no SQLSTATE for a connection cut without a
# word (a crash, the network): it is known by its message.
LOST_SQLSTATES = {"57P01", "57P02", "57P03"}
LOST_CONNECTION_MESSAGES = (
    "server closed the connection unexpectedly",
    "consuming input failed",
    "the connection is lost",
)


def _pool_exhausted_errors() -> tuple[type[BaseException], ...]:
    try:
        from psycopg_pool import PoolTimeout, TooManyRequests
    except ImportError:  # psycopg's pool is only used with PostgreSQL
        return ()
    return (PoolTimeout, TooManyRequests)


def is_database_busy(exc: BaseException | None) -> bool:
    """Whether ``exc`` means "the database is busy, try again shortly": SQLite's write lock
    held too long, the connection pool exhausted for NUANXIN_DB_POOL_TIMEOUT seconds
    (``psycopg_pool.PoolTimeout``, which Django wraps in its ``OperationalError``),
    PostgreSQL refusing a connection because all its slots are taken, or PostgreSQL ending the
    transaction as a deadlock's victim or for a serialization failure (``RETRY_SQLSTATES``), or
    PostgreSQL going away under the request: restarted, stopped, crashed (``LOST_SQLSTATES``,
    ``LOST_CONNECTION_MESSAGES``). A server that refuses the connection outright (down with no
    pool to wait in, a wrong address) is not: that is the operator's to fix."""
    pool_errors = _pool_exhausted_errors()
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if pool_errors and isinstance(exc, pool_errors):
            return True
        if isinstance(exc, OperationalError) and any(text in str(exc) for text in BUSY_DATABASE_MESSAGES):
            return True
        sqlstate = getattr(exc, "sqlstate", None) or ""  # psycopg's error, the cause of Django's
        if sqlstate in RETRY_SQLSTATES or sqlstate in LOST_SQLSTATES or sqlstate.startswith("08"):
            return True
        if isinstance(exc, OperationalError) and any(text in str(exc) for text in LOST_CONNECTION_MESSAGES):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def busy_response(request) -> HttpResponse:
    """503 with Retry-After: the API's busy JSON under /api/, else the "system is busy" page.

    The page is rendered without the request's context processors and with an anonymous
    layout, so that it needs no database: with the pool exhausted, any query here would wait
    for a connection again and then fail. A page asked for (GET, HEAD) says it could not be shown
    and offers to load it again; a form sent (POST) says nothing was saved, and that the browser's
    back button keeps what was typed."""
    response: HttpResponse
    if request.path.startswith("/api/"):
        from nuanxin.core.apiutils import error_response

        response = error_response(
            503, "busy", _("The database is busy with other work; nothing was saved. Try again shortly.")
        )
    else:
        context_data = {
            "user": AnonymousUser(), "request": request, "csrf_token": get_token(request),
            # A page only asked for (GET, HEAD) is tried again as it is; a form sent was not saved.
            "only_shown": request.method in {"GET", "HEAD"},
        }
        page = get_template("errors/busy.html").render(context_data)
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(BUSY_RETRY_SECONDS)
    return response


class RequestContextMiddleware:
    """Makes the client address and the request's id available to the audit trail and the logs
    for the request's duration; the id is answered as ``X-Request-ID``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        channel = "api" if request.path.startswith("/api/") else "web"
        request_id = context.request_id(request)
        token = context.set_current(
            context.RequestContext(ip=context.client_ip(request), channel=channel, request_id=request_id)
        )
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = request_id
        return response


class NoStoreMiddleware:
    """Nothing the application answers is kept by a browser or a proxy: pages and API answers
    carry personal data, union offices share computers, and the back button after signing out
    must not show the last page from the browser's cache. Every answer gets
    ``Cache-Control: max-age=0, no-cache, no-store, must-revalidate, private`` (and an
    ``Expires`` in the past) unless its view declared itself ``public``. Static files are
    answered by whitenoise before this middleware and stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "public" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
        return response


class LanguageMiddleware:
    """Chinese unless the user chose otherwise (cookie set by the language switch).

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language: union staff
    share devices and kiosks whose browser language says nothing about the reader. API
    requests (/api/) without the cookie do follow Accept-Language.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        lang = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if lang not in self.supported and request.path.startswith("/api/"):
            # API clients are programs, not shared kiosks: their Accept-Language is meant.
            lang = translation.get_language_from_request(request)
        if lang not in self.supported:
            lang = settings.LANGUAGE_CODE
        translation.activate(lang)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


def _has_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in data.lists())


class NulCharacterMiddleware:
    """A request whose query string or form carries a NUL character (``%00``) is a 400 before
    any view reads it: no text field of the project can hold one, and PostgreSQL refuses it in
    any string (a lookup with it would be a 500). The API's JSON bodies are refused by their
    own parser; multipart bodies are not read here (a file's bytes may hold NULs; their text
    fields go through forms, which refuse the character). The API (``/api/``) validates its own
    parameters and answers in its JSON shape."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            return self.get_response(request)
        nul = _has_nul(request.GET)
        if not nul and request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
            nul = _has_nul(request.POST)
        if nul:
            from nuanxin.core.views import bad_request

            return bad_request(request)
        return self.get_response(request)


class DatabaseBusyMiddleware:
    """A write that waited too long for SQLite's write lock gets a page that says so (503, try
    again shortly; nothing of this request was saved) instead of the generic error page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_busy(exception):
            return None
        return busy_response(request)
