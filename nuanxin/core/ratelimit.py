"""Rate limits of the public pages (a link anyone may use) and of guessable codes, kept in Django's cache.

Each app names its limits (``Limit(name, limit, window)``; the name is prefixed with the app's
so that two apps' counters never mix) and calls ``hit(limit, value)`` once per use of ``value``
(a client address, a mobile number). The cache key holds the window's number and a keyed hash of
the value (never the value itself). ``cache.add`` then ``incr`` is atomic on the shared caches
(database, Redis, Memcached); with the default local-memory cache each web process counts for
itself, so several processes allow that many times the limit: production should point
``CACHES["default"]`` at a shared cache (``REDIS_URL``, see docs/operations.md). A shared cache
that does not answer does not take the public pages down with it: the use is let through
uncounted and the failure logged.

A limit counts per fixed window (the clock's hour, day) unless it has ``slices``: the window is
then cut into that many slices, each counted apart, and a use counts with those of the current
slice and the ``slices - 1`` before it — a sliding window that forgets a use between
``window - window / slices`` and ``window`` after it (``slices=6`` of an hour: 50–60 minutes).
So a person refused is refused for what they did within the last ``window``, and not let through
again because the clock's hour turned.
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
    slices: int = 1  # more than 1: a sliding window of that many slices (the module's docstring)

    def __post_init__(self):
        if self.slices < 1 or self.window % self.slices:
            raise ValueError(f"rate limit {self.name}: the window must divide into {self.slices} slices")


def _keys(limit: Limit, value: str, now: float) -> list[str]:
    """The counters of ``value`` that count now: the current slice's first, then the earlier ones."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{limit.name}:{value}".encode(), hashlib.sha256).hexdigest()
    size = limit.window // limit.slices
    current = int(now // size)
    if limit.slices == 1:
        return [f"nx-rl:{limit.name}:{current}:{digest[:32]}"]
    numbers = range(current, current - limit.slices, -1)
    return [f"nx-rl:{limit.name}:{size}:{number}:{digest[:32]}" for number in numbers]


def _counted(keys: list[str]) -> int:
    """The uses counted in these counters (missing or expired: none)."""
    return sum(int(count) for count in cache.get_many(keys).values()) if keys else 0


def hit(limit: Limit, value: str) -> bool:
    """Count one use of ``value`` under ``limit``; False when this use is over the limit (it is
    counted all the same: hammering does not reopen the window)."""
    if limit.limit <= 0:
        return False
    current, *earlier = _keys(limit, value or "-", time.time())
    try:
        cache.add(current, 0, timeout=limit.window + 60)
        try:
            count = cache.incr(current)
        except ValueError:  # expired between add and incr
            cache.set(current, 1, timeout=limit.window + 60)
            count = 1
        count += _counted(earlier)
    except Exception:  # the shared cache (Redis) is down: the page keeps working, uncounted
        log.exception("rate limit %s not counted: the cache did not answer", limit.name)
        return True
    return count <= limit.limit


def remaining(limit: Limit, value: str) -> int:
    """How many uses ``value`` has left now (tests, a page's hint, a refusal before the use)."""
    try:
        used = _counted(_keys(limit, value or "-", time.time()))
    except Exception:  # the shared cache is down: as if nothing was counted (logged by hit)
        log.warning("rate limit %s not read: the cache did not answer", limit.name)
        return limit.limit
    return max(0, limit.limit - used)


def client_address(request) -> str:
    """The client's address as the audit trail and the sign-in lockout take it
    (``core.context.client_ip``): REMOTE_ADDR, or behind one reverse proxy
    (``NUANXIN_BEHIND_PROXY=1``) the address the proxy appended to X-Forwarded-For — else every
    visitor would count as the proxy's one address."""
    return context.client_ip(request) or "-"
