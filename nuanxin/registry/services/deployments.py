"""Deployments (派出): saved and removed."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from nuanxin.core import audit, versioning
from nuanxin.core.errors import ServiceError
from nuanxin.registry import normalise
from nuanxin.registry.choices import (
    CARRIER_ALIASES,
    Carrier,
)
from nuanxin.registry.models import Deployment, Worker
from nuanxin.registry.services.checks import (
    DEPLOYMENT_FIELDS,
    _choice,
    _date,
    _notes,
    _phone,
    _require_change,
    _shown,
    _text,
    _user,
)

# --- deployments ---------------------------------------------------------------------------


def _clean_deployment(values: dict) -> dict:
    cleaned: dict[str, Any] = {}
    for field, value in values.items():
        if field in ("batch",):
            cleaned[field] = _text(value, field, 50)
        elif field == "destination":
            cleaned[field] = _text(value, field, 100)
        elif field in ("departed_on", "returned_on"):
            cleaned[field] = _date(value, field)
        elif field == "deployed_mobile":
            cleaned[field] = _phone(value, field)
        elif field == "carrier":
            cleaned[field] = _choice(value, Carrier, CARRIER_ALIASES, field) if value is not None else None
        elif field == "notes":
            cleaned[field] = _notes(value)
        else:
            raise ServiceError(_("Unknown field “%(field)s”.") % {"field": field})
    return cleaned


@transaction.atomic
def save_deployment(
    *, actor, worker: Worker, deployment: Deployment | None = None, version: int | None = None, **values
) -> Deployment:
    """Create a deployment of ``worker`` (or change ``deployment``, from ``version``:
    ``Conflict`` if it was changed since). Without a carrier, the carrier is suggested from the
    deployed mobile's number segment; a given one wins."""
    worker = Worker.objects.select_related("organisation").get(pk=worker.pk)
    _require_change(actor, worker)
    if deployment is not None:
        deployment = Deployment.objects.select_for_update().get(pk=deployment.pk)
        if deployment.worker_id != worker.pk:
            raise ServiceError(_("This deployment belongs to another worker."))
        versioning.check_version(deployment, version)
    cleaned = _clean_deployment(values)
    target = deployment or Deployment(worker=worker)
    before = {f: getattr(target, f) for f in DEPLOYMENT_FIELDS}
    for field, value in cleaned.items():
        if field != "carrier":
            setattr(target, field, value)
    carrier = cleaned.get("carrier")
    if carrier is None and "carrier" not in cleaned and target.deployed_mobile == before["deployed_mobile"]:
        carrier = target.carrier  # not given, number unchanged: keep what was chosen
    if not carrier:
        carrier = normalise.suggest_carrier(target.deployed_mobile)
    target.carrier = carrier
    if target.departed_on and target.returned_on and target.returned_on < target.departed_on:
        raise ServiceError(_("The return date cannot be before the departure."), field="returned_on")
    created = deployment is None
    diff = {
        f: [None if created else _shown(f, before[f]), _shown(f, getattr(target, f))]
        for f in DEPLOYMENT_FIELDS
        if (created and getattr(target, f)) or (not created and before[f] != getattr(target, f))
    }
    if not created and not diff:
        return target
    if not created:
        versioning.bump(target)
    target._history_user = _user(actor)
    target.save()
    audit.record(
        actor,
        "deployment.create" if created else "deployment.update",
        obj=target,
        organisation=worker.organisation,
        detail={"worker": worker.pk, "changes": diff},
    )
    return target


@transaction.atomic
def remove_deployment(*, actor, deployment: Deployment) -> None:
    """Remove a deployment recorded by mistake."""
    deployment = Deployment.objects.select_related("worker__organisation").get(pk=deployment.pk)
    organisation = deployment.worker.organisation
    _require_change(actor, deployment)
    audit.record(
        actor,
        "deployment.remove",
        obj=deployment,
        organisation=organisation,
        detail={"worker": deployment.worker_id, "batch": deployment.batch},
    )
    deployment._history_user = _user(actor)
    deployment.delete()


