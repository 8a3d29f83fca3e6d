"""Bounded database connections (docs/operations.md, 数据库连接池): on PostgreSQL each process
keeps a pool of at most NUANXIN_DB_POOL_MAX connections; a request that finds no free
connection within NUANXIN_DB_POOL_TIMEOUT seconds, or a server out of connection slots, gets the
503 "system is busy" answer instead of a 500."""

import secrets
import threading

import psycopg
import pytest
from django.db import OperationalError, close_old_connections, connection
from django.test import Client

from nuanxin.accounts.services import create_api_token
from nuanxin.core.middleware import is_database_busy
from nuanxin.core.policy import SYSTEM

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the connection pool is PostgreSQL's (psycopg_pool)"
)

BUSY_TITLE = '<h1 class="h3">系统正忙</h1>'
# A page asked for (GET): it could not be shown (a form sent says nothing was saved).
BUSY_TEXT = (
    "数据库正忙或暂时无法使用（正在写入大批导入的数据、许多人同时保存，或数据库正在重启），"
    "这个页面没能显示出来。请稍等片刻再试。"
)
BUSY_JSON_EN = {
    "code": "busy",
    "message": "The database is busy with other work; nothing was saved. Try again shortly.",
}


# --- which errors are "busy" ----------------------------------------------------------------


def _wrapped(exc: BaseException) -> OperationalError:
    """``exc`` as Django raises it: its own OperationalError caused by the driver's."""
    try:
        try:
            raise exc
        except BaseException as inner:
            raise OperationalError(str(inner)) from inner
    except OperationalError as outer:
        return outer


def test_busy_errors_are_recognised_and_others_are_not():
    from psycopg_pool import PoolTimeout, TooManyRequests

    assert is_database_busy(PoolTimeout("couldn't get a connection after 10.00 sec")) is True
    assert is_database_busy(_wrapped(PoolTimeout("couldn't get a connection after 10.00 sec"))) is True
    assert is_database_busy(_wrapped(TooManyRequests("the pool has already 5 requests waiting"))) is True
    too_many = psycopg.OperationalError(
        'connection failed: connection to server at "127.0.0.1", port 5432 failed: '
        "FATAL:  sorry, too many clients already"
    )
    assert is_database_busy(_wrapped(too_many)) is True
    reserved = psycopg.OperationalError(
        "connection failed: FATAL:  remaining connection slots are reserved for non-replication superuser connections"
    )
    assert is_database_busy(_wrapped(reserved)) is True
    assert is_database_busy(OperationalError("database is locked")) is True
    refused = psycopg.OperationalError('connection failed: connection to server at "127.0.0.1" refused')
    assert is_database_busy(_wrapped(refused)) is False
    assert is_database_busy(OperationalError("no such table: core_auditlog")) is False
    assert is_database_busy(RuntimeError("too many clients already")) is False
    assert is_database_busy(None) is False


# --- the settings -----------------------------------------------------------------------------


