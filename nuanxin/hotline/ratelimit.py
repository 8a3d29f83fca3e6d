"""Rate limits of the public self-assessment page, kept in Django's cache.

A link shared city-wide may be used by anyone: each client address may send at most
``NUANXIN_HOTLINE_SUBMITS_PER_ADDRESS_PER_HOUR`` self-assessments an hour (default 60: many staff
of one hospital share its Wi-Fi's address; only answers and callback requests count, never a
page read), and each
mobile number may be left for a callback at most ``NUANXIN_HOTLINE_CALLBACKS_PER_MOBILE_PER_DAY``
times a day (default 3), so that nobody floods the counsellors' queue or someone else's phone.
Over a limit the page answers 429 and stores nothing, except for answers that are a crisis (PHQ-9
item 9 above 0): those are always stored and handled, whatever the address's count.

Counting is ``core.ratelimit``'s fixed window per limit (see there for the shared cache).
"""

from __future__ import annotations

from django.conf import settings

from nuanxin.core.ratelimit import DAY, HOUR, Limit, client_address, hit, remaining

__all__ = ["Limit", "callbacks_per_mobile", "client_address", "hit", "remaining", "submits_per_address"]

SUBMITS_PER_ADDRESS_DEFAULT = 60


def submits_per_address() -> Limit:
    return Limit(
        "hotline-addr",
        int(getattr(settings, "NUANXIN_HOTLINE_SUBMITS_PER_ADDRESS_PER_HOUR", SUBMITS_PER_ADDRESS_DEFAULT)),
        HOUR,
    )


def callbacks_per_mobile() -> Limit:
    return Limit("hotline-mobile", int(getattr(settings, "NUANXIN_HOTLINE_CALLBACKS_PER_MOBILE_PER_DAY", 3)), DAY)
