"""The production database roles of docs/operations.md (数据库角色) on PostgreSQL.

Inside the test database the test makes an owner role (it owns every table, sequence and
function, as after `nuanxin migrate` run as nuanxin_owner) and an application role granted by
the very SQL the documentation includes (nuanxin/core/sql/app_role.sql), then connects as the
application role: it may add to and read the audit log and nothing that could empty or rewrite
it; `check --deploy` is silent for it and warns for a superuser and for the owner.
"""

import re
import secrets
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import connection, transaction
from psycopg import sql

from nuanxin.core import audit, checks
from nuanxin.core.models import AuditLog
from nuanxin.core.tests.redis import needs_redis

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles exist on PostgreSQL only"),
    pytest.mark.django_db(transaction=True),
]

APP_ROLE_SQL = Path(__file__).resolve().parent.parent / "nuanxin" / "core" / "sql" / "app_role.sql"
ALL_WARNINGS = ["nuanxin.W010", "nuanxin.W011", "nuanxin.W012", "nuanxin.W013"]


def _connect(user: str) -> psycopg.Connection:
    s = connection.settings_dict
    return psycopg.connect(
        dbname=s["NAME"],
        user=user,
        password=s["PASSWORD"] if user == s["USER"] else "",
        host=s["HOST"] or None,
        port=s["PORT"] or None,
        autocommit=True,
    )


def _url(user: str) -> str:
    s = connection.settings_dict
    return f"postgres://{user}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _give_everything_to(cursor, owner: str) -> None:
    """What migrating as the owner leaves: the owner owns the database, the tables, sequences,
    views and functions of the schema."""
    ident = sql.Identifier
    cursor.execute(
        sql.SQL("ALTER DATABASE {} OWNER TO {}").format(ident(connection.settings_dict["NAME"]), ident(owner))
    )
    cursor.execute(
        "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S') "
        "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i'))"
    )
    kinds = {"r": "TABLE", "p": "TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW", "S": "SEQUENCE"}
    for name, kind in cursor.fetchall():
        cursor.execute(sql.SQL(f"ALTER {kinds[kind]} {{}} OWNER TO {{}}").format(ident(name), ident(owner)))
    cursor.execute(
        "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = 'public'"
    )
    for (signature,) in cursor.fetchall():
        cursor.execute(sql.SQL("ALTER FUNCTION {} OWNER TO {}").format(sql.SQL(signature), ident(owner)))


def app_role_sql(owner: str, app: str) -> str:
    """The documented file with the test's role names."""
    text = APP_ROLE_SQL.read_text()
    text = re.sub(r"\bnuanxin_owner\b", owner, text)
    return re.sub(r"\bnuanxin_app\b", app, text)


@pytest.fixture
def roles():
    """(owner, app): two fresh roles with unique names, set up as documented, dropped after."""
    suffix = secrets.token_hex(4)
    owner, app = f"nuanxin_owner_{suffix}", f"nuanxin_app_{suffix}"
    superuser = connection.settings_dict["USER"]
    connection.close()
    with _connect(superuser) as admin, admin.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(owner)))
        cursor.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(app)))
        try:
            _give_everything_to(cursor, owner)
            cursor.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(owner)))  # the owner runs the file
            cursor.execute(app_role_sql(owner, app))
            cursor.execute("RESET ROLE")
            yield owner, app
        finally:
            cursor.execute("RESET ROLE")
            cursor.execute(
                sql.SQL("REASSIGN OWNED BY {} TO {}").format(sql.Identifier(owner), sql.Identifier(superuser))
            )
            for role in (owner, app):
                cursor.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
            for role in (app, owner):
                cursor.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def _warning_ids(user: str) -> list[str]:
    with _connect(user) as conn, conn.cursor() as cursor:
        return sorted(w.id for w in checks.role_warnings(cursor))


def _refused(conn: psycopg.Connection, statement: str) -> str:
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as refused:
        conn.execute(statement)
    return str(refused.value).splitlines()[0]


