"""Per-request facts that the audit trail needs (client IP, user agent).

Set by ``RequestContextMiddleware``; commands and tasks run without one and record
``None`` for the address.
"""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip: str | None = None
    channel: str = "web"  # web, api, cli, task


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
    """The client address. Behind a reverse proxy the proxy must set REMOTE_ADDR correctly
    (e.g. nginx ``real_ip``); X-Forwarded-For is not trusted because any client can forge it."""
    return request.META.get("REMOTE_ADDR") or None
