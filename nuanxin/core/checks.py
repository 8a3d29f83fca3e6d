"""Deployment checks (`nuanxin check --deploy`): the database role, a shared cache (W020), and
the shared cache and private storage reachable as ``/readyz`` finds them (W021, W022).

The audit table refuses UPDATE and DELETE through triggers (core migration 0002), but a role
that is a superuser, owns the table (or its trigger function or schema), holds TRUNCATE,
UPDATE or DELETE on it, or may set ``session_replication_role`` can still empty or rewrite it.
In production the application connects as a role that owns nothing (docs/operations.md,
"数据库角色"; the grants are ``nuanxin/core/sql/app_role.sql``). PostgreSQL only: SQLite has no
roles.
"""

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.db import DatabaseError, connections

AUDIT_TABLE = "core_auditlog"
AUDIT_FUNCTION = "nuanxin_audit_append_only"
HINT = (
    "Run the application as a role that owns nothing and may only INSERT and SELECT the audit table, "
    "and migrations as the owner role: docs/operations.md (数据库角色), nuanxin/core/sql/app_role.sql."
)


def _roles(cursor) -> list[str]:
    """The role in effect and the one that logged in: a connection can RESET ROLE to the second."""
    cursor.execute("SELECT current_user, session_user")
    current, session = cursor.fetchone()
    return [current] if current == session else [current, session]


def role_warnings(cursor) -> list[Warning]:
    """The warnings for the roles of the PostgreSQL connection behind ``cursor`` (a Django or a
    psycopg cursor)."""
    cursor.execute("SELECT to_regclass(%s)::oid, current_setting('server_version_num')::int", [AUDIT_TABLE])
    table_oid, version = cursor.fetchone()
    warnings = []
    for role in _roles(cursor):
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone()[0]:
            warnings.append(
                Warning(
                    f'The application connects to PostgreSQL as the superuser "{role}": it can empty the audit '
                    "log (TRUNCATE, disable its triggers, set session_replication_role).",
                    hint=HINT,
                    id="nuanxin.W010",
                )
            )
        owned = []
        if table_oid is not None:
            cursor.execute(
                "SELECT pg_has_role(%s, c.relowner, 'MEMBER'), pg_has_role(%s, n.nspowner, 'MEMBER'), n.nspname "
                "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = %s",
                [role, role, table_oid],
            )
            owns_table, owns_schema, schema = cursor.fetchone()
            if owns_table:
                owned.append(f"the table {AUDIT_TABLE}")
            if owns_schema:
                owned.append(f"its schema {schema}")
        cursor.execute(
            "SELECT bool_or(pg_has_role(%s, proowner, 'MEMBER')) FROM pg_proc WHERE proname = %s",
            [role, AUDIT_FUNCTION],
        )
        if cursor.fetchone()[0]:
            owned.append(f"the trigger function {AUDIT_FUNCTION}()")
        if owned:
            warnings.append(
                Warning(
                    f'The database role "{role}" owns (or may act as the owner of) {", ".join(owned)}: it can '
                    "disable the audit log's triggers, replace them or drop the table.",
                    hint=HINT,
                    id="nuanxin.W011",
                )
            )
        if table_oid is not None:
            privileges = []
            for privilege in ("TRUNCATE", "UPDATE", "DELETE"):
                cursor.execute("SELECT has_table_privilege(%s, %s, %s)", [role, table_oid, privilege])
                if cursor.fetchone()[0]:
                    privileges.append(privilege)
            if privileges:
                warnings.append(
                    Warning(
                        f'The database role "{role}" may {", ".join(privileges)} the audit table {AUDIT_TABLE}.',
                        hint=HINT,
                        id="nuanxin.W012",
                    )
                )
        if version >= 150000:  # GRANT SET ON PARAMETER exists from PostgreSQL 15 on
            cursor.execute("SELECT has_parameter_privilege(%s, 'session_replication_role', 'SET')", [role])
            may_switch_off_triggers = cursor.fetchone()[0]
        else:  # before 15 only superusers may set it
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
            may_switch_off_triggers = cursor.fetchone()[0]
        if may_switch_off_triggers:
            warnings.append(
                Warning(
                    f'The database role "{role}" may set session_replication_role, which switches the audit '
                    "log's triggers off.",
                    hint=HINT,
                    id="nuanxin.W013",
                )
            )
    return warnings


@register(Tags.security, deploy=True)
def database_role_check(app_configs, **kwargs):
    """Warn when the application's PostgreSQL role could empty or rewrite the audit log."""
    connection = connections["default"]
    if connection.vendor != "postgresql":
        return []
    try:
        with connection.cursor() as cursor:
            return role_warnings(cursor)
    except DatabaseError as exc:
        return [
            Warning(
                f"Could not check the database role: {str(exc).strip()}",
                hint="nuanxin check --deploy needs the production DATABASE_URL and a running database.",
                id="nuanxin.W014",
            )
        ]


@register(Tags.caches, deploy=True)
def shared_cache_check(app_configs, **kwargs):
    """Warn when production keeps its cache in each process's memory (no REDIS_URL): the
    public pages' rate limits (core/ratelimit.py) would count per process, so N web processes on
    M servers allow N × M times the limit."""
    if not settings.PRODUCTION or settings.REDIS_URL:
        return []
    return [
        Warning(
            "The cache is each process's own memory: the public pages' rate limits count per process, "
            f"so {settings.NUANXIN_WEB_WORKERS} web processes per server allow that many times the limit.",
            hint="Set REDIS_URL (redis://HOST:6379/0) to share the cache between processes and servers "
            "(docs/operations.md).",
            id="nuanxin.W020",
        )
    ]


@register(Tags.caches, deploy=True)
def shared_services_check(app_configs, **kwargs):
    """Warn when the cache at ``REDIS_URL`` or the private storage cannot be reached, as
    ``/readyz`` would find them: a node started so would be taken out by its load balancer."""
    from nuanxin.core import health

    found = []
    ids = {"cache": "nuanxin.W021", "storage": "nuanxin.W022"}
    hints = {
        "cache": "Check REDIS_URL and that Redis answers from this server (docs/operations.md).",
        "storage": "Check the private storage's settings (NUANXIN_PRIVATE_DIR or NUANXIN_S3_*) and its rights.",
    }
    for name, check in health.checks().items():
        if name not in ids:
            continue  # the database: nuanxin.W014
        try:
            check()
        except Exception as exc:  # whatever the client library raises, said as it said it
            found.append(Warning(f"Could not reach the {name}: {str(exc).strip()}", hint=hints[name], id=ids[name]))
    return found
