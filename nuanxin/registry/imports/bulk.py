"""Writing many rows fast: PostgreSQL COPY where the database is PostgreSQL, Django's
bulk_create elsewhere (SQLite), with the same result.

Django's bulk_create spends most of its time in Python building and quoting parameters; COPY
streams the rows. Primary keys the caller needs afterwards are taken from the table's
sequence first (one query), so the objects have their ids as after bulk_create. History rows
are written as ``bulk_create_with_history`` writes them (type "+", one per object, the
acting user, the same time for all).
"""

from __future__ import annotations

import datetime
import json

from django.db import connection
from django.utils import timezone

COPY_MIN_ROWS = 50  # below this bulk_create is as fast and simpler


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    kind = type(value)
    if kind is str:
        return value.translate(_ESCAPES)
    if value is None:
        return "\\N"
    if kind is int:
        return str(value)
    if kind is bool:
        return "t" if value else "f"
    if kind is dict or kind is list:
        return _dumps(value).translate(_ESCAPES)
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, str):
        return str(value).translate(_ESCAPES)
    return str(value)


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _copy(table: str, columns: list[str], rows, chunk_rows: int = 5000) -> None:
    """Stream ``rows`` (lists of Python values) into ``table`` with COPY, formatted here in
    big chunks (psycopg's per-row writer costs more than the database)."""
    qn = connection.ops.quote_name
    sql = f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        lines = []
        for row in rows:
            lines.append("\t".join([_text(v) for v in row]))
            if len(lines) >= chunk_rows:
                copy.write(("\n".join(lines) + "\n").encode())
                lines = []
        if lines:
            copy.write(("\n".join(lines) + "\n").encode())


def _reserve_ids(model, count: int) -> list[int]:
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, count]
        )
        return [row[0] for row in cursor.fetchall()]


def insert(model, objs: list, *, with_ids: bool = True, history: bool = False, user=None) -> None:
    """Insert unsaved ``objs``; afterwards each has its ``pk`` when ``with_ids``. With
    ``history`` also the "+" history row of each (django-simple-history)."""
    if not objs:
        return
    if not _is_postgres() or len(objs) < COPY_MIN_ROWS:
        if history:
            from simple_history.utils import bulk_create_with_history

            bulk_create_with_history(objs, model, batch_size=1000, default_user=user)
        else:
            model.objects.bulk_create(objs, batch_size=1000)
        return
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and not with_ids)]
    auto = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    for obj in objs:
        for f in auto:
            setattr(obj, f.attname, now)
    if with_ids:
        for obj, pk in zip(objs, _reserve_ids(model, len(objs)), strict=True):
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = connection.alias
    attnames = [f.attname for f in fields]

    def rows():
        for obj in objs:
            yield [getattr(obj, a) for a in attnames]

    _copy(model._meta.db_table, [f.column for f in fields], rows())
    if history:
        _history(model, objs, user=user, when=now)


def _history(model, objs: list, *, user, when) -> None:
    historical = model.history.model
    fields = [f for f in historical._meta.concrete_fields if not f.primary_key]
    user_id = getattr(user, "pk", None)
    fixed = {"history_date": when, "history_change_reason": None, "history_type": "+", "history_user_id": user_id}
    getters = []
    for f in fields:
        if f.attname in fixed:
            getters.append((True, fixed[f.attname]))
        else:
            getters.append((False, f.attname))

    def rows():
        for obj in objs:
            yield [value if constant else getattr(obj, value) for constant, value in getters]

    _copy(historical._meta.db_table, [f.column for f in fields], rows())


def insert_dicts(model, columns: list[str], rows: list[list]) -> None:
    """Insert plain rows (values in ``columns`` order, attnames) without building objects."""
    if not rows:
        return
    fields = [model._meta.get_field(c) for c in columns]
    if not _is_postgres():
        model.objects.bulk_create([model(**dict(zip(columns, r, strict=True))) for r in rows], batch_size=1000)
        return
    _copy(model._meta.db_table, [f.column for f in fields], rows)


def update_rows(model, columns: list[str], rows: list[list]) -> None:
    """Set ``columns`` of many rows: each row is [pk, value, ...]. On PostgreSQL through a
    temporary table and one UPDATE; elsewhere through bulk_update."""
    if not rows:
        return
    fields = [model._meta.get_field(c) for c in columns]
    if not _is_postgres() or len(rows) < COPY_MIN_ROWS:
        objs = []
        for r in rows:
            obj = model(pk=r[0])
            for f, v in zip(fields, r[1:], strict=True):
                setattr(obj, f.attname, v)
            objs.append(obj)
        model.objects.bulk_update(objs, [f.name for f in fields], batch_size=1000)
        return
    qn = connection.ops.quote_name
    table = model._meta.db_table
    temp = f"nx_tmp_{table}"
    pk_col = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {qn(temp)}")
        columns = ", ".join(qn(f.column) for f in fields)
        create = f"CREATE TEMPORARY TABLE {qn(temp)} AS SELECT {qn(pk_col)}, {columns} FROM {qn(table)} WITH NO DATA"  # noqa: S608 - quoted identifiers from the model meta
        cursor.execute(create)
    _copy(temp, [pk_col, *[f.column for f in fields]], rows)
    sets = ", ".join(f"{qn(f.column)} = t.{qn(f.column)}" for f in fields)
    with connection.cursor() as cursor:
        # identifiers only, from the model's meta and quoted: no user input in the statement
        cursor.execute(f"UPDATE {qn(table)} AS r SET {sets} FROM {qn(temp)} AS t WHERE r.{qn(pk_col)} = t.{qn(pk_col)}")  # noqa: S608
        cursor.execute(f"DROP TABLE {qn(temp)}")
