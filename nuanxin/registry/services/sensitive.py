"""Sensitive data (PIPL art. 28) and the audited reveal of a full mobile number."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from nuanxin.core import audit, versioning
from nuanxin.core.errors import ServiceError
from nuanxin.registry import normalise
from nuanxin.registry.choices import (
    MaternityStatus,
)
from nuanxin.registry.models import Deployment, FamilyMember, Worker, WorkerSensitive
from nuanxin.registry.services.checks import _choice, _notes, _user

# --- sensitive data and mobiles ------------------------------------------------------------


@transaction.atomic
def update_sensitive(*, actor, worker: Worker, version: int | None = None, **values) -> WorkerSensitive:
    """Record or change a worker's sensitive data (ID-card number checked with its checksum,
    pregnancy/lactation, health, children under 14). Only holders of ``Worker.policy``'s
    "sensitive" action over the worker's unit may; the audit row
    names the changed fields, never their values. ``version``: the version the edit started
    from (1 when there was no row yet; ``Conflict`` if it was changed since)."""
    worker = Worker.objects.select_related("organisation").get(pk=worker.pk)
    Worker.policy.require(actor, "sensitive", worker, _("You may not change this worker's sensitive data."))
    cleaned: dict[str, Any] = {}
    for field, value in values.items():
        if field == "id_number":
            try:
                cleaned[field] = normalise.id_number(value)
            except normalise.InvalidValue as exc:
                raise ServiceError(exc.message, field=field) from None
        elif field == "maternity":
            cleaned[field] = _choice(value, MaternityStatus, {"孕期": "pregnant", "哺乳期": "lactating"}, field)
        elif field == "health_notes":
            cleaned[field] = _notes(value, field)
        elif field == "children_under_14":
            if value in (None, ""):
                cleaned[field] = None
            else:
                try:
                    number = int(value)
                except (TypeError, ValueError):
                    number = -1
                if not 0 <= number <= 20:
                    raise ServiceError(_("Enter a whole number from 0 to 20."), field=field)
                cleaned[field] = number
        else:
            raise ServiceError(_("Unknown field “%(field)s”.") % {"field": field})
    row, created = WorkerSensitive.objects.select_for_update().get_or_create(worker=worker)
    versioning.check_version(row, version)
    changed = sorted(f for f, v in cleaned.items() if getattr(row, f) != v)
    for field in changed:
        setattr(row, field, cleaned[field])
    if changed or created:
        if changed:
            versioning.bump(row)
        row._history_user = _user(actor)
        row.save()
        audit.record(
            actor, "worker.sensitive_update", obj=worker, organisation=worker.organisation, detail={"fields": changed}
        )
    return row


@transaction.atomic
def reveal_mobile(*, actor, target: Worker | FamilyMember | Deployment, purpose: str = "show") -> str:
    """The full mobile of a worker, a family member or a deployment, for a user who may see the
    worker; every reveal writes ``worker.mobile_reveal`` (``purpose``: ``show`` for the button
    and the API, ``edit`` for an edit form showing the number). Returns the national form."""
    if isinstance(target, Worker):
        worker, number, whose = target, target.mobile, "worker"
    elif isinstance(target, FamilyMember):
        worker, number, whose = target.worker, target.mobile, "family"
    elif isinstance(target, Deployment):
        worker, number, whose = target.worker, target.deployed_mobile, "deployment"
    else:  # pragma: no cover - a programming error
        raise TypeError(target)
    Worker.policy.require(actor, "view", worker, _("You may not see this worker."))
    audit.record(
        actor,
        "worker.mobile_reveal",
        obj=worker,
        organisation=worker.organisation,
        detail={"whose": whose, "id": target.pk, "mobile": normalise.mask(number), "purpose": purpose},
    )
    return normalise.national(number)
