"""``/healthz`` and ``/readyz`` (core/health.py): answered before the host check, the
redirect and the session; ``/readyz`` names each failed check and says 503."""

import logging
import re

import pytest
from django.core.cache import caches
from django.core.files.storage import storages
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError, connection
from django.http import FileResponse
from django.test import RequestFactory, override_settings

from nuanxin.core import health
from nuanxin.core.tests.redis import cache_settings, needs_redis, silent_location

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_failing_checks_yet():
    """The failing checks are remembered per process: each test starts from none."""
    health._failing.clear()
    yield
    health._failing.clear()


class BrokenCursor:
    def __enter__(self):
        raise OperationalError("connection refused")

    def __exit__(self, *exc):
        return False


def test_healthz_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert response["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response


def test_readyz_checks_the_database_and_the_storage(client):
    response = client.get("/readyz")
    assert (response.status_code, response.json()) == (
        200, {"status": "ok", "checks": {"database": "ok", "storage": "ok"}}
    )


@override_settings(ALLOWED_HOSTS=["nuanxin.example.org"], SECURE_SSL_REDIRECT=True)
def test_probes_answer_a_load_balancer_asking_by_address_over_http(client):
    for path in ("/healthz", "/readyz"):
        response = client.get(path, HTTP_HOST="10.0.0.7:8000")
        assert response.status_code == 200, path
    # any other page is still held to the host list
    assert client.get("/accounts/login/", HTTP_HOST="10.0.0.7:8000").status_code == 400


def test_readyz_is_503_when_the_database_fails(client, monkeypatch, caplog):
    monkeypatch.setattr(connection, "cursor", lambda: BrokenCursor())
    response = client.get("/readyz")
    assert (response.status_code, response.json()) == (
        503, {"status": "unavailable", "checks": {"database": "failed", "storage": "ok"}}
    )
    assert "connection refused" not in response.content.decode()  # logged, never shown
    assert "readiness check database failed: OperationalError: connection refused" in caplog.text


def test_a_failing_check_is_logged_once_when_it_starts_and_once_when_it_ends(client, monkeypatch, caplog):
    """A load balancer probes every few seconds: a warning with the cause (no traceback) when the
    check starts failing, a debug line while it goes on, an info line when it recovers — and no
    "Service Unavailable: /readyz" error line from Django for each 503."""
    caplog.set_level(logging.DEBUG, logger="nuanxin.health")

    def probe(broken: bool) -> int:
        with monkeypatch.context() as patch:
            if broken:
                patch.setattr(connection, "cursor", lambda: BrokenCursor())
            return client.get("/readyz").status_code

    assert [probe(broken) for broken in (False, True, True, True, False, False, True)] == [
        200, 503, 503, 503, 200, 200, 503
    ]
    logged = [(r.levelname, r.getMessage(), r.exc_info) for r in caplog.records if " took " not in r.getMessage()]
    failed = "readiness check database failed: OperationalError: connection refused"
    still = "readiness check database still failing: OperationalError: connection refused"
    assert logged == [
        ("WARNING", failed, None),
        ("DEBUG", still, None),
        ("DEBUG", still, None),
        ("INFO", "readiness check database recovered", None),
        ("WARNING", failed, None),
    ]


def test_the_probes_answer_x_request_id_keeping_the_proxys(client):
    for path in ("/healthz", "/readyz"):
        assert re.fullmatch(r"[0-9a-f]{32}", client.get(path)["X-Request-ID"]), path
        given = "0123456789abcdef0123456789abcdef"
        assert client.get(path, HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given
        forged = client.get(path, HTTP_X_REQUEST_ID="a b<script>")["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", forged), path


def _wsgi(method: str, path: str) -> tuple[str, dict, bytes]:
    """``path`` answered by Django's WSGI handler as gunicorn calls it (the test client would
    drop a HEAD's body itself)."""
    environ = RequestFactory().generic(method, path).environ
    answered = {}

    def start_response(status, headers, exc_info=None):
        answered.update(status=status, headers=dict(headers))

    result = WSGIHandler()(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        result.close()
    return answered["status"], answered["headers"], body


def test_a_head_is_answered_without_a_body_and_with_the_gets_length():
    """gunicorn logged "WSGI app sent body bytes on a no-body response (method=HEAD …)" for
    every HEAD (a load balancer's probe, a link checker): the application sends none now."""
    assert _wsgi("GET", "/healthz")[2] == b'{"status": "ok"}'
    status, headers, body = _wsgi("HEAD", "/healthz")
    assert (status, body, headers["Content-Length"]) == ("200 OK", b"", "16")
    get_status, get_headers, page = _wsgi("GET", "/accounts/login/")
    status, headers, body = _wsgi("HEAD", "/accounts/login/")
    assert (get_status, status, body) == ("200 OK", "200 OK", b"")
    assert headers["Content-Length"] == get_headers["Content-Length"] == str(len(page))


def test_a_head_of_a_file_sends_no_file(tmp_path):
    path = tmp_path / "report.csv"
    path.write_bytes(b"a,b\n1,2\n")
    handle = path.open("rb")
    response = FileResponse(handle)
    health.without_body(response)
    assert (b"".join(response.streaming_content), response["Content-Length"], response.file_to_stream) == (
        b"", "8", None
    )
    response.close()
    assert handle.closed


def test_readyz_is_503_when_the_private_directory_cannot_be_written(client, tmp_path, monkeypatch):
    from django.core.files.storage import FileSystemStorage

    locked = tmp_path / "private"
    locked.mkdir(mode=0o500)
    monkeypatch.setitem(storages._storages, "private", FileSystemStorage(location=str(locked)))
    monkeypatch.setattr("os.access", lambda path, mode: False)  # root may write anywhere
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "storage": "failed"}


@needs_redis
def test_readyz_checks_redis_when_configured(client):
    with override_settings(REDIS_URL="redis://127.0.0.1:6379/15", CACHES=cache_settings("redis://127.0.0.1:6379/15")):
        caches["default"].clear()
        response = client.get("/readyz")
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok", "storage": "ok"}}


def test_readyz_is_503_when_redis_does_not_answer(client):
    location = silent_location()
    with override_settings(REDIS_URL=location, CACHES=cache_settings(location)):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "cache": "failed", "storage": "ok"}