def _settings_of(tmp_path, env_extra: dict) -> tuple[int, str]:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("NUANXIN_DB_POOL")}
    env.update({"DATABASE_URL": "postgres://nuanxin@127.0.0.1:5432/nuanxin", "NUANXIN_VAR_DIR": str(tmp_path)})
    env.update(env_extra)
    probe = (
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d.get('OPTIONS', {}).get('pool'), d['CONN_MAX_AGE'])"
    )
    result = subprocess.run(
        [sys.executable, "-m", "nuanxin.cli", "shell", "--no-imports", "-c", probe],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result.returncode, (result.stdout + result.stderr).strip()


def test_settings_pool_postgresql_connections_outside_tests(tmp_path):
    assert _settings_of(tmp_path, {}) == (0, "{'min_size': 2, 'max_size': 10, 'timeout': 10.0} 0")
    assert _settings_of(tmp_path, {"NUANXIN_DB_POOL_MAX": "4", "NUANXIN_DB_POOL_TIMEOUT": "2.5"}) == (
        0,
        "{'min_size': 2, 'max_size': 4, 'timeout': 2.5} 0",
    )
    assert _settings_of(tmp_path, {"NUANXIN_DB_POOL_MAX": "0"}) == (0, "None 60")
    assert _settings_of(tmp_path, {"NUANXIN_DB_POOL_MAX": "ten"}) == (
        2,
        "nuanxin: NUANXIN_DB_POOL_MAX must be a whole number, not 'ten'.",
    )
    assert _settings_of(tmp_path, {"NUANXIN_DB_POOL_TIMEOUT": "0"}) == (
        2,
        "nuanxin: NUANXIN_DB_POOL_TIMEOUT must be more than 0 seconds, not 0.0.",
    )


# --- an exhausted pool ------------------------------------------------------------------------


@pytest.fixture
def small_pool():
    """The default database behind a pool of two connections (a short wait when both are
    taken) under a unique application_name; the suite's own setting is restored after."""
    settings_dict = connection.settings_dict
    options = settings_dict["OPTIONS"]
    saved = {key: options.get(key) for key in ("pool", "application_name")}
    name = f"nuanxin-pool-test-{secrets.token_hex(4)}"
    connection.close()
    connection.close_pool()
    options["pool"] = {"min_size": 0, "max_size": 2, "timeout": 1.0}
    options["application_name"] = name
    try:
        yield name
    finally:
        connection.close()
        connection.close_pool()
        for key, value in saved.items():
            if value is None:
                options.pop(key, None)
            else:
                options[key] = value


def _hold_connections(count: int):
    """``count`` threads that each take a connection and keep it until released."""
    taken = threading.Barrier(count + 1)
    release = threading.Event()
    errors = []

    def hold():
        try:
            connection.ensure_connection()
            taken.wait(timeout=60)
            release.wait(timeout=120)
        except Exception as exc:  # reported by the test
            errors.append(exc)
            taken.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=hold) for _ in range(count)]
    for thread in threads:
        thread.start()
    taken.wait(timeout=60)
    return release, threads, errors


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_page_with_every_connection_taken_is_the_busy_page(personas, small_pool):
    client = Client(raise_request_exception=False)  # the exception is answered, not re-raised
    client.force_login(personas.yi)
    connection.close()  # back to the pool: the request takes its own
    release, threads, errors = _hold_connections(2)
    try:
        response = client.get("/")
    finally:
        release.set()
        for thread in threads:
            thread.join(timeout=120)
    assert errors == []
    assert (response.status_code, response["Retry-After"]) == (503, "30")
    page = response.content.decode()
    assert BUSY_TITLE in page and BUSY_TEXT in page
    assert client.get("/").status_code == 200  # the connections are back: business as usual


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_an_api_call_with_every_connection_taken_is_the_busy_json(personas, small_pool):
    _token, plaintext = create_api_token(actor=SYSTEM, user=personas.yi)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}", HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
    connection.close()
    release, threads, errors = _hold_connections(2)
    try:
        response = client.get("/api/v1/orgs")
    finally:
        release.set()
        for thread in threads:
            thread.join(timeout=120)
    assert errors == []
    assert (response.status_code, response["Retry-After"]) == (503, "30")
    assert response.json() == BUSY_JSON_EN
    assert client.get("/api/v1/orgs").status_code == 200


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_server_out_of_connection_slots_is_the_busy_page(personas, monkeypatch):
    """Without a free slot on the server (no pool, or other programs took them) the same 503."""
    client = Client(raise_request_exception=False)  # the exception is answered, not re-raised
    client.force_login(personas.yi)

    def refuse(*args, **kwargs):
        raise connection.Database.OperationalError(
            'connection failed: connection to server at "127.0.0.1", port 5432 failed: '
            "FATAL:  sorry, too many clients already"
        )

    connection.close()
    monkeypatch.setattr(connection, "get_new_connection", refuse)
    response = client.get("/")
    monkeypatch.undo()
    assert (response.status_code, response["Retry-After"]) == (503, "30")
    page = response.content.decode()
    assert BUSY_TITLE in page and BUSY_TEXT in page


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_requests_share_the_pool(personas, small_pool):
    connection.settings_dict["OPTIONS"]["pool"]["timeout"] = 120.0  # here they wait, they do not fail
    tokens = [create_api_token(actor=SYSTEM, user=personas.yi)[1] for _ in range(20)]
    connection.close()
    start = threading.Barrier(20)
    statuses, done = [], threading.Event()

    def call(token):
        try:
            start.wait(timeout=60)
            client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")
            statuses.append(client.get("/api/v1/orgs").status_code)
        finally:
            close_old_connections()
            connection.close()

    seen = []
    s = connection.settings_dict

    def watch():
        with psycopg.connect(
            dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"], host=s["HOST"] or None, port=s["PORT"] or None
        ) as admin:
            admin.autocommit = True
            for _ in range(100_000):  # bounded; stops when the requests are done
                count = admin.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [small_pool]
                ).fetchone()[0]
                seen.append(count)
                if done.is_set():
                    break

    watcher = threading.Thread(target=watch)
    watcher.start()
    threads = [threading.Thread(target=call, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    done.set()
    watcher.join(timeout=60)
    stats = connection.pool.get_stats()
    assert statuses == [200] * 20
    assert max(seen) <= 2
    assert stats["connections_num"] <= 2  # connections ever opened by the pool
    assert stats["requests_num"] >= 20
