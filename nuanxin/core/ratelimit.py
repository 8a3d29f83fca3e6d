"""Fixed-window rate limits of the public pages (a link anyone may use), kept in Django's cache.

Each app names its limits (``Limit(name, limit, window)``; the name is prefixed with the app's
so that two apps' counters never mix) and calls ``hit(limit, value)`` once per use of ``value``
(a client address, a mobile number). The cache key holds the window's number and a keyed hash of
the value (never the value itself). ``cache.add`` then ``incr`` is atomic on the shared caches
(database, Redis, Memcached); with the default local-memory cache each web process counts for
itself, so several processes allow that many times the limit: production should point
``CACHES["default"]`` at a shared cache (see docs/operations.md).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

HOUR = 3600
DAY = 24 * HOUR


@dataclass(frozen=True)
class Limit:
    name: str  # e.g. "hotline-addr": unique across the project
    limit: int
    window: int  # seconds


def _key(limit: Limit, value: str, now: float) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{limit.name}:{value}".encode(), hashlib.sha256).hexdigest()
    return f"nx-rl:{limit.name}:{int(now // limit.window)}:{digest[:32]}"


def hit(limit: Limit, value: str) -> bool:
    """Count one use of ``value`` under ``limit``; False when this use is over the limit (it is
    counted all the same: hammering does not reopen the window)."""
    if limit.limit <= 0:
        return False
    key = _key(limit, value or "-", time.time())
    cache.add(key, 0, timeout=limit.window + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=limit.window + 60)
        count = 1
    return count <= limit.limit


def remaining(limit: Limit, value: str) -> int:
    """How many uses ``value`` has left in the current window (tests, a page's hint)."""
    used = cache.get(_key(limit, value or "-", time.time()), 0)
    return max(0, limit.limit - int(used))


def client_address(request) -> str:
    """The client's address as the web server saw it (REMOTE_ADDR; behind a proxy, the proxy
    sets it from X-Forwarded-For before Django)."""
    return request.META.get("REMOTE_ADDR", "") or "-"
