"""Workers: created, updated, their status set."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from nuanxin.core import audit, versioning
from nuanxin.core.errors import ServiceError
from nuanxin.registry import hooks
from nuanxin.registry.choices import (
    WorkerStatus,
)
from nuanxin.registry.duplicates import screen_identity
from nuanxin.registry.models import Worker
from nuanxin.registry.services.checks import (
    WORKER_FIELDS,
    _apply,
    _check_identity,
    _choice,
    _clean_worker_field,
    _raise_refusal,
    _require_change,
    _require_change_in,
    _user,
)

# --- workers -------------------------------------------------------------------------------


def create_worker(
    *,
    actor,
    organisation,
    name: str,
    team: str,
    gender: str = "",
    category: str = "",
    post_title: str = "",
    mobile: str = "",
    status: str = WorkerStatus.ON_DUTY,
    contact_name_hint: str = "",
    notes: str = "",
    allow_duplicate: bool = False,
) -> Worker:
    """Add a worker to the register of ``organisation`` (their unit).

    Refuses the same person twice (same name and mobile anywhere in the register; a person
    registered outside the actor's scope is a counted, limited hit: ``duplicates.screen_identity``) and,
    unless ``allow_duplicate``, a second worker of the same name in the same unit."""
    given = {
        "organisation": organisation,
        "name": name,
        "gender": gender,
        "category": category,
        "post_title": post_title,
        "mobile": mobile,
        "team": team,
        "status": status,
        "contact_name_hint": contact_name_hint,
        "notes": notes,
    }
    return _raise_refusal(_create_worker(actor, given, allow_duplicate=allow_duplicate))


@transaction.atomic
def _create_worker(actor, given: dict, *, allow_duplicate: bool) -> Worker | ServiceError:
    cleaned = {field: _clean_worker_field(field, value) for field, value in given.items()}
    _require_change_in(actor, cleaned["organisation"])
    refusal = screen_identity(actor, cleaned["organisation"], cleaned["name"], cleaned["mobile"])
    if refusal is not None:
        return refusal
    _check_identity(
        cleaned["organisation"], cleaned["name"], cleaned["mobile"], actor=actor, allow_duplicate=allow_duplicate
    )
    worker = Worker(**cleaned, created_by=_user(actor))
    worker.refresh_derived()
    worker._history_user = _user(actor)
    worker.save()
    audit.record(
        actor,
        "worker.create",
        obj=worker,
        organisation=worker.organisation,
        detail={"team": worker.team, "mobile": worker.mobile_masked, "unit": worker.organisation.code},
    )
    hooks.worker_saved.fire(actor=actor, worker=worker, created=True, changed=frozenset(cleaned))
    return worker


def update_worker(
    *, actor, worker: Worker, allow_duplicate: bool = False, version: int | None = None, **changes
) -> Worker:
    """Change some fields of a worker (any of ``WORKER_FIELDS``). Moving the worker to another
    unit needs change rights on both units. The audit row lists each changed field old → new,
    mobiles masked. ``version``: the version the edit started from (``Conflict`` if the worker
    was changed since; see core/versioning.py). A new name, mobile or unit is checked against
    the whole register like a new worker (``create_worker``)."""
    return _raise_refusal(
        _update_worker(actor=actor, worker=worker, allow_duplicate=allow_duplicate, version=version, **changes)
    )


@transaction.atomic
def _update_worker(
    *, actor, worker: Worker, allow_duplicate: bool, version: int | None, **changes
) -> Worker | ServiceError:
    unknown = set(changes) - set(WORKER_FIELDS)
    if unknown:
        raise ServiceError(_("Unknown field “%(field)s”.") % {"field": sorted(unknown)[0]})
    worker = Worker.objects.select_for_update().select_related("organisation").get(pk=worker.pk)
    _require_change(actor, worker)
    versioning.check_version(worker, version)
    previous_unit = worker.organisation
    cleaned = {field: _clean_worker_field(field, value) for field, value in changes.items()}
    if "organisation" in cleaned and cleaned["organisation"].pk != worker.organisation_id:
        _require_change_in(actor, cleaned["organisation"])
    diff = _apply(worker, cleaned)
    if not diff:
        return worker
    if {"name", "mobile", "organisation"} & set(diff):
        worker.refresh_derived()
        refusal = screen_identity(actor, worker.organisation, worker.name, worker.mobile, exclude=worker)
        if refusal is not None:
            return refusal  # nothing saved; the transaction keeps the refusal's audit row
        _check_identity(
            worker.organisation,
            worker.name,
            worker.mobile,
            actor=actor,
            exclude=worker,
            allow_duplicate=allow_duplicate or not ({"name", "organisation"} & set(diff)),
        )
    versioning.bump(worker)
    worker._history_user = _user(actor)
    worker.save()
    audit.record(actor, "worker.update", obj=worker, organisation=worker.organisation, detail={"changes": diff})
    # The apps above react in this transaction (care: the move's duties and contacts, the
    # unassigned families): registry/hooks.py.
    if "organisation" in diff:
        hooks.worker_moved.fire(actor=actor, worker=worker, previous_unit=previous_unit)
    hooks.worker_saved.fire(actor=actor, worker=worker, created=False, changed=frozenset(diff))
    if "status" in diff and worker.status == WorkerStatus.ARCHIVED:
        hooks.worker_archived.fire(actor=actor, worker=worker)
    return worker


def set_worker_status(*, actor, worker: Worker, status: str) -> Worker:
    """Mark a worker on duty, deployed, returned, sick, deceased, or removed from the register."""
    status = _choice(status, WorkerStatus, {}, "status", required=True)
    return update_worker(actor=actor, worker=worker, status=status)


