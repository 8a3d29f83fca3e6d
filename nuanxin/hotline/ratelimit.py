"""Rate limits of the public self-assessment page, kept in Django's cache.

A link shared city-wide may be used by anyone: each client address may send at most
``NUANXIN_HOTLINE_SUBMITS_PER_ADDRESS_PER_HOUR`` self-assessments an hour (default 60: many staff
of one hospital share its Wi-Fi's address; only answers and callback requests count, never a
page read), and each
mobile number may be left for a callback at most ``NUANXIN_HOTLINE_CALLBACKS_PER_MOBILE_PER_DAY``
times a day (default 3), so that nobody floods the counsellors' queue or someone else's phone.
Over a limit the page answers 429 and stores nothing, except for answers that are a crisis (PHQ-9
item 9 above 0): those are always stored and handled, whatever the address's count.

Counting is a fixed window per limit: the cache key holds the window's number and a keyed hash
of the address or number (never the address or number itself). ``cache.add`` then ``incr`` is
atomic on the shared caches (database, Redis, Memcached); with the default local-memory cache
each web process counts for itself, so several processes allow that many times the limit:
production should point ``CACHES["default"]`` at a shared cache (see docs).
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
SUBMITS_PER_ADDRESS_DEFAULT = 60


@dataclass(frozen=True)
class Limit:
    name: str
    limit: int
    window: int  # seconds


def submits_per_address() -> Limit:
    return Limit(
        "addr",
        int(getattr(settings, "NUANXIN_HOTLINE_SUBMITS_PER_ADDRESS_PER_HOUR", SUBMITS_PER_ADDRESS_DEFAULT)),
        HOUR,
    )


def callbacks_per_mobile() -> Limit:
    return Limit("mobile", int(getattr(settings, "NUANXIN_HOTLINE_CALLBACKS_PER_MOBILE_PER_DAY", 3)), DAY)


def _key(limit: Limit, value: str, now: float) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{limit.name}:{value}".encode(), hashlib.sha256).hexdigest()
    return f"nx-hotline-rl:{limit.name}:{int(now // limit.window)}:{digest[:32]}"


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
    """How many uses ``value`` has left in the current window (tests, the page's hint)."""
    used = cache.get(_key(limit, value or "-", time.time()), 0)
    return max(0, limit.limit - int(used))
