"""The apply's database adapter: every raw SQL statement of the apply. The stored plan read
back with a plain cursor (any database), and the PostgreSQL fast path: the new workers and
family members, with their history rows, written by the database from the stored plan
(``INSERT … SELECT``). The generic bulk writes (COPY or bulk_create, each with its ORM
equivalent) are ``bulk``; the ORM path of ``apply`` is the reference the tests hold this
adapter to."""

from __future__ import annotations

import json
import logging
from collections import Counter

from django.utils import timezone

from nuanxin.registry.choices import TeamType
from nuanxin.registry.import_models import ImportBatch, ImportRow, Outcome
from nuanxin.tables.imports import bulk
from nuanxin.tables.imports.batches import ROW_CHUNK
from nuanxin.tables.imports.timing import phase

log = logging.getLogger(__name__)
APPLY_CHUNK = 5000  # rows of the stored plan read back at a time


def plan_rows(batch: ImportBatch, fields: tuple, outcomes, where: str = ""):
    """The stored plan of ``batch`` in row order, a chunk (a list of tuples of ``fields``, the
    first of which must be "index") at a time; JSON columns decoded; ``where`` an SQL condition
    more. Read with a plain cursor: Django's row objects and converters cost more than the rows
    here."""
    from django.db import connection

    qn = connection.ops.quote_name
    table = ImportRow._meta.db_table
    columns = [ImportRow._meta.get_field(f[:-3] if f.endswith("_id") else f) for f in fields]
    decode = [i for i, f in enumerate(columns) if f.get_internal_type() == "JSONField"]
    outcome_marks = ", ".join(["%s"] * len(outcomes))
    # identifiers from the model's meta, quoted; the values are parameters
    sql = (
        f"SELECT {', '.join(qn(f.column) for f in columns)} FROM {qn(table)} "  # noqa: S608
        f"WHERE {qn('batch_id')} = %s AND {qn('outcome')} IN ({outcome_marks}) AND {qn('index')} > %s "
        f"{'AND (' + where + ') ' if where else ''}ORDER BY {qn('index')} LIMIT {int(APPLY_CHUNK)}"
    )
    loads = json.loads
    last = -1
    while True:
        with phase("load plan"), connection.cursor() as cursor:
            cursor.execute(sql, [batch.pk, *[str(o) for o in outcomes], last])
            chunk = cursor.fetchall()
            if decode:
                for n, values in enumerate(chunk):
                    values = list(values)
                    for i in decode:
                        if isinstance(values[i], str):
                            values[i] = loads(values[i])
                    chunk[n] = values
        if not chunk:
            return
        last = chunk[-1][0]
        yield chunk


# On PostgreSQL the new workers and family members are written by the database itself from the
# stored plan (INSERT ... SELECT), with their history rows: the values are the plan's, the
# derived columns (name_key, pinyin, initials) the ones the dry run computed with the models'
# rules, mobile_tail the mobile's last four digits (Worker.refresh_derived). Python then goes
# through the few rows that do anything else. The generic path (SQLite, or a plan stored before
# the dry run computed the search columns) does all of it in Python; the tests run both.
WORKER_SQL = {
    "organisation_id": "(r.data ->> 'unit_id')::integer",
    "name": "r.data ->> 'name'",
    "name_key": "r.data ->> 'key'",
    "name_pinyin": "r.data ->> 'pinyin'",
    "name_initials": "r.data ->> 'initials'",
    "gender": "COALESCE(r.changes #>> '{worker,gender,1}', r.data ->> 'gender', '')",
    "category": "COALESCE(r.changes #>> '{worker,category,1}', r.data ->> 'category', '')",
    "post_title": "COALESCE(r.changes #>> '{worker,post_title,1}', r.data ->> 'post_title', '')",
    "mobile": "m.mobile",
    "mobile_tail": "right(m.mobile, 4)",
    "team": "COALESCE(r.changes #>> '{worker,team,1}', NULLIF(r.data ->> 'team', ''), %(other_team)s)",
    "contact_name_hint": "COALESCE(r.changes #>> '{worker,contact_name_hint,1}', '')",
    "created_at": "%(now)s",
    "updated_at": "%(now)s",
    "created_by_id": "%(user)s",
}


