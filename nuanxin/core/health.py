"""``/healthz`` and ``/readyz`` for load balancers and monitors (docs/operations.md).

- ``/healthz``: the process is up and answers (no database): 200 ``{"status": "ok"}``. A load
  balancer that restarts what fails it must not restart every node because the database is down.
- ``/readyz``: this node can serve: the database answers, and where configured the shared
  cache (``REDIS_URL``) and the private storage. 200 ``{"status": "ok", "checks": {...}}``, else
  503 with ``"status": "unavailable"`` and each check's ``ok`` or ``failed`` (the cause is logged,
  never shown: the address is public).

``HealthMiddleware`` (first in ``MIDDLEWARE``) answers both before anything else: no session,
no HTTPS redirect, and no ``ALLOWED_HOSTS`` check (a load balancer asks by the node's address).
"""

from __future__ import annotations

import logging
import os
import time

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection
from django.http import JsonResponse

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


def readyz(request) -> JsonResponse:
    results = {}
    for name, check in checks().items():
        started = time.monotonic()
        try:
            check()
        except Exception:
            log.exception("readiness check %s failed", name)
            results[name] = "failed"
        else:
            results[name] = "ok"
        log.debug("readiness check %s took %.1f ms", name, (time.monotonic() - started) * 1000)
    ok = all(value == "ok" for value in results.values())
    return _json({"status": "ok" if ok else "unavailable", "checks": results}, 200 if ok else 503)


def _json(payload: dict, status: int) -> JsonResponse:
    response = JsonResponse(payload, status=status)
    response["Cache-Control"] = NO_STORE
    return response


class HealthMiddleware:
    """Answer the two probes before any other middleware (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in {"GET", "HEAD"}:
            if request.path_info == HEALTH_PATH:
                return healthz(request)
            if request.path_info == READY_PATH:
                return readyz(request)
        return self.get_response(request)
