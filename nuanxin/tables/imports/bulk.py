"""Writing many rows fast: PostgreSQL COPY where the database is PostgreSQL, Django's
bulk_create elsewhere (SQLite) and for small batches, with the same result.

Django's bulk_create spends most of its time in Python building and quoting parameters; COPY
streams the rows. Primary keys the caller needs afterwards are taken from the table's
sequence first (one query), so rows have their ids as after bulk_create. History rows are
written as ``bulk_create_with_history`` writes them (type "+", one per record, the acting
user, one time for all); on PostgreSQL the database copies them from the rows just written
(``INSERT … SELECT``), so they cost no Python time.
"""

from __future__ import annotations

import datetime
import json

from django.db import connection
from django.db.models import F
from django.utils import timezone

from nuanxin.tables.imports.timing import phase

COPY_MIN_ROWS = 50  # below this bulk_create is as fast and simpler
BLOCK = 1 << 18  # bytes handed to the COPY stream at a time


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def text(value) -> str:
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
        return json_text(dumps(value))
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, str):
        return str(value).translate(_ESCAPES)
    return str(value)


def json_text(encoded: str) -> str:
    """JSON text (from ``dumps``) in COPY text format: JSON escapes every control character,
    so only its backslashes need doubling."""
    return encoded.replace("\\", "\\\\") if "\\" in encoded else encoded


def copy_lines(table: str, columns: list[str], lines) -> int:
    """COPY ``lines`` (rows already in COPY text format, without their newline) into ``table``,
    handed over in large blocks (psycopg's per-row writer costs more than the database).
    Returns the number of rows."""
    qn = connection.ops.quote_name
    sql = f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        block: list[str] = []
        size = 0
        for line in lines:
            block.append(line)
            size += len(line)
            if size >= BLOCK:
                count += len(block)
                copy.write(("\n".join(block) + "\n").encode())
                block, size = [], 0
        if block:
            count += len(block)
            copy.write(("\n".join(block) + "\n").encode())
    return count


def _copy(table: str, columns: list[str], rows) -> None:
    """COPY ``rows`` (lists of Python values) into ``table``."""
    copy_lines(table, columns, ("\t".join([text(v) for v in row]) for row in rows))


def int_array(values) -> str:
    """A PostgreSQL array literal of integers, passed as one parameter: Django's cursors bind
    parameters on the client, quoting a Python list element by element (slow for thousands)."""
    return "{" + ",".join(str(int(v)) for v in values) + "}"


def among(values: list, cast: str):
    """The right-hand side of ``field__in`` for many values: on PostgreSQL one array parameter
    (Django binds parameters on the client, quoting a list of thousands one by one); ``cast`` is
    "integer" or "text"."""
    if not is_postgres():
        return values
    from django.db.models.expressions import RawSQL

    literal = int_array(values) if cast == "integer" else text_array(values)
    return RawSQL(f"SELECT unnest(%s::{cast}[])", [literal])  # noqa: S611 - the values are a parameter


def text_array(values) -> str:
    """A PostgreSQL array literal of strings, passed as one parameter (see ``int_array``)."""
    return "{" + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "}"


def reserve_ids(model, count: int) -> list[int]:
    """``count`` new primary keys from the table's sequence (PostgreSQL)."""
    if count <= 0:
        return []
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
    if not is_postgres() or len(objs) < COPY_MIN_ROWS:
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
    ids = reserve_ids(model, len(objs)) if with_ids or history else []
    if ids:
        for obj, pk in zip(objs, ids, strict=True):
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = connection.alias
        fields = list(model._meta.concrete_fields)
    attnames = [f.attname for f in fields]
    _copy(model._meta.db_table, [f.column for f in fields], ([getattr(obj, a) for a in attnames] for obj in objs))
    if history:
        history_from_table(model, ids, user=user, when=now)