FAMILY_SQL = {
    "worker_id": "f.worker_id",
    "name": "f.m ->> 'name'",
    "name_key": "f.m ->> 'key'",
    "relation": "f.m ->> 'relation'",
    "mobile": "f.m ->> 'mobile'",
    "is_primary": "(f.m ->> 'is_primary')::boolean",
    "created_at": "%(now)s",
    "updated_at": "%(now)s",
}


# the rows Python still goes through after the database wrote the created records
REST_SQL = (
    "outcome = 'update' OR jsonb_exists_any(changes, ARRAY['assign', 'difficulty', 'deployment', 'family_update'])"
)


def writes_in_database(batch: ImportBatch) -> bool:
    return bulk.is_postgres() and not (
        ImportRow.objects.filter(batch_id=batch.pk, outcome=Outcome.CREATE).exclude(data__has_key="pinyin").exists()
    )


def _select_list(model, mapping: dict, pk_sql: str, params: dict) -> tuple[list[str], list[str]]:
    """(columns, SQL values) for every concrete field of ``model``: the mapped ones, the primary
    key, the others their defaults (as parameters)."""
    from django.db import connection

    qn = connection.ops.quote_name
    columns, values = [], []
    for f in model._meta.concrete_fields:
        columns.append(qn(f.column))
        if f.primary_key:
            values.append(pk_sql)
        elif f.attname in mapping:
            values.append(mapping[f.attname])
        else:
            params[f"default_{f.attname}"] = f.get_default()
            values.append(f"%(default_{f.attname})s")
    return columns, values


