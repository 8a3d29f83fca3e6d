"""Per-request facts that the audit trail and the logs need (client IP, channel, request id).

Set by ``RequestContextMiddleware``; commands and tasks run without one and record
``None`` for the address.
"""

import ipaddress
import re
import uuid
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip: str | None = None
    channel: str = "web"  # web, api, cli, task
    request_id: str | None = None  # the logs' (core/logformat.py), answered as X-Request-ID


# RequestContext is a frozen dataclass, so sharing one default instance is safe.
_current: ContextVar[RequestContext] = ContextVar(
    "nuanxin_request_context", default=RequestContext(channel="cli")  # noqa: B039
)


def current() -> RequestContext:
    return _current.get()


def set_current(ctx: RequestContext):
    return _current.set(ctx)


def reset(token) -> None:
    _current.reset(token)


def client_ip(request) -> str | None:
    """The client address, as the audit trail and the sign-in lockout record it: REMOTE_ADDR;
    behind one reverse proxy (``NUANXIN_BEHIND_PROXY=1``) the last entry of X-Forwarded-For,
    the address the proxy itself saw (earlier entries come from the client and may be forged)."""
    from django.conf import settings

    if getattr(settings, "NUANXIN_BEHIND_PROXY", False):
        last = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(last))
        except ValueError:
            pass
    return request.META.get("REMOTE_ADDR") or None


_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def request_id(request) -> str:
    """The request's id: the proxy's ``X-Request-ID`` when it looks like one (nginx's
    ``$request_id`` is 32 hex digits), else a new one."""
    given = request.META.get("HTTP_X_REQUEST_ID", "")
    return given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
