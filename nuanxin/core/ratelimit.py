"""Fixed-window rate limits of the public pages (a link anyone may use), kept in Django's cache.

Each app names its limits (``Limit(name, limit, window)``; the name is prefixed with the app's
so that two apps' counters never mix) and calls ``hit(limit, value)`` once per use of ``value``
(a client address, a mobile number). The cache key holds the window's number and a keyed hash of
the value (never the value itself). ``cache.add`` then ``incr`` is atomic on the shared caches
(database, Redis, Memcached); with the default local-memory cache each web process counts for
itself, so several processes allow that many times the limit: production should point
``CACHES["default"]`` at a shared cache (``REDIS_URL``, see docs/operations.md). A shared cache
that does not answer does not take the public pages down with it: the use is let through
uncounted and the failure logged.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from nuanxin.core import context

log = logging.getLogger(__name__)

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
    try:
        cache.add(key, 0, timeout=limit.window + 60)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=limit.window + 60)
            count = 1
    except Exception:  # the shared cache (Redis) is down: the page keeps working, uncounted
        log.exception("rate limit %s not counted: the cache did not answer", limit.name)
        return True
    return count <= limit.limit


def remaining(limit: Limit, value: str) -> int:
    """How many uses ``value`` has left in the current window (tests, a page's hint)."""
    try:
        used = cache.get(_key(limit, value or "-", time.time()), 0)
    except Exception:  # the shared cache is down: as if nothing was counted (logged by hit)
        log.warning("rate limit %s not read: the cache did not answer", limit.name)
        return limit.limit
    return max(0, limit.limit - int(used))


def client_address(request) -> str:
    """The client's address as the audit trail and the sign-in lockout take it
    (``core.context.client_ip``): REMOTE_ADDR, or behind one reverse proxy
    (``NUANXIN_BEHIND_PROXY=1``) the address the proxy appended to X-Forwarded-For — else every
    visitor would count as the proxy's one address."""
    return context.client_ip(request) or "-"
