"""``/healthz`` and ``/readyz`` for load balancers and monitors (docs/operations.md).

- ``/healthz``: the process is up and answers (no database): 200 ``{"status": "ok"}``. A load
  balancer that restarts what fails it must not restart every node because the database is down.
- ``/readyz``: this node can serve: the database answers, and where configured the shared
  cache (``REDIS_URL``) and the private storage. 200 ``{"status": "ok", "checks": {...}}``, else
  503 with ``"status": "unavailable"`` and each check's ``ok`` or ``failed`` (the cause is logged,
  never shown: the address is public). A load balancer asks every few seconds, so a check's failure
  is logged when it starts (a warning with the cause), not again while it lasts (a debug line), and
  its recovery once (an info line) — per process.

``HealthMiddleware`` (first in ``MIDDLEWARE``) answers both before anything else: no session,
no HTTPS redirect, and no ``ALLOWED_HOSTS`` check (a load balancer asks by the node's address).
Both carry ``X-Request-ID`` like every other answer (the proxy's when it looks like one, else new).
Being the outermost middleware, it also answers every ``HEAD`` without a body (RFC 9110; the
headers, ``Content-Length`` included, are the ``GET``'s): Django's handler leaves the body in and
gunicorn logged a warning for each one it had to drop.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection
from django.http import HttpResponseBase, JsonResponse

from nuanxin.core import context

log = logging.getLogger("nuanxin.health")

HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
NO_STORE = "no-store"


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    key = f"nx-readyz:{os.getpid()}"
    cache.set(key, "1", timeout=30)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not give back what was written")


def _storage() -> None:
    storage = storages["private"]
    if isinstance(storage, FileSystemStorage):
        location = str(storage.location)
        # Created on the first upload: missing is fine as long as it can be created.
        probe = location if os.path.isdir(location) else os.path.dirname(location.rstrip("/")) or "/"
        if not os.access(probe, os.W_OK | os.X_OK):
            raise RuntimeError(f"{probe} is not writable")
    else:
        storage.exists("readyz-probe")  # a round trip to the object store


def checks() -> dict:
    """The readiness checks that apply to this configuration: name -> callable."""
    found = {"database": _database}
    if settings.REDIS_URL:
        found["cache"] = _cache
    found["storage"] = _storage
    return found


def healthz(request) -> JsonResponse:
    return _json({"status": "ok"}, 200)


# The checks failing at this process's last probe (a load balancer's probes are logged once per
# change, see the module's docstring); gthread workers probe from several threads.
_failing: set[str] = set()
_failing_lock = threading.Lock()


def _note(name: str, error: Exception | None) -> None:
    """Log a check's result when it differs from the last probe's: a failure with its cause (no
    traceback), a recovery; a failure that goes on is a debug line."""
    with _failing_lock:
        was_failing = name in _failing
        if error is not None:
            _failing.add(name)
        else:
            _failing.discard(name)
    if error is not None and not was_failing:
        log.warning("readiness check %s failed: %s: %s", name, type(error).__name__, error)
    elif error is not None:
        log.debug("readiness check %s still failing: %s: %s", name, type(error).__name__, error)
    elif was_failing:
        log.info("readiness check %s recovered", name)


def readyz(request) -> JsonResponse:
    results = {}
    for name, check in checks().items():
        started = time.monotonic()
        try:
            check()
        except Exception as error:
            _note(name, error)
            results[name] = "failed"
        else:
            _note(name, None)
            results[name] = "ok"
        log.debug("readiness check %s took %.1f ms", name, (time.monotonic() - started) * 1000)
    ok = all(value == "ok" for value in results.values())
    response = _json({"status": "ok" if ok else "unavailable", "checks": results}, 200 if ok else 503)
    # Logged above as the checks' states change: not as Django's "Service Unavailable" error line
    # on every probe.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def _json(payload: dict, status: int) -> JsonResponse:
    response = JsonResponse(payload, status=status)
    response["Cache-Control"] = NO_STORE
    return response


class HealthMiddleware:
    """Answer the two probes before any other middleware (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self._probe(request)
        if response is None:
            response = self.get_response(request)
        if request.method == "HEAD":
            without_body(response)
        return response

    def _probe(self, request) -> HttpResponseBase | None:
        if request.method not in {"GET", "HEAD"} or request.path_info not in {HEALTH_PATH, READY_PATH}:
            return None
        request_id = context.request_id(request)
        token = context.set_current(
            context.RequestContext(ip=context.client_ip(request), channel="web", request_id=request_id)
        )
        try:
            response = healthz(request) if request.path_info == HEALTH_PATH else readyz(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = request_id
        return response


def without_body(response: HttpResponseBase) -> None:
    """Empty ``response``'s body for a HEAD, keeping the length a GET would announce."""
    if response.streaming:
        # The file or generator given stays among the response's closers (closed when the server
        # closes the response); a FileResponse no longer hands its file to the server's sendfile.
        response.streaming_content = []  # type: ignore[attr-defined]
        return
    if "Content-Length" not in response:
        response["Content-Length"] = str(len(response.content))  # type: ignore[attr-defined]
    response.content = b""  # type: ignore[attr-defined]
