"""Session lifetime and the two-factor requirement, enforced on every request.

The session cookie (and its database row) lives as long as the absolute limit
(``SESSION_COOKIE_AGE``); ``SessionTimeoutMiddleware`` enforces both the idle and the
absolute limit on the server from timestamps kept inside the session, so a copied cookie or
a client that ignores expiry gains nothing, and an expired session is audited and explained
to the user instead of silently vanishing.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.contrib.messages.storage import default_storage
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

# Session keys (epoch seconds). ``AUTH_AT`` is stamped at login, ``LAST_SEEN`` on a request
# at least ``LAST_SEEN_EVERY`` seconds after the last stamp: a session is written at most once
# a minute, not on every request. (On the embedded SQLite database a write waits while an
# import holds the database's one write lock; reading pages and polling progress must not.)
AUTH_AT = "nx_auth_at"
LAST_SEEN = "nx_last_seen"
LAST_SEEN_EVERY = 60


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _redirect(request, url: str, message: str = ""):
    """A redirect that also works for htmx requests (which would otherwise swap the login
    page into a fragment), with an optional warning shown on the next page.

    These middlewares sit before Django's MessageMiddleware and answer without passing the
    request on, so they keep the message storage themselves."""
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
    else:
        response = redirect(url)
    if message:
        storage = default_storage(request)
        storage.add(messages.WARNING, message)
        storage.update(response)
    return response


def stamp_login(request) -> None:
    """Start the absolute and idle clocks of a freshly signed-in session."""
    now = time.time()
    request.session[AUTH_AT] = now
    request.session[LAST_SEEN] = now


class SessionTimeoutMiddleware:
    """Signs out a session idle for ``NUANXIN_SESSION_IDLE_SECONDS`` or older than
    ``NUANXIN_SESSION_ABSOLUTE_SECONDS`` since sign-in, audits it and sends the user to the
    sign-in page with a message. A session without stamps (e.g. made by the test client's
    ``force_login``) starts its clocks now."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            session = request.session
            started = session.get(AUTH_AT)
            last_seen = session.get(LAST_SEEN)
            reason = None
            if last_seen is not None and now - last_seen > settings.NUANXIN_SESSION_IDLE_SECONDS:
                reason = "idle"
            elif started is not None and now - started > settings.NUANXIN_SESSION_ABSOLUTE_SECONDS:
                reason = "absolute"
            if reason is not None:
                return self._expire(request, user, reason)
            if started is None:
                session[AUTH_AT] = now
            if last_seen is None or now - last_seen >= LAST_SEEN_EVERY:
                session[LAST_SEEN] = now
        return self.get_response(request)

    def _expire(self, request, user, reason: str):
        from nuanxin.accounts import services

        services.record_session_expired(user=user, reason=reason)
        logout(request)
        if _is_api(request):
            # The API answers an anonymous request itself (401).
            return self.get_response(request)
        if request.method == "GET":
            target = redirect_to_login(request.get_full_path())["Location"]
        else:
            target = reverse(settings.LOGIN_URL)
        return _redirect(request, target, _("Your session has expired. Please sign in again."))


class TwoFactorRequiredMiddleware:
    """A user holding a role listed in ``NUANXIN_TOTP_REQUIRED_ROLES`` without a confirmed
    authenticator is sent to the authenticator setup page from every page but that one,
    sign-out, the language switch, static files and the API (tokens are issued only from
    pages, so a token already means the owner passed this check when making it)."""

    EXEMPT_URL_NAMES = ("accounts:totp_setup", "accounts:logout", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response
        self._exempt_paths: set[str] | None = None

    def _exempt(self, request) -> bool:
        if self._exempt_paths is None:
            self._exempt_paths = {reverse(name) for name in self.EXEMPT_URL_NAMES}
        path = request.path
        return (
            path in self._exempt_paths
            or _is_api(request)
            or path.startswith(settings.STATIC_URL)
            or path in {reverse("healthz"), reverse("readyz")}
        )

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.NUANXIN_TOTP_REQUIRED_ROLES
            and user is not None
            and user.is_authenticated
            and not self._exempt(request)
        ):
            from nuanxin.accounts import services

            if services.totp_required(user) and not services.has_confirmed_totp(user):
                return _redirect(request, reverse("accounts:totp_setup"))
        return self.get_response(request)
