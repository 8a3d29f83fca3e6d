"""Rows a test fixture builds through the services, built once per test run and put back by
``INSERT`` in every test that asks for them.

``build_personas()`` makes seven organisations, a group and eight users through the services
(audit rows, history rows, grants, the tree's paths): about 230 queries, 0.15-0.4 s, in more than
two thousand tests of each database's run. ``capture(build)`` runs the builder once, in a
transaction it rolls back, with the clock stopped; it keeps every row the builder inserted and
what it returned. ``Snapshot.restore()`` inserts the same rows (about 20 ms) and returns the same
objects, read back from the database, when the tables it writes are as they were when it was
captured (their row counts); otherwise it says so and the caller builds through the services.

What restoring keeps exact:
- every column of every inserted row, primary keys included (so a test sees the same ids in
  every run, as it did on SQLite already), across the concrete models, history and many-to-many
  tables;
- times: the rows were built at one stopped instant; each date-time is moved by the time between
  then and now, each date by the days between (a test that travels to 2020 gets personas made
  in 2020, as the services would have made them);
- content types by their natural key (a transactional test's flush makes them anew, with new ids
  on PostgreSQL);
- PostgreSQL's sequences: set past the inserted ids (a ``reset_sequences`` test starts them at 1).

A capture that changed or deleted an existing row, sent an e-mail or touched a table without an
integer key is refused (``SnapshotRefused``): such a builder must stay on the services. Tables
that database triggers keep (``MAINTAINED_BY_TRIGGERS``) are not restored: the triggers fill them
again from the rows restored.

``built_once(build)`` is the same for a builder whose rows a test keeps (the whole demo, built at
a test's stopped clock): the first call builds and keeps the snapshot, the next ones at the same
instant on the same database put the rows back.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import time_machine
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.management.color import no_style
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

# care.WeekTotal: kept by triggers on care_visitduty (care migration 0009).
MAINTAINED_BY_TRIGGERS = {"care_weektotal"}


class SnapshotRefused(Exception):
    """The builder did something a snapshot cannot replay."""


class TablesChanged(Exception):
    """The tables the snapshot writes are not as it found them: build through the services."""


class _Rollback(Exception):
    pass


@dataclasses.dataclass
class _Table:
    model: type[models.Model]
    fields: list[models.Field]
    rows: list[list[Any]]


def _concrete_models() -> list[type[models.Model]]:
    """One model per table: concrete, managed, including many-to-many tables."""
    seen: set[str] = set()
    found = []
    for model in apps.get_models(include_auto_created=True):
        opts = model._meta
        if opts.proxy or not opts.managed or opts.db_table in seen | MAINTAINED_BY_TRIGGERS:
            continue
        seen.add(opts.db_table)
        found.append(model)
    return found


def _dump(model: type[models.Model]) -> dict[Any, tuple]:
    fields = model._meta.local_concrete_fields
    names = [f.attname for f in fields]
    pk = model._meta.pk.attname
    return {row[names.index(pk)]: row for row in model._base_manager.values_list(*names)}


def _refs(value: Any) -> Any:
    """What the builder returned, with each model instance replaced by (model, pk)."""
    if value is None:
        return ("none", None, None)
    if isinstance(value, SimpleNamespace):
        return ("namespace", SimpleNamespace, {name: _refs(sub) for name, sub in vars(value).items()})
    if isinstance(value, models.Model):
        return ("model", type(value), value.pk)
    if isinstance(value, tuple | list):
        return ("sequence", type(value), [_refs(sub) for sub in value])
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return ("dict", dict, {k: _refs(sub) for k, sub in value.items()})
    if isinstance(value, str | int | float | Decimal) or value is True or value is False:
        return ("value", None, value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return ("dataclass", type(value), {f.name: _refs(getattr(value, f.name)) for f in dataclasses.fields(value)})
    raise SnapshotRefused(f"cannot snapshot a returned {type(value).__name__}")


def _insert(cursor, tables: list[_Table], prepare: Callable[[_Table, list[Any]], list[Any]]) -> None:
    """Insert each table's rows as ``prepare(table, row)`` gives them, one statement a table."""
    quote = connection.ops.quote_name
    for table in tables:
        columns = ", ".join(quote(f.column) for f in table.fields)
        marks = ", ".join(["%s"] * len(table.fields))
        cursor.executemany(
            f"INSERT INTO {quote(table.model._meta.db_table)} ({columns}) VALUES ({marks})",
            [prepare(table, row) for row in table.rows],
        )