def create_in_database(batch: ImportBatch, user) -> Counter:
    """Write the workers the batch creates and every family member it adds, with their history
    rows, and record on each row its worker and what it created: all by PostgreSQL from the
    stored plan."""
    from django.db import connection

    from nuanxin.registry.models import FamilyMember, Worker

    qn = connection.ops.quote_name
    rows_table = qn(ImportRow._meta.db_table)
    now = timezone.now()
    params = {"batch": batch.pk, "now": now, "user": getattr(user, "pk", None), "other_team": TeamType.OTHER.value}
    totals = Counter()
    # identifiers from the models' meta, quoted; every value is a parameter
    with connection.cursor() as cursor:
        with phase("workers"):
            cursor.execute("DROP TABLE IF EXISTS nx_import_created")
            cursor.execute(
                "CREATE TEMPORARY TABLE nx_import_created AS "  # noqa: S608
                f"SELECT s.row_id, s.idx, nextval(pg_get_serial_sequence(%(table)s, %(pk)s)) AS worker_id FROM "
                f"(SELECT id AS row_id, {qn('index')} AS idx FROM {rows_table} "
                f"WHERE batch_id = %(batch)s AND outcome = 'create' ORDER BY {qn('index')}) AS s",
                {**params, "table": Worker._meta.db_table, "pk": Worker._meta.pk.column},
            )
            # every join below probes an index (never a nested loop over a whole table)
            cursor.execute("CREATE UNIQUE INDEX ON nx_import_created (idx)")
            cursor.execute("CREATE UNIQUE INDEX ON nx_import_created (row_id)")
            cursor.execute("ANALYZE nx_import_created")
            columns, values = _select_list(Worker, WORKER_SQL, "c.worker_id", params)
            cursor.execute(
                f"INSERT INTO {qn(Worker._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608
                f"SELECT {', '.join(values)} FROM nx_import_created AS c JOIN {rows_table} AS r ON r.id = c.row_id "
                "CROSS JOIN LATERAL "
                "(SELECT COALESCE(r.changes #>> '{worker,mobile,1}', r.data ->> 'mobile') AS mobile) AS m",
                params,
            )
            totals["workers_created"] = cursor.rowcount
        with phase("worker history"):
            bulk.history_from_table(Worker, ids_from="SELECT worker_id FROM nx_import_created", user=user, when=now)
        with phase("family"):
            cursor.execute("DROP TABLE IF EXISTS nx_import_family")
            cursor.execute(
                "CREATE TEMPORARY TABLE nx_import_family AS "  # noqa: S608
                "SELECT s.row_id, s.idx, s.pos, nextval(pg_get_serial_sequence(%(table)s, %(pk)s)) AS member_id, "
                "s.worker_id, s.m FROM ("
                f"SELECT r.id AS row_id, r.{qn('index')} AS idx, (f.ord - 1)::integer AS pos, "
                "COALESCE(c.worker_id, rc.worker_id, r.worker_id) AS worker_id, f.value AS m "
                f"FROM {rows_table} AS r "
                "LEFT JOIN nx_import_created AS c ON c.row_id = r.id "
                "LEFT JOIN nx_import_created AS rc ON rc.idx = r.ref_index "
                "CROSS JOIN LATERAL jsonb_array_elements(r.changes -> 'family_add') WITH ORDINALITY AS f(value, ord) "
                "WHERE r.batch_id = %(batch)s AND r.outcome IN ('create', 'update') "
                f"AND jsonb_exists(r.changes, 'family_add') ORDER BY r.{qn('index')}, f.ord) AS s",
                {**params, "table": FamilyMember._meta.db_table, "pk": FamilyMember._meta.pk.column},
            )
            cursor.execute("CREATE INDEX ON nx_import_family (idx)")
            cursor.execute("ANALYZE nx_import_family")
            columns, values = _select_list(FamilyMember, FAMILY_SQL, "f.member_id", params)
            cursor.execute(
                f"INSERT INTO {qn(FamilyMember._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608
                f"SELECT {', '.join(values)} FROM nx_import_family AS f",
                params,
            )
            totals["family_created"] = cursor.rowcount
        with phase("familymember history"):
            bulk.history_from_table(
                FamilyMember, ids_from="SELECT member_id FROM nx_import_family", user=user, when=now
            )
        with phase("plan rows"):
            # each row once: the created ones, the others adding family members, the others
            # naming a worker an earlier row created
            cursor.execute("DROP TABLE IF EXISTS nx_import_family_ids")
            cursor.execute(
                "CREATE TEMPORARY TABLE nx_import_family_ids AS SELECT row_id, "
                "jsonb_agg(member_id ORDER BY pos) AS ids FROM nx_import_family GROUP BY row_id"
            )
            cursor.execute("CREATE UNIQUE INDEX ON nx_import_family_ids (row_id)")
            cursor.execute("ANALYZE nx_import_family_ids")
            cursor.execute(
                f"UPDATE {rows_table} AS r SET worker_id = c.worker_id, "  # noqa: S608
                "applied = jsonb_strip_nulls(jsonb_build_object('created', true, 'family', fi.ids)) "
                "FROM nx_import_created AS c LEFT JOIN nx_import_family_ids AS fi ON fi.row_id = c.row_id "
                "WHERE r.id = c.row_id"
            )
            cursor.execute(
                f"UPDATE {rows_table} AS r SET worker_id = COALESCE(rc.worker_id, r.worker_id), "  # noqa: S608
                "applied = r.applied || jsonb_build_object('family', fi.ids) "
                "FROM nx_import_family_ids AS fi LEFT JOIN nx_import_created AS c ON c.row_id = fi.row_id "
                f"LEFT JOIN {rows_table} AS r2 ON r2.id = fi.row_id "
                "LEFT JOIN nx_import_created AS rc ON rc.idx = r2.ref_index "
                "WHERE r.id = fi.row_id AND c.row_id IS NULL"
            )
            cursor.execute(
                f"UPDATE {rows_table} AS r SET worker_id = rc.worker_id FROM nx_import_created AS rc "  # noqa: S608
                "WHERE r.batch_id = %(batch)s AND r.outcome = 'update' AND r.ref_index = rc.idx "
                "AND r.worker_id IS NULL",
                params,
            )
    return totals


def family_created_in_database(pairs: set) -> dict[tuple[int, int], int]:
    """Ids of family members the database added, by (row index, position)."""
    from django.db import connection

    found = {}
    rows = sorted({i for i, _p in pairs})
    with connection.cursor() as cursor:
        for start in range(0, len(rows), ROW_CHUNK):
            cursor.execute(
                "SELECT idx, pos, member_id FROM nx_import_family WHERE idx = ANY(%s::integer[])",
                [bulk.int_array(rows[start : start + ROW_CHUNK])],
            )
            found.update({(i, p): m for i, p, m in cursor.fetchall() if (i, p) in pairs})
    return found


def drop_temporary_tables() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS nx_import_created")
        cursor.execute("DROP TABLE IF EXISTS nx_import_family")
        cursor.execute("DROP TABLE IF EXISTS nx_import_family_ids")
