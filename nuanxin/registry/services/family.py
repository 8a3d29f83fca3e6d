"""Family members: added, updated, made primary, removed."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from nuanxin.core import audit, versioning
from nuanxin.core.errors import Conflict, ServiceError
from nuanxin.registry.models import FamilyMember, Worker
from nuanxin.registry.services.checks import _apply, _name, _notes, _phone, _require_change, _text, _user

# --- family members ------------------------------------------------------------------------


def _clean_family(values: dict) -> dict:
    cleaned = {}
    for field, value in values.items():
        if field == "name":
            cleaned[field] = _name(value)
        elif field == "relation":
            cleaned[field] = _text(value, field, 20)
        elif field == "mobile":
            cleaned[field] = _phone(value, field)
        elif field == "address":
            cleaned[field] = _text(value, field, 200)
        elif field == "notes":
            cleaned[field] = _notes(value)
        else:
            raise ServiceError(_("Unknown field “%(field)s”.") % {"field": field})
    return cleaned


def _make_primary(member: FamilyMember, actor, *, new: bool = False) -> None:
    # Clear the old primary first: the partial unique index allows one per worker at a time.
    for other in FamilyMember.objects.filter(worker_id=member.worker_id, is_primary=True).exclude(pk=member.pk):
        other.is_primary = False
        other._history_user = _user(actor)
        other.save(update_fields=["is_primary", "updated_at", versioning.bump(other)])
    if not member.is_primary:
        member.is_primary = True
        member._history_user = _user(actor)
        # a member added just now stays at version 1: nobody can have opened it before
        fields = ["is_primary", "updated_at"] if new else ["is_primary", "updated_at", versioning.bump(member)]
        member.save(update_fields=fields)


def _check_new_member(member: FamilyMember) -> None:
    """Refuse a family member the worker's family already has: the same name (``name_key``:
    case, spaces and dots aside) with the same mobile, or the same name when neither has a
    mobile. A same-named relative with another mobile is someone else. The caller holds the
    worker's row lock, so two parallel adds cannot both pass."""
    same = FamilyMember.objects.filter(worker_id=member.worker_id, name_key=member.name_key, mobile=member.mobile)
    if member.pk is not None:
        same = same.exclude(pk=member.pk)
    if same.exists():
        raise Conflict(
            _("This family member is already registered (%(name)s).") % {"name": member.name},
            code="same_family_member",
            field="name",
        )


@transaction.atomic
def add_family_member(
    *,
    actor,
    worker: Worker,
    name: str,
    relation: str = "",
    mobile: str = "",
    address: str = "",
    notes: str = "",
    is_primary: bool = False,
) -> FamilyMember:
    """Add a family member; the first one (or one added with ``is_primary``) is the primary
    contact. Refuses one the worker's family already has (``_check_new_member``)."""
    # The worker's row stays locked to the end: parallel adds to one family (forms opened
    # separately and sent at once, a retry) check and insert one after the other.
    worker = Worker.objects.select_for_update().select_related("organisation").get(pk=worker.pk)
    _require_change(actor, worker)
    cleaned = _clean_family({"name": name, "relation": relation, "mobile": mobile, "address": address, "notes": notes})
    first = not FamilyMember.objects.filter(worker=worker).exists()
    member = FamilyMember(worker=worker, **cleaned)
    member.refresh_derived()
    _check_new_member(member)
    member._history_user = _user(actor)
    member.save()
    if first or is_primary:
        _make_primary(member, actor, new=True)
    audit.record(
        actor,
        "family.add",
        obj=member,
        organisation=worker.organisation,
        detail={
            "worker": worker.pk,
            "relation": member.relation,
            "mobile": member.mobile_masked,
            "primary": member.is_primary,
        },
    )
    return member


@transaction.atomic
def update_family_member(*, actor, member: FamilyMember, version: int | None = None, **changes) -> FamilyMember:
    """Change a family member's name, relation, mobile, address or notes (and make them the
    primary contact with ``is_primary=True``). ``version``: the version the edit started from
    (``Conflict`` if the member was changed since)."""
    make_primary = bool(changes.pop("is_primary", False))
    member = FamilyMember.objects.select_for_update().select_related("worker__organisation").get(pk=member.pk)
    organisation = member.worker.organisation
    _require_change(actor, member)
    versioning.check_version(member, version)
    diff = _apply(member, _clean_family(changes))
    if diff:
        member.refresh_derived()
        if {"name", "mobile"} & set(diff):
            _check_new_member(member)  # the worker's row is locked with the member's (select_related)
        versioning.bump(member)
        member._history_user = _user(actor)
        member.save()
    if make_primary and not member.is_primary:
        _make_primary(member, actor)
        diff["is_primary"] = [False, True]
    if diff:
        audit.record(
            actor,
            "family.update",
            obj=member,
            organisation=organisation,
            detail={"worker": member.worker_id, "changes": diff},
        )
    return member


@transaction.atomic
def set_primary_family_member(*, actor, member: FamilyMember) -> FamilyMember:
    """Make ``member`` the primary contact of the worker's family (exactly one is)."""
    return update_family_member(actor=actor, member=member, is_primary=True)


@transaction.atomic
def remove_family_member(*, actor, member: FamilyMember) -> None:
    """Remove a family member; when it was the primary contact, the next one becomes primary."""
    member = FamilyMember.objects.select_for_update().select_related("worker__organisation").get(pk=member.pk)
    worker = member.worker
    _require_change(actor, member)
    was_primary = member.is_primary
    audit.record(
        actor,
        "family.remove",
        obj=member,
        organisation=worker.organisation,
        detail={"worker": worker.pk, "primary": was_primary},
    )
    member._history_user = _user(actor)
    member.delete()
    if was_primary:
        successor = FamilyMember.objects.filter(worker=worker).order_by("id").first()
        if successor is not None:
            _make_primary(successor, actor)


