"""Database triggers that refuse UPDATE (and, on PostgreSQL, DELETE) of audit rows, so that
not even raw SQL through the application's connection can rewrite history.

SQLite gets no DELETE trigger: Django's test runner empties tables with DELETE there, while
PostgreSQL empties them with TRUNCATE, which row triggers do not see."""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION nuanxin_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_auditlog is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditlog_no_update BEFORE UPDATE OR DELETE ON core_auditlog
    FOR EACH ROW EXECUTE FUNCTION nuanxin_audit_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS core_auditlog_no_update ON core_auditlog;
DROP FUNCTION IF EXISTS nuanxin_audit_append_only();
"""
SQLITE_FORWARD = """
CREATE TRIGGER core_auditlog_no_update BEFORE UPDATE ON core_auditlog
BEGIN SELECT RAISE(ABORT, 'core_auditlog is append-only'); END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS core_auditlog_no_update;"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