def insert_rows(model, attnames: list[str], rows: list, *, history: bool = False, user=None) -> list[int]:
    """Insert plain rows (tuples of values in ``attnames`` order) as new records of ``model``;
    the other fields get their defaults, auto_now / auto_now_add fields the time of the call.
    Returns the new primary keys in the order of ``rows``. With ``history`` also the "+"
    history row of each record."""
    if not rows:
        return []
    if not is_postgres() or len(rows) < COPY_MIN_ROWS:
        objs = [model(**dict(zip(attnames, row, strict=True))) for row in rows]
        insert(model, objs, history=history, user=user)
        return [obj.pk for obj in objs]
    now = timezone.now()
    given = set(attnames)
    rest = []
    for f in model._meta.concrete_fields:
        if f.primary_key or f.attname in given:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            rest.append((f.column, now))
        else:
            rest.append((f.column, f.get_default()))
    columns = [model._meta.pk.column, *[model._meta.get_field(a).column for a in attnames], *[c for c, _v in rest]]
    suffix = "".join("\t" + text(v) for _c, v in rest)
    ids = reserve_ids(model, len(rows))
    copy_lines(
        model._meta.db_table,
        columns,
        (f"{pk}\t" + "\t".join([text(v) for v in row]) + suffix for pk, row in zip(ids, rows, strict=True)),
    )
    if history:
        with phase(f"{model._meta.model_name} history"):
            history_from_table(model, ids, user=user, when=now)
    return ids


def history_from_table(
    model, ids: list[int] | None = None, *, ids_from: str = "", user, when, history_type: str = "+"
) -> None:
    """One history row per record of ``ids`` (or of the ids the SQL ``ids_from`` selects) holding
    its values as they are now, written by PostgreSQL from the table itself: what
    ``bulk_create_with_history`` (type "+") or ``bulk_update_with_history`` (type "~") write,
    with one time and user for all."""
    if ids is not None and not ids:
        return
    historical = model.history.model
    if not is_postgres():  # the same rows through the ORM
        values = model._base_manager.filter(pk__in=ids).values(*[f.attname for f in model._meta.concrete_fields])
        historical.objects.bulk_create(
            [
                historical(**v, history_date=when, history_type=history_type, history_change_reason=None,
                           history_user_id=getattr(user, "pk", None))
                for v in values
            ],
            batch_size=500,
        )
        return
    qn = connection.ops.quote_name
    fixed = {
        "history_date": "%(when)s",
        "history_change_reason": "NULL",
        "history_type": "%(type)s",
        "history_user_id": "%(user)s",
    }
    columns, values = [], []
    for f in historical._meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(qn(f.column))
        values.append(fixed[f.attname] if f.attname in fixed else "s." + qn(model._meta.get_field(f.name).column))
    pk = qn(model._meta.pk.column)
    params = {"when": when, "type": history_type, "user": getattr(user, "pk", None)}
    if ids is not None:
        params["ids"] = int_array(ids)
        where = f"s.{pk} = ANY(%(ids)s::bigint[])"
    else:
        where = f"s.{pk} IN ({ids_from})"
    # identifiers from the models' meta, quoted; ``ids_from`` is the caller's SQL, the values are
    # parameters
    sql = (
        f"INSERT INTO {qn(historical._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {', '.join(values)} FROM {qn(model._meta.db_table)} AS s WHERE {where}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def insert_dicts(model, columns: list[str], rows: list[list]) -> None:
    """Insert plain rows (values in ``columns`` order, attnames) without building objects."""
    if not rows:
        return
    fields = [model._meta.get_field(c) for c in columns]
    if not is_postgres():
        model.objects.bulk_create([model(**dict(zip(columns, r, strict=True))) for r in rows], batch_size=1000)
        return
    _copy(model._meta.db_table, [f.column for f in fields], rows)


def update_rows(model, columns: list[str], rows: list[list], *, bump_version: bool = False) -> None:
    """Set ``columns`` of many rows: each row is [pk, value, ...]. On PostgreSQL COPY into a
    temporary table and one UPDATE from it; elsewhere bulk_update. ``bump_version``: also count
    one more ``version`` on each row (F("version") + 1; core/versioning.py)."""
    if not rows:
        return
    fields = [model._meta.get_field(c) for c in columns]
    if not is_postgres() or len(rows) < COPY_MIN_ROWS:
        objs = []
        for r in rows:
            obj = model(pk=r[0])
            for f, v in zip(fields, r[1:], strict=True):
                setattr(obj, f.attname, v)
            if bump_version:
                obj.version = F("version") + 1
            objs.append(obj)
        names = [f.name for f in fields] + (["version"] if bump_version else [])
        model.objects.bulk_update(objs, names, batch_size=1000)
        return
    qn = connection.ops.quote_name
    table = model._meta.db_table
    temp = f"nx_tmp_{table}"
    pk = model._meta.pk.column
    names = ", ".join(qn(f.column) for f in fields)
    sets = ", ".join(f"{qn(f.column)} = t.{qn(f.column)}" for f in fields)
    if bump_version:
        sets += f", {qn('version')} = r.{qn('version')} + 1"
    # identifiers from the model's meta, quoted: no user input in these statements
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {qn(temp)}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {qn(temp)} AS SELECT {qn(pk)}, {names} FROM {qn(table)} WITH NO DATA"  # noqa: S608
        )
    _copy(temp, [pk, *[f.column for f in fields]], rows)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {qn(table)} AS r SET {sets} FROM {qn(temp)} AS t WHERE r.{qn(pk)} = t.{qn(pk)}"  # noqa: S608
        )
        cursor.execute(f"DROP TABLE {qn(temp)}")


