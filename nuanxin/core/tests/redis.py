"""The machine's Redis for the tests that need a real one (127.0.0.1:6379; skipped without it)."""

import socket

import pytest

ADDRESS = ("127.0.0.1", 6379)


def available() -> bool:
    try:
        socket.create_connection(ADDRESS, 1).close()
    except OSError:
        return False
    return True


needs_redis = pytest.mark.skipif(not available(), reason="no Redis on 127.0.0.1:6379")


def cache_settings(location: str, timeout: float = 1) -> dict:
    """``CACHES`` with Django's Redis cache at ``location``, as settings.py makes it from REDIS_URL."""
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location,
            "KEY_PREFIX": "nuanxin", "OPTIONS": {"socket_connect_timeout": timeout, "socket_timeout": timeout},
        }
    }


def silent_location() -> str:
    """A Redis address where nobody answers (a port just freed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"
