"""A search by one or two characters of a name (张, 张伟: most Chinese given names are one or
two characters) has no trigram for ``pg_trgm`` (migration 0009), so PostgreSQL read the whole
worker table for it. This adds, on PostgreSQL only, an immutable function giving the distinct
characters and character pairs of a name key (``registry_name_grams('张伟明')`` =
``{伟, 伟明, 张, 张伟, 明}``) and a GIN index on it; ``selectors.search_workers`` asks it
(``@> ARRAY['张伟']``) beside the same ``contains`` test, so the results are unchanged.
SQLite has neither and keeps its plain scan."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION registry_name_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT g), '{}') FROM (
        SELECT substr(t, i, 1) AS g FROM generate_series(1, length(t)) AS i
        UNION SELECT substr(t, i, 2) FROM generate_series(1, length(t) - 1) AS i
    ) AS grams
$$
"""
INDEX = (
    "CREATE INDEX IF NOT EXISTS registry_worker_name_grams ON registry_worker USING gin (registry_name_grams(name_key))"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute(INDEX)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS registry_worker_name_grams")
    schema_editor.execute("DROP FUNCTION IF EXISTS registry_name_grams(text)")


class Migration(migrations.Migration):
    dependencies = [("registry", "0009_search_trigram_indexes")]

    operations = [migrations.RunPython(forward, backward)]
