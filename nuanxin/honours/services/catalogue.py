"""Award types, calls for nominations and their quotas (the catalogue of the commendations).

Award types and calls belong to the whole tree: every union administrator sees them, only a
city administrator (a grant at the root: ``AwardType.policy`` / ``Call.policy`` "manage")
writes them. Each write is audited (``honours.award_type.*``, ``honours.call.*``,
``honours.quota.set``) with ids and codes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core import audit, plaintext, versioning
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.policy import user_of
from nuanxin.core.textlimits import TOO_LONG
from nuanxin.honours.choices import AwardLevel, CallStatus, RecipientKind
from nuanxin.honours.models import AwardType, Call, Nomination, Quota

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,39}$")
NAME_MAX = 60
CALL_NAME_MAX = 100
DESCRIPTION_MAX = 2000


def _require_manage(actor: Any, model: type[Any]) -> None:
    if not model.policy.allows_in(actor, "manage", None):
        raise NotAllowed(_("Only a city administrator manages the award types, calls and quotas."))


def _limit(text: str, limit: int, field: str) -> str:
    if len(text) > limit:
        raise ServiceError(str(TOO_LONG % {"limit_value": limit, "show_value": len(text)}), field=field)
    return text


def _line(value: Any, *, field: str, label: str, limit: int, required: str | None = None) -> str:
    text = plaintext.line(value, field=field, label=label)
    if required and not text:
        raise ServiceError(required, field=field)
    return _limit(text, limit, field)


def _notes(value: Any, *, field: str, label: str, limit: int) -> str:
    return _limit(plaintext.notes(value, field=field, label=label), limit, field)


def _root() -> Any:
    from nuanxin.orgs.models import Organisation

    root = Organisation.objects.get_first_root_node()
    if root is None:  # pragma: no cover - a database without its tree
        raise ServiceError(_("The organisation tree has no root."))
    return root


def _award_type_fields(
    *, name: Any, level: Any, recipient: Any, description: Any, partial: bool
) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if name is not None or not partial:
        fields["name"] = _line(
            name, field="name", label=_("Name"), limit=NAME_MAX, required=_("Give the award type's name.")
        )
    if level is not None or not partial:
        if level not in AwardLevel.values:
            raise ServiceError(_("Choose the award's level."), field="level")
        fields["level"] = level
    if recipient is not None or not partial:
        if recipient not in RecipientKind.values:
            raise ServiceError(_("Choose who the award is for."), field="recipient")
        fields["recipient"] = recipient
    if description is not None or not partial:
        fields["description"] = _notes(description, field="description", label=_("Description"), limit=DESCRIPTION_MAX)
    return fields


def _same_name(name: str, level: str, exclude: int | None = None) -> None:
    clash = AwardType.objects.filter(name=name, level=level)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ServiceError(_("An award type of this name and level exists already."), field="name")


@transaction.atomic
def create_award_type(
    *, actor: Any, code: str, name: str, level: str, recipient: str, description: str = ""
) -> AwardType:
    """A new award type (e.g. 青岛市五一劳动奖章): ``code`` ASCII (a slug, unique), ``name``
    unique within its ``level`` (``choices.AwardLevel``), ``recipient`` a person, a unit or a
    collective (``choices.RecipientKind``). City administrators only (``NotAllowed``);
    ``ServiceError`` (with ``field``) for a bad or duplicate value."""
    _require_manage(actor, AwardType)
    code = (code or "").strip()
    if not CODE_RE.match(code):
        raise ServiceError(
            _("The code is 2–40 lower-case letters, digits, hyphens or underscores (e.g. qd_model_worker)."),
            field="code",
        )
    if AwardType.objects.filter(code=code).exists():
        raise ServiceError(_("An award type with this code exists already."), field="code")
    fields = _award_type_fields(name=name, level=level, recipient=recipient, description=description, partial=False)
    _same_name(fields["name"], fields["level"])
    award_type = AwardType(code=code, created_by=user_of(actor), **fields)
    award_type._history_user = user_of(actor)  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            award_type.save()
    except IntegrityError as exc:
        raise ServiceError(_("An award type with this code exists already."), field="code") from exc
    audit.record(
        actor,
        "honours.award_type.create",
        obj=award_type,
        object_repr=f"award type #{award_type.pk}",
        detail={"code": code, "award_level": award_type.level, "recipient": award_type.recipient},
    )
    return award_type


@transaction.atomic
def update_award_type(
    award_type: AwardType,
    *,
    actor: Any,
    name: str | None = None,
    level: str | None = None,
    recipient: str | None = None,
    description: str | None = None,
    active: bool | None = None,
    version: int | None = None,
) -> AwardType:
    """Change an award type (``None``: unchanged). The recipient kind cannot change once a
    nomination uses the type. ``version``: the version the form showed (``Conflict``)."""
    _require_manage(actor, AwardType)
    award_type = AwardType.objects.select_for_update().get(pk=award_type.pk)
    versioning.check_version(award_type, version)
    fields = _award_type_fields(name=name, level=level, recipient=recipient, description=description, partial=True)
    if active is not None:
        fields["active"] = bool(active)
    changed = {k: v for k, v in fields.items() if getattr(award_type, k) != v}
    if not changed:
        return award_type
    if "recipient" in changed and Nomination.objects.filter(award_type=award_type).exists():
        raise ServiceError(
            _("Nominations use this award type: who it is for cannot change."), field="recipient"
        )
    if "name" in changed or "level" in changed:
        _same_name(changed.get("name", award_type.name), changed.get("level", award_type.level), award_type.pk)
    for key, value in changed.items():
        setattr(award_type, key, value)
    versioning.bump(award_type)
    award_type._history_user = user_of(actor)  # type: ignore[attr-defined]
    award_type.save()
    audit.record(
        actor,
        "honours.award_type.update",
        obj=award_type,
        object_repr=f"award type #{award_type.pk}",
        detail={"changed": sorted(changed), "code": award_type.code},
    )
    return award_type


def _award_types(award_types: Iterable[AwardType]) -> list[AwardType]:
    chosen = list(AwardType.objects.filter(pk__in=[a.pk for a in award_types]).order_by("level", "name", "id"))
    if not chosen:
        raise ServiceError(_("Choose at least one award type."), field="award_types")
    return chosen


def _deadline(value: Any) -> datetime:
    if not isinstance(value, datetime) or timezone.is_naive(value):
        raise ServiceError(_("Give the deadline's date and time."), field="deadline")
    return value


def _notice_days(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 60:
        raise ServiceError(_("The public notice lasts 1 to 60 days."), field="notice_days")
    return value


def _call_repr(call: Call) -> str:
    return f"call #{call.pk}"


@transaction.atomic
def create_call(
    *,
    actor: Any,
    name: str,
    award_types: Iterable[AwardType],
    deadline: datetime,
    notice_days: int = 5,
    frontline_first: bool = True,
    description: str = "",
) -> Call:
    """A new call for nominations (e.g. 2020 年度表彰), issued by the root organisation (the
    city), in status draft. ``award_types``: at least one active type; ``deadline`` an aware
    datetime; ``notice_days`` 1–60. City administrators only."""
    _require_manage(actor, Call)
    name = _line(name, field="name", label=_("Name"), limit=CALL_NAME_MAX, required=_("Give the call's name."))
    types = _award_types(award_types)
    if any(not t.active for t in types):
        raise ServiceError(_("An award type no longer in use cannot be part of a new call."), field="award_types")
    call = Call(
        organisation=_root(),
        name=name,
        description=_notes(description, field="description", label=_("Description"), limit=DESCRIPTION_MAX),
        deadline=_deadline(deadline),
        notice_days=_notice_days(notice_days),
        frontline_first=bool(frontline_first),
        status=CallStatus.DRAFT,
        created_by=user_of(actor),
    )
    call._history_user = user_of(actor)  # type: ignore[attr-defined]
    call.save()
    call.award_types.set(types)
    audit.record(
        actor,
        "honours.call.create",
        obj=call,
        object_repr=_call_repr(call),
        organisation=call.organisation,
        detail={"award_types": [t.code for t in types], "notice_days": call.notice_days},
    )
    return call


@transaction.atomic
def update_call(
    call: Call,
    *,
    actor: Any,
    name: str | None = None,
    award_types: Iterable[AwardType] | None = None,
    deadline: datetime | None = None,
    notice_days: int | None = None,
    frontline_first: bool | None = None,
    description: str | None = None,
    version: int | None = None,
) -> Call:
    """Change a call (``None``: unchanged). An award type that has nominations in the call
    cannot be taken out of it."""
    _require_manage(actor, Call)
    call = Call.objects.select_for_update().get(pk=call.pk)
    versioning.check_version(call, version)
    changed: dict[str, Any] = {}
    if name is not None:
        changed["name"] = _line(
            name, field="name", label=_("Name"), limit=CALL_NAME_MAX, required=_("Give the call's name.")
        )
    if description is not None:
        changed["description"] = _notes(description, field="description", label=_("Description"), limit=DESCRIPTION_MAX)
    if deadline is not None:
        changed["deadline"] = _deadline(deadline)
    if notice_days is not None:
        changed["notice_days"] = _notice_days(notice_days)
    if frontline_first is not None:
        changed["frontline_first"] = bool(frontline_first)
    changed = {k: v for k, v in changed.items() if getattr(call, k) != v}
    types_changed = False
    if award_types is not None:
        types = _award_types(award_types)
        before = set(call.award_types.values_list("pk", flat=True))
        after = {t.pk for t in types}
        if before != after:
            removed = before - after
            if Nomination.objects.filter(call=call, award_type_id__in=removed).exists():
                raise ServiceError(
                    _("An award type with nominations in this call cannot be taken out of it."), field="award_types"
                )
            if any(not t.active for t in types if t.pk not in before):
                raise ServiceError(_("An award type no longer in use cannot be added to a call."), field="award_types")
            call.award_types.set(types)
            Quota.objects.filter(call=call, award_type_id__in=removed).delete()
            types_changed = True
    if not changed and not types_changed:
        return call
    for key, value in changed.items():
        setattr(call, key, value)
    versioning.bump(call)
    call._history_user = user_of(actor)  # type: ignore[attr-defined]
    call.save()
    detail: dict[str, Any] = {"changed": sorted(changed) + (["award_types"] if types_changed else [])}
    if types_changed:
        detail["award_types"] = sorted(call.award_types.values_list("code", flat=True))
    audit.record(
        actor, "honours.call.update", obj=call, object_repr=_call_repr(call), organisation=call.organisation,
        detail=detail,
    )
    return call


def _set_status(call: Call, *, actor: Any, status: str, version: int | None, action: str) -> Call:
    _require_manage(actor, Call)
    call = Call.objects.select_for_update().get(pk=call.pk)
    versioning.check_version(call, version)
    before = call.status
    if status == CallStatus.OPEN:
        if before == CallStatus.OPEN:
            raise ServiceError(_("This call is open already."))
        if call.deadline <= timezone.now():
            raise ServiceError(
                _("The deadline has passed: set a later one before opening the call."), field="deadline"
            )
    elif before != CallStatus.OPEN:
        raise ServiceError(_("Only an open call can be closed."))
    call.status = status
    versioning.bump(call)
    call._history_user = user_of(actor)  # type: ignore[attr-defined]
    call.save()
    audit.record(
        actor, action, obj=call, object_repr=_call_repr(call), organisation=call.organisation,
        detail={"from": before, "to": status},
    )
    return call


@transaction.atomic
def open_call(call: Call, *, actor: Any, version: int | None = None) -> Call:
    """Open a draft (or closed) call for nominations. Its deadline must lie ahead."""
    return _set_status(call, actor=actor, status=CallStatus.OPEN, version=version, action="honours.call.open")


@transaction.atomic
def close_call(call: Call, *, actor: Any, version: int | None = None) -> Call:
    """Close an open call: no new nominations and no first submissions; the reviews, the
    notice and the decisions of what was submitted go on."""
    return _set_status(call, actor=actor, status=CallStatus.CLOSED, version=version, action="honours.call.close")


@transaction.atomic
def set_quota(
    call: Call, organisation: Any, places: int | None, award_type: AwardType | None = None, *, actor: Any
) -> Quota | None:
    """How many nominations ``organisation`` (a district or an industry union, or any level)
    may recommend up in ``call``: for ``award_type`` (one of the call's), or for all its award
    types together when ``award_type`` is None. ``places`` None removes the quota (no limit).
    Fewer places than already recommended is refused (``ServiceError``). City administrators
    only. Returns the quota (None when removed)."""
    from nuanxin.honours.selectors.nominations import used_places

    _require_manage(actor, Quota)
    call = Call.objects.select_for_update().get(pk=call.pk)  # the recommendations count under this lock
    if award_type is not None and not call.award_types.filter(pk=award_type.pk).exists():
        raise ServiceError(_("This award type is not part of the call."), field="award_type")
    existing = Quota.objects.filter(call=call, organisation=organisation, award_type=award_type).first()
    before = existing.places if existing else None
    detail: dict[str, Any] = {
        "honours_call": call.pk,
        "organisation": organisation.code,
        "award_type": award_type.code if award_type else None,
        "before": before,
        "places": places,
    }
    if places is None:
        if existing is None:
            return None
        existing.delete()
        audit.record(actor, "honours.quota.set", obj=call, object_repr=_call_repr(call), organisation=organisation,
                     detail=detail)
        return None
    if isinstance(places, bool) or not isinstance(places, int) or not 0 <= places <= 10000:
        raise ServiceError(_("Give the number of places (0 to 10,000)."), field="places")
    used = used_places(call, organisation, award_type)
    if places < used:
        raise ServiceError(
            _("%(org)s has already recommended %(used)d: the quota cannot be lower.")
            % {"org": organisation.name, "used": used},
            field="places",
        )
    if existing is not None and existing.places == places:
        return existing
    quota = existing or Quota(call=call, organisation=organisation, award_type=award_type, places=places)
    quota.places = places
    quota.save()
    audit.record(actor, "honours.quota.set", obj=call, object_repr=_call_repr(call), organisation=organisation,
                 detail=detail)
    return quota
