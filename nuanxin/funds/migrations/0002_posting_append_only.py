"""Database triggers that refuse UPDATE (and, on PostgreSQL, DELETE) of ledger postings: not
even raw SQL through the application's connection can rewrite the ledger. A mistake is
corrected by a reversing entry.

SQLite gets no DELETE trigger: Django's test runner empties tables with DELETE there, while
PostgreSQL empties them with TRUNCATE, which row triggers do not see."""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION nuanxin_funds_posting_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'funds_posting is append-only: correct a mistake with a reversing entry';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER funds_posting_no_update BEFORE UPDATE OR DELETE ON funds_posting
    FOR EACH ROW EXECUTE FUNCTION nuanxin_funds_posting_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS funds_posting_no_update ON funds_posting;
DROP FUNCTION IF EXISTS nuanxin_funds_posting_append_only();
"""
SQLITE_FORWARD = """
CREATE TRIGGER funds_posting_no_update BEFORE UPDATE ON funds_posting
BEGIN SELECT RAISE(ABORT, 'funds_posting is append-only: correct a mistake with a reversing entry'); END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS funds_posting_no_update;"


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
    dependencies = [("funds", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
