"""PostgreSQL restarted or stopped under a request (docs/operations.md, 故障演练): the request
that held a connection gets the 503 "system is busy" page, not a 500, and the next request
works on a new connection. scripts/drills.py ``postgres-restart`` does it for real under load."""

import psycopg
import pytest
from django.db import connection
from django.test import Client

from nuanxin.core.middleware import is_database_busy
from tests.test_db_pool import BUSY_TITLE, _wrapped

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL server going away")


def test_a_server_gone_under_the_request_is_busy():
    from psycopg import errors

    for lost in (
        errors.AdminShutdown("terminating connection due to administrator command"),  # pg_ctl restart -m fast
        errors.CrashShutdown("terminating connection because of crash of another server process"),
        errors.CannotConnectNow("the database system is starting up"),
        psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly"),
    ):
        assert is_database_busy(_wrapped(lost)) is True, lost
    # still not busy: a server refusing outright (the operator's to fix), or an ordinary error
    refused = psycopg.OperationalError('connection failed: connection to server at "127.0.0.1" refused')
    assert is_database_busy(_wrapped(refused)) is False
    assert is_database_busy(_wrapped(psycopg.errors.UndefinedTable('relation "x" does not exist'))) is False


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_page_whose_connection_the_server_ended_is_the_busy_page_and_the_next_works(personas):
    """The request's connection is ended by the server (as ``pg_ctl restart -m fast`` ends every
    one) between two requests: the first request that uses it answers 503 with the busy page, the
    next one gets a fresh connection."""
    client = Client(raise_request_exception=False)  # the exception is answered, not re-raised
    client.force_login(personas.yi)
    assert client.get("/").status_code == 200
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"],
        dbname=settings["NAME"],
        autocommit=True,
    ) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0] is True
    response = client.get("/")
    assert response.status_code == 503
    assert BUSY_TITLE in response.content.decode() and response["Retry-After"] == "30"
    # In production Django closes an unusable connection when the request finishes (the pool then
    # gives the next request a new one); the test client leaves that to the test.
    connection.close()
    assert client.get("/").status_code == 200