def delete_records(model, ids: list[int], *, user, when) -> None:
    """Delete the records ``ids`` of ``model`` and what cascades from them, as
    ``QuerySet.delete()`` does, with a "-" history row for each record of a model with history
    (django-simple-history), by ``user``, in a few set-based statements per model:
    ``QuerySet.delete()`` writes each history row with an INSERT of its own (200,000 of them,
    four minutes, for a 100,000-row batch) and takes its user from the web request only.
    A PROTECT or RESTRICT relation with no row pointing at the chunk stops nothing (a worker
    nobody paid from a fund or nominated); when rows do point at it, and for any other kind of
    relation, the chunk is left to ``QuerySet.delete()``, which refuses or handles it."""
    from django.db.models import CASCADE, DO_NOTHING, PROTECT, RESTRICT, SET_NULL
    from django.db.models.deletion import get_candidate_relations_to_delete
    from django.db.models.expressions import RawSQL

    if not ids:
        return
    relations = [r for r in get_candidate_relations_to_delete(model._meta) if r.on_delete is not DO_NOTHING]
    size = len(ids) if is_postgres() else 500
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        others = [r for r in relations if r.on_delete not in (CASCADE, SET_NULL)]
        if any(
            r.on_delete not in (PROTECT, RESTRICT)
            or r.related_model._base_manager.filter(**{f"{r.field.name}__in": chunk}).exists()
            for r in others
        ):
            model._base_manager.filter(pk__in=chunk).delete()
            continue
        among = RawSQL("SELECT unnest(%s::bigint[])", [int_array(chunk)]) if is_postgres() else chunk
        for rel in relations:
            if rel.on_delete not in (CASCADE, SET_NULL):
                continue  # PROTECT / RESTRICT with nothing pointing here (checked above)
            dependents = rel.related_model._base_manager.filter(**{f"{rel.field.name}__in": among})
            if rel.on_delete is CASCADE:
                delete_records(rel.related_model, list(dependents.values_list("pk", flat=True)), user=user, when=when)
            else:
                dependents.update(**{rel.field.name: None})
        if getattr(model._meta, "simple_history_manager_attribute", None):
            history_from_table(model, chunk, user=user, when=when, history_type="-")
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            # identifiers from the model's meta, quoted; the ids are parameters
            if is_postgres():
                cursor.execute(
                    f"DELETE FROM {qn(model._meta.db_table)} WHERE {qn(model._meta.pk.column)} = ANY(%s::bigint[])",  # noqa: S608
                    [int_array(chunk)],
                )
            else:
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"DELETE FROM {qn(model._meta.db_table)} WHERE {qn(model._meta.pk.column)} IN ({marks})",  # noqa: S608
                    chunk,
                )
