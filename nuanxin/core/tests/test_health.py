"""``/healthz`` and ``/readyz`` (core/health.py): answered before the host check, the
redirect and the session; ``/readyz`` names each failed check and says 503."""


import pytest
from django.core.cache import caches
from django.core.files.storage import storages
from django.db import connection
from django.test import override_settings

from nuanxin.core.tests.redis import cache_settings, needs_redis, silent_location

pytestmark = pytest.mark.django_db


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
    class Broken:
        def __enter__(self):
            raise connection.OperationalError("connection refused")

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(connection, "cursor", lambda: Broken())
    response = client.get("/readyz")
    assert (response.status_code, response.json()) == (
        503, {"status": "unavailable", "checks": {"database": "failed", "storage": "ok"}}
    )
    assert "connection refused" not in response.content.decode()  # logged, never shown
    assert "readiness check database failed" in caplog.text


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