@dataclasses.dataclass
class Snapshot:
    database: str
    at: dt.datetime  # the stopped instant the rows were built at
    tables: list[_Table]
    counts: dict[type[models.Model], int]  # each written table's rows before the build
    content_types: dict[int, tuple[str, str]]  # captured id -> (app_label, model)
    result: Any

    def usable(self) -> bool:
        """This database, and the written tables as they were before the capture's build."""
        if connection.settings_dict["NAME"] != self.database:
            return False
        quote = connection.ops.quote_name
        sql = " UNION ALL ".join(
            f"SELECT {i}, COUNT(*) FROM {quote(model._meta.db_table)}" for i, model in enumerate(self.counts)
        )
        with connection.cursor() as cursor:
            cursor.execute(sql)
            found = dict(cursor.fetchall())
        return all(found[i] == count for i, count in enumerate(self.counts.values()))

    def restore(self) -> Any:
        """Insert the rows and return the builder's result read back; ``TablesChanged`` when the
        tables are not as they were (the caller then builds through the services)."""
        if not self.usable():
            raise TablesChanged
        now = timezone.now()
        shift = now - self.at
        days = timezone.localdate(now) - timezone.localdate(self.at)
        content_type_ids = {
            old: ContentType.objects.get_by_natural_key(*key).pk for old, key in self.content_types.items()
        }
        with transaction.atomic(), connection.cursor() as cursor:
            _insert(cursor, self.tables, lambda table, row: self._row(table, row, shift, days, content_type_ids))
            if connection.vendor == "postgresql":
                statements = connection.ops.sequence_reset_sql(no_style(), [t.model for t in self.tables])
                try:
                    with transaction.atomic():
                        cursor.execute("; ".join(statements))
                except DatabaseError as error:
                    # A role that may not set sequences (the application role's test): they are
                    # past the ids already, unless a test reset them (which such a role cannot).
                    if getattr(error.__cause__, "sqlstate", None) != "42501":  # insufficient_privilege
                        raise
        return self._read(self.result)

    @staticmethod
    def _row(table: _Table, row: list[Any], shift, days, content_type_ids) -> list[Any]:
        values = []
        for field, value in zip(table.fields, row, strict=True):
            if value is not None:
                if isinstance(field, models.DateTimeField):
                    value = value + shift
                elif isinstance(field, models.DateField):
                    value = value + days
                elif field.is_relation and field.related_model is ContentType:
                    value = content_type_ids[value]
            values.append(field.get_db_prep_save(value, connection))
        return values

    def _read(self, ref: Any) -> Any:
        kind, cls, value = ref
        if kind == "none":
            return None
        if kind == "model":
            return cls._base_manager.get(pk=value)
        if kind == "value":
            return value
        if kind == "sequence":
            return cls(self._read(sub) for sub in value)
        if kind == "dict":
            return {k: self._read(sub) for k, sub in value.items()}
        if kind == "namespace":
            return SimpleNamespace(**{name: self._read(sub) for name, sub in value.items()})
        return cls(**{name: self._read(sub) for name, sub in value.items()})


