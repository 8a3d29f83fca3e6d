"""Reads of the register.

``identity_match`` is the one rule for "is this the same person?", shared by the forms, the
services and the importer (``nuanxin.tables.imports``)::

    identity_match(organisation, name, mobile, *, exclude=None) -> IdentityMatch

- ``same``: a worker anywhere in the register with the same normalised name
  (``normalise.name_key``) and the same E.164 mobile: the person arriving again is this
  worker, never a second one. ``None`` when there is none or when ``mobile`` is empty (a
  name alone does not prove identity).
- ``likely_duplicates``: the other workers of the same unit (``organisation``) with the same
  name_key (a different mobile, or no mobile on either side): a person must decide.

``name`` and ``mobile`` may be raw (as typed or read from a table) or already normalised;
an invalid mobile raises ``normalise.InvalidValue``. The lookup is not scoped: identity is a
register-wide fact; callers decide what of the match they may show to their user.
For bulk work, ``identity_key(name, mobile)`` gives the (name_key, E.164) pair the rule
compares, so a planner can index many rows at once and apply the same rule.

The search (``search_workers``) and the audited read of sensitive data (``sensitive_for``)
live here too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import BooleanField, F, Func, Q, QuerySet, Value
from django.utils.translation import gettext as _

from nuanxin.core import audit
from nuanxin.orgs import scope
from nuanxin.registry import normalise
from nuanxin.registry.models import Worker, WorkerSensitive

_LATIN = re.compile(r"^[a-z]+$")
_DIGITS = re.compile(r"^\d+$")
_E164 = re.compile(r"^\+\d{6,15}$")


@dataclass(frozen=True)
class IdentityMatch:
    """What the register already holds for a (unit, name, mobile)."""

    same: Worker | None = None
    likely_duplicates: list[Worker] = field(default_factory=list)

    @property
    def is_new(self) -> bool:
        return self.same is None and not self.likely_duplicates


def identity_key(name, mobile) -> tuple[str, str]:
    """(name_key, E.164 mobile or "") — the pair two rows must share to be one person."""
    e164 = mobile if isinstance(mobile, str) and _E164.match(mobile) else normalise.phone(mobile)
    return normalise.name_key(name), e164


def identity_match(organisation, name, mobile, *, exclude: Worker | int | None = None) -> IdentityMatch:
    """Find "the same person" (same name_key and same E.164 mobile, anywhere in the register)
    and "likely duplicates" (same name_key, same unit, different mobile). ``exclude`` leaves
    out one worker (the one being edited)."""
    key, e164 = identity_key(name, mobile)
    if not key:
        return IdentityMatch()
    qs = Worker.objects.filter(name_key=key).select_related("organisation").order_by("id")
    if exclude is not None:
        qs = qs.exclude(pk=getattr(exclude, "pk", exclude))
    candidates = list(
        qs.filter(Q(mobile=e164) | Q(organisation=organisation)) if e164 else qs.filter(organisation=organisation)
    )
    same = next((w for w in candidates if e164 and w.mobile == e164), None)
    duplicates = [
        w for w in candidates if w.organisation_id == getattr(organisation, "pk", organisation) and w is not same
    ]
    return IdentityMatch(same=same, likely_duplicates=duplicates)


def search_workers(qs: QuerySet, q: str) -> QuerySet:
    """Narrow ``qs`` by what a user types: part of the name (张三, 张), full pinyin (zhangsan,
    zhang), initials as a prefix (zs), the last four digits of the mobile (5678) or a longer run
    of its digits."""
    q = normalise.text(q)
    if not q:
        return qs
    compact = re.sub(r"[\s\-]", "", q).lower()
    if _DIGITS.match(compact):
        if len(compact) <= 4:
            return qs.filter(mobile_tail__endswith=compact) if len(compact) < 4 else qs.filter(mobile_tail=compact)
        return qs.filter(mobile__contains=compact.lstrip("0") if compact.startswith("0") else compact)
    if _LATIN.match(compact):
        return qs.filter(
            Q(name_pinyin__contains=compact) | Q(name_initials__startswith=compact) | Q(name_key__contains=compact)
        )
    key = normalise.name_key(q)
    qs = qs.filter(name_key__contains=key)
    if 0 < len(key) <= 2 and connections[qs.db].vendor == "postgresql":
        qs = qs.filter(_has_gram(key))  # the same rows, read from an index (registry migration 0010)
    return qs


def _has_gram(key: str) -> Func:
    """``registry_name_grams(name_key) @> ARRAY[key]``: the name holds ``key`` (one or two
    characters), answered by the GIN index of registry migration 0010 on PostgreSQL."""
    grams = Func(F("name_key"), function="registry_name_grams")
    wanted = Func(Value(key), template="ARRAY[%(expressions)s]::text[]")
    return Func(grams, wanted, template="(%(expressions)s)", arg_joiner=" @> ", output_field=BooleanField())


def sensitive_for(actor, worker: Worker) -> WorkerSensitive | None:
    """The worker's sensitive data for a user whom ``Worker.policy`` allows "sensitive" over
    the worker's unit (``None`` when nothing is recorded yet). Every read writes
    ``worker.sensitive_read``; anyone else gets ``NotAllowed``."""
    Worker.policy.require(actor, "sensitive", worker, _("You may not see this worker's sensitive data."))
    row = WorkerSensitive.objects.filter(worker=worker).first()
    audit.record(
        actor,
        "worker.sensitive_read",
        obj=worker,
        organisation=worker.organisation,
        detail={"exists": row is not None},
    )
    return row


def register_organisations(user, action: str = "view"):
    """The organisations whose register ``user`` may see (or, with ``action="change"``, change):
    those covered by their grants for ``Worker.policy``'s roles of ``action``, in tree order."""
    from nuanxin.orgs.models import Organisation

    q = scope.scope_q(user, Worker.policy.roles(action), "path")
    if q is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(q).order_by("path")


def shallowest_depth(user, action: str = "view") -> int:
    """The tree depth of the shallowest organisation ``register_organisations`` offers ``user``
    (read from their grants, no query): pickers indent the others below it."""
    from nuanxin.orgs.models import Organisation

    paths = scope.scope_paths(user, Worker.policy.roles(action))
    return min((len(path) // Organisation.steplen for path in paths), default=1)


def visible_workers(user):
    """Every worker ``user`` may see, with the unit joined (the base of lists and exports)."""
    return Worker.objects.for_user(user).select_related("organisation")


def tables_sent(paths_under: str, since, until=None) -> dict:
    """The official tables as a reporting duty (``reports``): organisation id -> when its first
    import of the tables was applied at or after ``since`` (aware; and before ``until`` when given),
    for every organisation whose path starts with ``paths_under`` (one query, no scoping: the
    reports read on the organisations' behalf). An applied batch counts; an undone one does not."""
    from django.db.models import Min

    from nuanxin.registry.import_models import BatchStatus, ImportBatch

    rows = ImportBatch.objects.filter(
        organisation__path__startswith=paths_under, status=BatchStatus.APPLIED, applied_at__gte=since
    )
    if until is not None:
        rows = rows.filter(applied_at__lt=until)
    first = rows.order_by().values("organisation_id").annotate(first=Min("applied_at"))
    return {r["organisation_id"]: r["first"] for r in first}
