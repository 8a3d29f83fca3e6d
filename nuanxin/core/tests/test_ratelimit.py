"""The public pages' rate limits (core/ratelimit.py): counted per window, and with REDIS_URL
counted once for every process and server (another process here stands for another node)."""

import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest
import time_machine
from django.conf import settings
from django.core.cache import caches
from django.test import override_settings

from nuanxin.core import ratelimit
from nuanxin.core.tests.redis import cache_settings, needs_redis, silent_location

LIMIT = ratelimit.Limit("test-shared", limit=5, window=ratelimit.HOUR)
REDIS = "redis://127.0.0.1:6379/14"


def test_the_limit_counts_every_use_and_refuses_the_one_over():
    value = "10.0.0.1-local"
    assert [ratelimit.hit(LIMIT, value) for _ in range(7)] == [True] * 5 + [False] * 2
    assert ratelimit.remaining(LIMIT, value) == 0
    assert ratelimit.remaining(LIMIT, "10.0.0.2-local") == 5


@needs_redis
def test_with_redis_two_processes_share_one_count():
    cache = cache_settings(REDIS)
    value = f"10.0.0.9-{os.getpid()}"
    with override_settings(REDIS_URL=REDIS, CACHES=cache):
        caches["default"].clear()
        assert [ratelimit.hit(LIMIT, value) for _ in range(3)] == [True, True, True]
        other_node = subprocess.run(
            [sys.executable, "-c", (
                "import django; django.setup()\n"
                "from nuanxin.core import ratelimit\n"
                f"limit = ratelimit.Limit({LIMIT.name!r}, limit={LIMIT.limit}, window={LIMIT.window})\n"
                f"print([ratelimit.hit(limit, {value!r}) for _ in range(3)])\n"
            )],
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "nuanxin.settings", "REDIS_URL": REDIS,
                 "SECRET_KEY": settings.SECRET_KEY},
            capture_output=True, text=True, timeout=120, check=False,
        )
        assert other_node.returncode == 0, other_node.stderr
        assert other_node.stdout.strip() == "[True, True, False]"  # 3 here + 2 there = the limit
        assert ratelimit.hit(LIMIT, value) is False
        caches["default"].clear()


def test_behind_the_proxy_each_visitor_counts_under_their_own_address(rf, settings):
    """Behind nginx every request comes from the proxy: the address counted is the one the proxy
    appended (NUANXIN_BEHIND_PROXY=1), as for the audit trail and the lockout."""
    settings.NUANXIN_BEHIND_PROXY = True
    first = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.5")
    second = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.6")
    assert [ratelimit.client_address(first), ratelimit.client_address(second)] == ["10.0.0.5", "10.0.0.6"]
    settings.NUANXIN_BEHIND_PROXY = False
    assert ratelimit.client_address(first) == "127.0.0.1"  # the header is not trusted without it


def test_a_cache_that_does_not_answer_lets_the_page_work_uncounted(caplog):
    location = silent_location()
    with override_settings(REDIS_URL=location, CACHES=cache_settings(location)):
        assert ratelimit.hit(LIMIT, "10.0.0.3") is True
        assert ratelimit.remaining(LIMIT, "10.0.0.3") == LIMIT.limit
    assert "rate limit test-shared not counted: the cache did not answer" in caplog.text


def test_a_sliding_limit_counts_the_last_slices_and_forgets_the_oldest():
    """``slices=6`` of an hour: a use counts until its 10-minute slice is six slices old."""
    sliding = ratelimit.Limit("test-sliding", limit=2, window=ratelimit.HOUR, slices=6)
    value = f"10.0.0.4-{os.getpid()}"
    start = datetime(2020, 2, 7, 9, 59, 59, tzinfo=UTC)
    caches["default"].clear()
    with time_machine.travel(start, tick=False):
        assert [ratelimit.hit(sliding, value) for _ in range(2)] == [True, True]
    with time_machine.travel(start.replace(hour=10, minute=0, second=0), tick=False):  # another clock hour
        assert (ratelimit.remaining(sliding, value), ratelimit.hit(sliding, value)) == (0, False)
    with time_machine.travel(start.replace(hour=10, minute=49, second=59), tick=False):
        assert ratelimit.remaining(sliding, value) == 0
    with time_machine.travel(start.replace(hour=10, minute=50, second=0), tick=False):
        # 09:59:59's two are forgotten; 10:00's refused use still counts (hammering does not help)
        assert ratelimit.remaining(sliding, value) == 1
    with pytest.raises(ValueError, match="the window must divide into 7 slices"):
        ratelimit.Limit("test-odd", limit=1, window=ratelimit.HOUR, slices=7)
    caches["default"].clear()
