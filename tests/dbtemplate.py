"""One migration per database per run: the first pytest-xdist worker makes its test database by
migrating it, as pytest-django would, and keeps a copy as the run's template; the other workers
copy the template instead of migrating (~18 s of CPU each, four workers a run).

PostgreSQL: ``CREATE DATABASE <worker's> TEMPLATE <run's template>`` (schema, rows, triggers);
SQLite (an in-memory database per worker): the template is a file under ``var/`` written and
read with SQLite's backup API. The workers take turns through a lock file named by the run; the
template is dropped (PostgreSQL) or removed (SQLite) by each worker's teardown, the first of
them doing it. A worker that finds no template (its maker failed) migrates as before.
``NUANXIN_TEST_DB_TEMPLATE=0`` makes every worker migrate.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path

VAR = Path(__file__).resolve().parent.parent / "var"


def wanted() -> bool:
    """Under pytest-xdist, with the template not switched off."""
    return bool(os.environ.get("PYTEST_XDIST_TESTRUNUID")) and os.environ.get("NUANXIN_TEST_DB_TEMPLATE", "1") != "0"


def _lock_file(vendor: str) -> Path:
    return VAR / f"test-template-{vendor}-{os.environ['PYTEST_XDIST_TESTRUNUID'][:12]}.lock"


@contextmanager
def _turn(vendor: str):
    VAR.mkdir(exist_ok=True)
    with open(_lock_file(vendor), "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield lock
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _template_name(connection) -> str:
    """PostgreSQL: the worker's test database name without its ``_gwN`` suffix, ``_template``."""
    worker = os.environ["PYTEST_XDIST_WORKER"]
    name = connection.creation._get_test_db_name()
    base = name[: -len(worker) - 1] if name.endswith("_" + worker) else name
    return f"{base}_template"


def _sqlite_template() -> Path:
    return VAR / f"test-template-{os.environ['PYTEST_XDIST_TESTRUNUID'][:12]}.sqlite3"


def setup(setup_databases, **kwargs) -> list:
    """The default database's test database for this worker, migrated or copied; what Django's
    ``teardown_databases`` takes."""
    from django.db import connection

    vendor = connection.vendor
    in_memory = vendor == "sqlite" and connection.creation.is_in_memory_db(connection.creation._get_test_db_name())
    if vendor != "postgresql" and not in_memory:
        return setup_databases(**kwargs)
    with _turn(vendor) as lock:
        lock.seek(0)
        state = lock.read().strip()
        if state == "ready":
            try:
                return _copy(connection)
            except Exception:  # the template is gone (a late worker): migrate as before
                pass
        config = setup_databases(**kwargs)
        if state == "":  # the first: keep the template
            try:
                _keep(connection)
                mark = "ready"
            except Exception:  # the others migrate as before; this worker's database is fine
                mark = "failed"
            lock.seek(0)
            lock.truncate()
            lock.write(mark)
            lock.flush()
        return config


def _keep(connection) -> None:
    if connection.vendor == "postgresql":
        name = connection.settings_dict["NAME"]
        template = _template_name(connection)
        connection.close()
        with connection._nodb_cursor() as cursor:
            quote = connection.ops.quote_name
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(template)}")
            cursor.execute(f"CREATE DATABASE {quote(template)} TEMPLATE {quote(name)}")
        connection.ensure_connection()
    else:
        connection.ensure_connection()
        target = sqlite3.connect(_sqlite_template())
        try:
            connection.connection.backup(target)
        finally:
            target.close()


def _copy(connection) -> list:
    """This worker's test database as a copy of the template, set up as ``create_test_db`` sets
    it up (the settings' name, a connection)."""
    from django.conf import settings

    old_name = connection.settings_dict["NAME"]
    name = connection.creation._get_test_db_name()
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)}")
            cursor.execute(f"CREATE DATABASE {quote(name)} TEMPLATE {quote(_template_name(connection))}")
    connection.close()
    settings.DATABASES[connection.alias]["NAME"] = name
    connection.settings_dict["NAME"] = name
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        source = sqlite3.connect(_sqlite_template())
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    return [(connection, old_name, True)]


def teardown() -> None:
    """Drop the run's template (each worker tries at its end; the first one does it, and a
    template still being copied is left to the next run's maker, which drops it first)."""
    from django.db import DatabaseError, connection

    if connection.vendor == "postgresql":
        template = _template_name(connection)
        try:
            with connection._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(template)}")
        except DatabaseError:
            pass
    elif connection.vendor == "sqlite":
        _sqlite_template().unlink(missing_ok=True)
    _lock_file(connection.vendor).unlink(missing_ok=True)