def capture(build, *, keep: bool = False) -> Snapshot:
    """Run ``build()`` once with the clock stopped, in a transaction rolled back afterwards
    (``keep``: left in place), and keep what it inserted."""
    at = timezone.now()
    everything = _concrete_models()
    outbox = len(getattr(mail, "outbox", []))
    snapshot: Snapshot | None = None
    try:
        with transaction.atomic():
            before = {model: _dump(model) for model in everything}
            with time_machine.travel(at, tick=False):
                result = build()
            tables, counts, used_types = [], {}, set()
            for model in everything:
                after = _dump(model)
                old = before[model]
                if any(pk not in after or after[pk] != row for pk, row in old.items()):
                    raise SnapshotRefused(f"{model._meta.db_table}: existing rows changed or deleted")
                new = [list(row) for pk, row in sorted(after.items()) if pk not in old]
                if not new:
                    continue
                if not isinstance(model._meta.pk, models.AutoField | models.BigAutoField | models.SmallAutoField):
                    if not isinstance(model._meta.pk, models.OneToOneField):
                        raise SnapshotRefused(f"{model._meta.db_table}: no integer key")
                fields = list(model._meta.local_concrete_fields)
                for i, field in enumerate(fields):
                    if field.is_relation and field.related_model is ContentType:
                        used_types.update(row[i] for row in new if row[i] is not None)
                tables.append(_Table(model, fields, new))
                counts[model] = len(old)
            if len(getattr(mail, "outbox", [])) != outbox:
                raise SnapshotRefused("the builder sent e-mail")
            content_types = {ct.pk: ct.natural_key() for ct in ContentType.objects.filter(pk__in=used_types)}
            snapshot = Snapshot(
                database=connection.settings_dict["NAME"],
                at=at,
                tables=tables,
                counts=counts,
                content_types=content_types,
                result=_refs(result),
            )
            if not keep:
                raise _Rollback
    except _Rollback:
        pass
    assert snapshot is not None
    return snapshot


_BUILT: dict[tuple[str, str, dt.datetime], Snapshot | None] = {}


def built_once(build, **kwargs) -> None:
    """``build()`` with its rows kept, from this run's snapshot when the same builder already
    ran at this instant on this database and the tables are as they were then; otherwise
    through the builder (and, the first time, taken as the snapshot). ``kwargs`` go to the
    builder and must not change what it builds (``out=``, where it reports)."""
    key = (connection.settings_dict["NAME"], f"{build.__module__}.{build.__qualname__}", timezone.now())
    if key not in _BUILT:
        try:
            _BUILT[key] = capture(lambda: build(**kwargs), keep=True)
            return
        except SnapshotRefused:
            _BUILT[key] = None
    snapshot = _BUILT[key]
    if snapshot is not None:
        try:
            snapshot.restore()
            return
        except TablesChanged:
            pass
    build(**kwargs)


_ONCE: dict[tuple[str, str, str], Snapshot | None] = {}


def once(build, *args):
    """``build(*args)`` (a fixture's world on top of the personas) through the builder the first
    time in a run, and from its snapshot afterwards, with times moved to the test's clock as the
    personas' are. ``args`` are model instances or dataclasses of them (the personas): they are
    part of the key, so a world built on other rows is built again."""
    try:
        key = (connection.settings_dict["NAME"], f"{build.__module__}.{build.__qualname__}", repr(_refs(args)))
    except SnapshotRefused:
        return build(*args)
    if key not in _ONCE:
        try:
            snapshot = _ONCE[key] = capture(lambda: build(*args), keep=True)
            return snapshot._read(snapshot.result)
        except SnapshotRefused:
            _ONCE[key] = None
    snapshot = _ONCE[key]
    if snapshot is not None:
        try:
            return snapshot.restore()
        except TablesChanged:
            pass
    return build(*args)


# Filled again by the post_migrate signal after a flush (with their own ids).
KEPT_BY_POST_MIGRATE = {"django_content_type", "auth_permission"}


def rows_now() -> list[_Table]:
    """Every row of every table but those post_migrate fills: the test database as its migrations
    left it (the honours' award types, ...), read once before any test."""
    tables = []
    for model in _concrete_models():
        if model._meta.db_table in KEPT_BY_POST_MIGRATE:
            continue
        fields = list(model._meta.local_concrete_fields)
        if any(f.is_relation and f.related_model is ContentType for f in fields):
            continue  # none of the migrations' rows names a content type
        rows = [list(row) for row in model._base_manager.values_list(*[f.attname for f in fields])]
        if rows:
            tables.append(_Table(model, fields, rows))
    return tables


def put_back(tables: list[_Table]) -> None:
    """Insert ``rows_now()``'s rows as they were (after a transactional test emptied every table)."""
    with transaction.atomic(), connection.cursor() as cursor:
        _insert(
            cursor, tables,
            lambda table, row: [f.get_db_prep_save(v, connection) for f, v in zip(table.fields, row, strict=True)],
        )
