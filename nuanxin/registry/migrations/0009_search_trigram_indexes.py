"""The register's search by part of a name, of its pinyin or of a mobile number
(``selectors.search_workers``: ``name_key``, ``name_pinyin`` and ``mobile`` with ``contains``, i.e.
``LIKE '%…%'``) read from trigram indexes on PostgreSQL instead of the whole worker table:
the ``pg_trgm`` extension and a GIN index (``gin_trgm_ops``) per column. A search of fewer
than three characters has no trigram and is still read in full (two Chinese characters, e.g.
张伟; three and more, or pinyin, use the index).

SQLite has neither and keeps its plain scan: the indexes are created only on PostgreSQL, and
are not declared in ``Worker.Meta`` (Django's state knows nothing of them, so
``makemigrations`` stays clean on both)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

COLUMNS = {
    "registry_worker_name_trgm": "name_key",
    "registry_worker_pinyin_trgm": "name_pinyin",
    "registry_worker_mobile_trgm": "mobile",
}


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in COLUMNS.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON registry_worker USING gin ({column} gin_trgm_ops)")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0008_importbatch_upload_as_attachment")]

    # CREATE EXTENSION IF NOT EXISTS pg_trgm; a no-op on other databases.
    operations = [TrigramExtension(), migrations.RunPython(forward, backward)]