def test_the_app_role_adds_to_and_reads_the_audit_log_and_cannot_empty_it(roles):
    _owner, app = roles
    with transaction.atomic():
        audit.record(None, "test.before_app_role")
    with _connect(app) as conn:
        conn.execute(
            "INSERT INTO core_auditlog (at, actor_name, action, object_type, object_id, object_repr, outcome, "
            "ip, channel, detail) VALUES (now(), 'probe', 'test.app_role', '', '', '', 'success', NULL, 'cli', '{}')"
        )
        assert conn.execute("SELECT count(*) FROM core_auditlog").fetchone() == (2,)
        assert _refused(conn, "TRUNCATE core_auditlog") == "permission denied for table core_auditlog"
        assert _refused(conn, "UPDATE core_auditlog SET action = 'x'") == "permission denied for table core_auditlog"
        assert _refused(conn, "DELETE FROM core_auditlog") == "permission denied for table core_auditlog"
        assert (
            _refused(conn, "ALTER TABLE core_auditlog DISABLE TRIGGER core_auditlog_no_update")
            == "must be owner of table core_auditlog"
        )
        assert _refused(conn, "DROP TABLE core_auditlog") == "must be owner of table core_auditlog"
        assert (
            _refused(
                conn,
                "CREATE OR REPLACE FUNCTION nuanxin_audit_append_only() RETURNS trigger AS "
                "$$ BEGIN RETURN OLD; END; $$ LANGUAGE plpgsql",
            )
            == "permission denied for schema public"
        )
        assert (
            _refused(conn, "SET session_replication_role = replica")
            == 'permission denied to set parameter "session_replication_role"'
        )
        assert _refused(conn, "CREATE TABLE nuanxin_probe (id int)") == "permission denied for schema public"
    with _connect(connection.settings_dict["USER"]) as admin:
        assert admin.execute("SELECT action FROM core_auditlog ORDER BY id").fetchall() == [
            ("test.before_app_role",),
            ("test.app_role",),
        ]


def test_the_app_role_cannot_change_or_empty_the_funds_ledger(roles):
    _owner, app = roles
    with _connect(app) as conn:
        assert conn.execute("SELECT count(*) FROM funds_posting").fetchone() == (0,)
        for statement in (
            "UPDATE funds_posting SET amount = 0",
            "DELETE FROM funds_posting",
            "TRUNCATE funds_posting",
        ):
            assert _refused(conn, statement) == "permission denied for table funds_posting"
        assert (
            _refused(conn, "ALTER TABLE funds_posting DISABLE TRIGGER funds_posting_no_update")
            == "must be owner of table funds_posting"
        )


def test_tables_of_later_migrations_are_granted_to_the_app_role(roles):
    owner, app = roles
    table = f"nuanxin_later_{secrets.token_hex(4)}"
    with _connect(connection.settings_dict["USER"]) as admin:
        admin.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(owner)))
        admin.execute(
            sql.SQL("CREATE TABLE {} (id bigint GENERATED BY DEFAULT AS IDENTITY, note text)").format(
                sql.Identifier(table)
            )
        )
    with _connect(app) as conn:
        conn.execute(sql.SQL("INSERT INTO {} (note) VALUES ('a'), ('b')").format(sql.Identifier(table)))
        conn.execute(sql.SQL("UPDATE {} SET note = 'c' WHERE id = 1").format(sql.Identifier(table)))
        conn.execute(sql.SQL("DELETE FROM {} WHERE id = 2").format(sql.Identifier(table)))
        assert conn.execute(sql.SQL("SELECT id, note FROM {}").format(sql.Identifier(table))).fetchall() == [(1, "c")]
        assert _refused(conn, f"TRUNCATE {table}") == f"permission denied for table {table}"


def test_the_application_works_as_the_app_role(roles):
    """The services write through Django connected as the app role (personas: organisations,
    users, grants and their audit rows)."""
    from conftest import build_personas

    _owner, app = roles
    saved_user = connection.settings_dict["USER"]
    connection.close()
    connection.close_pool()  # when the suite runs with the pool (NUANXIN_DB_POOL_MAX set)
    connection.settings_dict["USER"] = app
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone() == (app,)
        personas = build_personas()
        assert personas.yi.pk is not None
        assert AuditLog.objects.filter(action="org.create").count() == 6
    finally:
        connection.close()
        connection.close_pool()
        connection.settings_dict["USER"] = saved_user


def test_check_deploy_warns_for_the_superuser_and_the_owner_and_not_for_the_app_role(roles):
    owner, app = roles
    assert _warning_ids(connection.settings_dict["USER"]) == ALL_WARNINGS
    assert _warning_ids(owner) == ["nuanxin.W011", "nuanxin.W012"]
    assert _warning_ids(app) == []


@needs_redis
def test_check_deploy_command_is_clean_for_the_app_role(roles, tmp_path):
    from tests.test_deploy import production_env

    _owner, app = roles
    env = production_env(tmp_path, _url(app))
    result = subprocess.run(
        [sys.executable, "-m", "nuanxin.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (result.returncode, result.stdout.strip()) == (0, "System check identified no issues (0 silenced)."), (
        result.stderr
    )
