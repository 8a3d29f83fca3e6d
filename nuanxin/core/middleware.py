"""Request-wide middleware: audit context, language choice, no caching of pages, and a busy database."""

from django.conf import settings
from django.db import OperationalError
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers

from nuanxin.core import context

BUSY_RETRY_SECONDS = 30


def is_database_busy(exc: BaseException) -> bool:
    """SQLite's answer when another connection held the one write lock for longer than the
    timeout (settings: 20 s), e.g. during a large import's single transaction."""
    return isinstance(exc, OperationalError) and "database is locked" in str(exc)


class RequestContextMiddleware:
    """Makes the client address available to the audit trail for the request's duration."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        channel = "api" if request.path.startswith("/api/") else "web"
        token = context.set_current(context.RequestContext(ip=context.client_ip(request), channel=channel))
        try:
            return self.get_response(request)
        finally:
            context.reset(token)


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
        response = render(request, "errors/busy.html", status=503)
        response["Retry-After"] = str(BUSY_RETRY_SECONDS)
        return response
