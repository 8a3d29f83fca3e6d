"""Writing the audit trail. Service functions call ``record`` inside their transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from nuanxin.core import context
from nuanxin.core.models import AuditLog, AuditOutcome
from nuanxin.core.policy import is_system


def record(
    actor,
    action: str,
    *,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    organisation=None,
    outcome: str = AuditOutcome.SUCCESS,
    detail: dict[str, Any] | None = None,
    actor_name: str | None = None,
) -> AuditLog:
    """Append one audit row. ``actor`` is a user or ``SYSTEM`` (core/policy.py) for the system
    (CLI, scheduler, demo): the row then has no actor and the actor name "system:<channel>"
    (``system:cli``, ``system:job``)."""
    row = _row(actor, action, obj=obj, object_type=object_type, object_id=object_id, object_repr=object_repr,
               organisation=organisation, outcome=outcome, detail=detail, actor_name=actor_name)
    row.save()
    return row


def record_many(
    actor,
    action: str,
    rows: Iterable[tuple[models.Model | None, Any, dict[str, Any] | None]],
    *,
    outcome: str = AuditOutcome.SUCCESS,
) -> list[AuditLog]:
    """Append one audit row per ``(obj, organisation, detail)`` of ``rows`` in one bulk insert:
    the same rows ``record(actor, action, obj=obj, organisation=organisation, detail=detail)``
    writes one by one (importers, bulk services)."""
    built = [
        _row(actor, action, obj=obj, organisation=organisation, outcome=outcome, detail=detail)
        for obj, organisation, detail in rows
    ]
    return AuditLog.objects.bulk_create(built, batch_size=500) if built else []


def record_reads(
    actor,
    action: str,
    shown: Iterable[tuple[Any, Any]],
    *,
    object_type: str,
    key: str,
    page: str,
) -> list[AuditLog]:
    """Audit that a page, API answer or export showed records whose every read is audited
    (sensitive records, full phone numbers): ``shown`` is ``(organisation, id)`` pairs; one
    row per organisation, listing its ids under ``key`` with the ``page`` (none when nothing
    was shown), so that an auditor whose scope is a district sees its own rows. One insert."""
    by_unit: dict[Any, tuple[Any, set[Any]]] = {}
    for unit, pk in shown:
        by_unit.setdefault(unit.pk, (unit, set()))[1].add(pk)
    built = [
        _row(actor, action, object_type=object_type, organisation=unit, detail={"page": page, key: sorted(ids)})
        for _unit_id, (unit, ids) in sorted(by_unit.items(), key=lambda item: item[0])
    ]
    return AuditLog.objects.bulk_create(built) if built else []


def _row(
    actor,
    action: str,
    *,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    organisation=None,
    outcome: str = AuditOutcome.SUCCESS,
    detail: dict[str, Any] | None = None,
    actor_name: str | None = None,
) -> AuditLog:
    ctx = context.current()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
    if is_system(actor) or not getattr(actor, "is_authenticated", False):
        actor = None
    if actor_name is None:
        actor_name = actor.get_username() if actor is not None else f"system:{ctx.channel}"
    return AuditLog(
        actor=actor,
        actor_name=actor_name[:150],
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id != "" else "",
        object_repr=(object_repr or "")[:200],
        organisation=organisation,
        outcome=outcome,
        ip=ctx.ip,
        channel=ctx.channel,
        detail=detail or {},
    )


def text_marker(value: str | None) -> dict:
    """What the audit trail keeps of a free text (notes, addresses, descriptions, reasons):
    its length, never its words. The trail is append-only and exported by auditors, and free
    text may hold health or family details (PIPL art. 28) that must stay erasable."""
    return {"chars": len(value or "")}
