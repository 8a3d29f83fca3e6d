"""Nominations (提名) and their way up the tree, on the shared case life cycle
(``choices.NOMINATION_LIFECYCLE``, ``nuanxin/cases``).

A unit union nominates (``nominate``: a draft at the unit; ``at_organisation`` is the unit) a
registered worker, an organisation or a team, as the award type's recipient kind says, with
the story (先进事迹, at most ``models.STORY_MAX`` characters), photos and documents
(``add_file``). While the nomination is a draft or returned, the unit edits it
(``update_nomination``), submits it (``submit``: to the review of the unit's parent) or
withdraws it. Each level reviews what is at it (``at_organisation``; the reviewer's grant must
cover it): recommends it a level up (``recommend``: within the level's quota), returns it for
changes with a comment (``return_for_changes``: back to the unit, status returned) or rejects
it with a reason (``reject``). At the city (the root) a recommended nomination goes on public
notice (``start_notice``: 公示 for ``call.notice_days`` days); objections are recorded
(``record_objection``) and answered (``answer_objection``: upheld or dismissed); after the
notice, with no open objection, the city decides (``decide``: awarded, with a certificate
number, or not awarded).

Quota rule: what organisation X has recommended up in a call (the nominations that passed X
and are still in the running: under review above X, on notice or decided) never exceeds X's
quota for the award type nor its quota for all award types; no quota row, no limit. The call's
row is locked while a recommendation counts, so two reviewers cannot both take the last place.

A returned nomination may be submitted again after the call's deadline or closing (it was
submitted in time); a draft may not. Withdrawn, rejected and returned nominations free their
place in the quotas; a nomination not awarded keeps it (it was recommended).

Every step is one transaction: the nomination, a timeline note (``NominationNote`` with the
``level`` it was written at) and an audit row (ids, status, levels as organisation codes; the
story and notes only as their length).

Refusals: ``NotAllowed`` (someone not allowed, or acting at a level the nomination is not at)
and ``ServiceError`` (a rule broken), with messages in the user's language.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.cases import services as cases
from nuanxin.cases.lifecycle import NoteKind
from nuanxin.core import attachments, audit, plaintext, versioning
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.models import Attachment
from nuanxin.core.policy import user_of
from nuanxin.core.textlimits import TOO_LONG
from nuanxin.honours.choices import (
    NOMINATION_LIFECYCLE,
    CallStatus,
    NominationStatus,
    ObjectionStatus,
    RecipientKind,
)
from nuanxin.honours.models import STORY_MAX, AwardType, Call, Nomination, NominationNote, Objection

# The actions of the transitions API and of the pages' buttons, in the order they are shown.
SUBMIT = "submit"
RECOMMEND = "recommend"
RETURN = "return"
REJECT = "reject"
WITHDRAW = "withdraw"
NOTICE = "notice"
AWARD = "award"
NOT_AWARD = "not_award"
ACTIONS = (SUBMIT, RECOMMEND, RETURN, REJECT, WITHDRAW, NOTICE, AWARD, NOT_AWARD)
# The actions that need a note (a comment or a reason).
NOTE_REQUIRED = frozenset({RETURN, REJECT, WITHDRAW, NOT_AWARD})

EDITABLE = frozenset({NominationStatus.DRAFT, NominationStatus.RETURNED})
WITHDRAWABLE = frozenset({NominationStatus.DRAFT, NominationStatus.RETURNED, NominationStatus.REVIEW})

TEAM_MAX = 100
NOTE_MAX = cases.NOTE_LIMIT
OBJECTION_MAX = 2000
RAISED_BY_MAX = 100
FILES_MAX = 20
CERTIFICATE_PREFIX = "QDGH"
CALL_TIME_ZONE = ZoneInfo("Asia/Shanghai")  # a call's year is its deadline's year there


# --- small rules ---------------------------------------------------------------------------


def _too_long(text: str, limit: int, field: str) -> None:
    if len(text) > limit:
        raise ServiceError(str(TOO_LONG % {"limit_value": limit, "show_value": len(text)}), field=field)


def _story(value: Any) -> str:
    story = plaintext.notes(value, field="story", label=_("Story"))
    _too_long(story, STORY_MAX, "story")
    return story


def _note(value: Any, *, required: bool, message: str | None = None) -> str:
    text = plaintext.notes(value, field="note", label=_("Note"))
    if required and not text:
        raise ServiceError(message or str(NOMINATION_LIFECYCLE.texts.reason_required), field="note")
    _too_long(text, NOTE_MAX, "note")
    return text


def _repr(nomination: Nomination) -> str:
    return f"nomination #{nomination.pk}"


def level_of(organisation: Any) -> Any:
    """The organisation a nomination of ``organisation`` goes to when submitted or recommended
    from it: its parent (``None`` at the root)."""
    if organisation is None or organisation.is_root():
        return None
    return type(organisation).objects.get_parent(organisation)


def _is_root(organisation: Any) -> bool:
    return bool(organisation.is_root())


def _inside(child: Any, ancestor: Any) -> bool:
    return bool(child.path.startswith(ancestor.path))


def _locked(nomination: Nomination) -> Nomination:
    return (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("call", "award_type", "organisation", "at_organisation", "worker")
        .get(pk=nomination.pk)
    )


def _lock_call(call: Call) -> Call:
    """The call's row under a lock: recommendations count their quota one at a time."""
    return Call.objects.select_for_update().get(pk=call.pk)


def _may_change(actor: Any, nomination: Nomination) -> bool:
    return Nomination.policy.allows(actor, "nominate", nomination)


def _may_withdraw(actor: Any, nomination: Nomination) -> bool:
    """The unit withdraws: a draft or returned nomination, whoever may edit it; one under review,
    only the unit's own administrators (not those of a level above, who review it instead)."""
    if nomination.status not in WITHDRAWABLE or not _may_change(actor, nomination):
        return False
    if nomination.status != NominationStatus.REVIEW:
        return True
    parent = level_of(nomination.organisation)
    return parent is None or not Nomination.policy.allows_in(actor, "nominate", parent)


def _require_unit(actor: Any, nomination: Nomination) -> None:
    """The nominating unit (or a level above it acting for it) while it is a draft or returned."""
    if not _may_change(actor, nomination):
        raise NotAllowed(str(NOMINATION_LIFECYCLE.texts.may_not_change))
    if nomination.status not in EDITABLE:
        raise ServiceError(
            _("Only a draft or a nomination returned for changes can be changed by its unit.")
        )


def _reviews_here(actor: Any, nomination: Nomination) -> bool:
    return bool(
        Nomination.policy.allows(actor, "review", nomination)
        and Nomination.policy.allows_in(actor, "review", nomination.at_organisation)
    )


def _require_reviewer(actor: Any, nomination: Nomination) -> None:
    if nomination.status != NominationStatus.REVIEW:
        raise ServiceError(_("Only a nomination under review can be reviewed."))
    if not _reviews_here(actor, nomination):
        raise NotAllowed(
            _("This nomination is being reviewed at %(level)s: only its administrators act on it now.")
            % {"level": nomination.at_organisation.name}
        )


def _require_city(actor: Any, nomination: Nomination) -> None:
    if not (
        Nomination.policy.allows(actor, "decide", nomination)
        and _is_root(nomination.at_organisation)
        and Nomination.policy.allows_in(actor, "review", nomination.at_organisation)
    ):
        raise NotAllowed(_("Only the city federation's administrators put nominations on notice and decide."))


def _call_takes_nominations(call: Call) -> None:
    if call.status != CallStatus.OPEN:
        raise ServiceError(_("This call is not open for nominations."), field="call")
    if timezone.now() > call.deadline:
        raise ServiceError(
            _("The deadline for nominations (%(deadline)s) has passed.")
            % {"deadline": timezone.localtime(call.deadline).strftime("%Y-%m-%d %H:%M")},
            field="call",
        )


# --- quotas ----------------------------------------------------------------------------------


def _check_quota(call: Call, organisation: Any, award_type: AwardType) -> None:
    from nuanxin.honours.selectors.nominations import quota_left

    left = quota_left(call, organisation, award_type)
    if left is not None and left <= 0:
        raise ServiceError(
            _("%(org)s has no place left in its quota for %(award)s in this call.")
            % {"org": organisation.name, "award": award_type.name},
            code="quota_full",
        )


# --- the nominee ---------------------------------------------------------------------------


def _nominee(
    award_type: AwardType, organisation: Any, *, worker: Any, nominee_organisation: Any, team_name: Any
) -> dict[str, Any]:
    """The nominee's fields as the award type's recipient kind says (the others emptied)."""
    kind = award_type.recipient
    if kind == RecipientKind.PERSON:
        if worker is None:
            raise ServiceError(_("%(award)s is awarded to a person: choose a registered worker.")
                               % {"award": award_type.name}, field="worker")
        if not _inside(worker.organisation, organisation):
            raise ServiceError(_("The worker is not registered in this unit."), field="worker")
        return {"worker": worker, "nominee_organisation": None, "team_name": ""}
    if kind == RecipientKind.UNIT:
        unit = nominee_organisation if nominee_organisation is not None else None
        if unit is None:
            raise ServiceError(_("%(award)s is awarded to a unit: choose the unit.")
                               % {"award": award_type.name}, field="nominee_organisation")
        if not _inside(unit, organisation):
            raise ServiceError(_("A union nominates its own unit or one below it."), field="nominee_organisation")
        return {"worker": None, "nominee_organisation": unit, "team_name": ""}
    team = plaintext.line(team_name, field="team_name", label=_("Team"))
    if not team:
        raise ServiceError(_("%(award)s is awarded to a collective: name the team.")
                           % {"award": award_type.name}, field="team_name")
    _too_long(team, TEAM_MAX, "team_name")
    return {"worker": None, "nominee_organisation": None, "team_name": team}


def _once(call: Call, award_type: AwardType, worker: Any, exclude: int | None = None) -> None:
    if worker is None:
        return
    others = Nomination.objects.filter(call=call, award_type=award_type, worker=worker).exclude(
        status__in=[NominationStatus.WITHDRAWN, NominationStatus.REJECTED]
    )
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if others.exists():
        raise ServiceError(
            _("This worker is already nominated for this award in this call."), code="duplicate", field="worker"
        )


def nominee_label(nomination: Nomination) -> str:
    """Who is nominated, in words: the worker's name, the unit's name or the team's name."""
    if nomination.worker is not None:
        return str(nomination.worker.name)
    if nomination.nominee_organisation is not None:
        return str(nomination.nominee_organisation.name)
    return nomination.team_name


# --- writing ---------------------------------------------------------------------------------


def _open(actor: Any, organisation: Any, fields: dict[str, Any]) -> Nomination:
    """What ``cases.open`` does for a case without a worker (a nomination's ``worker`` is its
    nominee, not the worker whose family a ``Case`` concerns, so the generic opening, which
    reads any ``worker`` field as that, is not used): the initial status, the owner (the
    actor), the due date, the "opened" note at the unit's level."""
    lifecycle = NOMINATION_LIFECYCLE
    nomination = Nomination(
        organisation=organisation,
        status=lifecycle.initial,
        created_by=user_of(actor),
        owner=user_of(actor),
        due_on=lifecycle.due_on(Nomination._meta.get_field("urgency").default, timezone.localdate()),
        **fields,
    )
    nomination._history_user = user_of(actor)  # type: ignore[attr-defined]  # django-simple-history
    try:
        with transaction.atomic():
            nomination.save()
    except IntegrityError as exc:  # the same worker nominated at the same moment
        raise ServiceError(
            _("This worker is already nominated for this award in this call."), code="duplicate", field="worker"
        ) from exc
    NominationNote.objects.create(
        nomination=nomination, kind=NoteKind.OPENED, author=user_of(actor), to_status=lifecycle.initial,
        level=organisation,
    )
    return nomination


def nominate(
    *,
    actor: Any,
    call: Call,
    award_type: AwardType,
    organisation: Any,
    worker: Any = None,
    nominee_organisation: Any = None,
    team_name: str = "",
    story: str = "",
) -> Nomination:
    """A new nomination (a draft at ``organisation``, the nominating unit union; not the
    root) in ``call`` (open, before its deadline) for ``award_type`` (one of the call's, active).
    The nominee as the award type's recipient kind says: a person — ``worker`` (registered,
    of ``organisation``'s subtree; once per call and award type); a unit —
    ``nominee_organisation`` (``organisation`` or below it); a collective — ``team_name``.
    ``story`` at most ``STORY_MAX`` characters. The actor needs "nominate" in ``organisation``."""
    if not Nomination.policy.allows_in(actor, "nominate", organisation):
        raise NotAllowed(str(NOMINATION_LIFECYCLE.texts.may_not_open))
    if _is_root(organisation):
        raise ServiceError(_("The city federation reviews nominations: a union below it nominates."),
                           field="organisation")
    call = Call.objects.get(pk=call.pk)  # its status and deadline as they are now
    award_type = AwardType.objects.get(pk=award_type.pk)
    _call_takes_nominations(call)
    if not call.award_types.filter(pk=award_type.pk).exists():
        raise ServiceError(_("This award type is not part of the call."), field="award_type")
    if not award_type.active:
        raise ServiceError(_("This award type is no longer awarded."), field="award_type")
    fields = _nominee(
        award_type, organisation, worker=worker, nominee_organisation=nominee_organisation, team_name=team_name
    )
    text = _story(story)
    with transaction.atomic():
        _once(call, award_type, fields["worker"])
        nomination = _open(actor, organisation, {
            "call": call,
            "award_type": award_type,
            "story": text,
            "at_organisation": organisation,
            **fields,
        })
        audit.record(
            actor,
            f"{NOMINATION_LIFECYCLE.audit_prefix}.open",
            obj=nomination,
            object_repr=_repr(nomination),
            organisation=organisation,
            detail={
                "honours_call": call.pk,
                "award_type": award_type.code,
                "worker": getattr(fields["worker"], "pk", None),
                "nominee_org": getattr(fields["nominee_organisation"], "code", None),
                "story": audit.text_marker(text),
            },
        )
    return nomination


def update_nomination(
    nomination: Nomination,
    *,
    actor: Any,
    worker: Any = None,
    nominee_organisation: Any = None,
    team_name: str | None = None,
    story: str | None = None,
    version: int | None = None,
) -> Nomination:
    """Change a draft or returned nomination's nominee or story (``None``: unchanged), with the
    checks of ``nominate``. ``version``: the version the form showed (``Conflict``)."""
    with transaction.atomic():
        current = _locked(nomination)
        _require_unit(actor, current)
        versioning.check_version(current, version)
        fields: dict[str, Any] = {}
        if worker is not None or nominee_organisation is not None or team_name is not None:
            nominee = _nominee(
                current.award_type,
                current.organisation,
                worker=worker if worker is not None else current.worker,
                nominee_organisation=(
                    nominee_organisation if nominee_organisation is not None else current.nominee_organisation
                ),
                team_name=team_name if team_name is not None else current.team_name,
            )
            _once(current.call, current.award_type, nominee["worker"], exclude=current.pk)
            fields.update({k: v for k, v in nominee.items() if v is not None})
        if story is not None:
            fields["story"] = _story(story)
        updated = cases.update(current, actor=actor, fields=fields)
        NominationNote.objects.filter(nomination=updated, kind=NoteKind.EDIT, level__isnull=True).update(
            level=current.at_organisation
        )
        return updated


def add_file(nomination: Nomination, *, actor: Any, uploaded_file: Any, name: str | None = None) -> Attachment:
    """Attach a photo or a document (PDF, PNG, JPEG, WebP: ``attachments.DOCUMENTS``, checked
    by content) to a draft or returned nomination, at most 20. Audited (``attachment.store``)."""
    with transaction.atomic():
        current = _locked(nomination)
        _require_unit(actor, current)
        if attachments.for_owner(current).count() >= FILES_MAX:
            raise ServiceError(
                _("A nomination has at most %(count)d photos and documents.") % {"count": FILES_MAX}, field="file"
            )
        return attachments.store(
            actor=actor,
            owner=current,
            uploaded_file=uploaded_file,
            kinds=attachments.DOCUMENTS,
            name=name,
            organisation=current.organisation,
        )


def remove_file(nomination: Nomination, *, actor: Any, attachment: Attachment) -> None:
    """Remove a file of a draft or returned nomination."""
    with transaction.atomic():
        current = _locked(nomination)
        _require_unit(actor, current)
        if not attachments.for_owner(current).filter(pk=attachment.pk).exists():
            raise ServiceError(_("This file does not belong to the nomination."), field="file")
        attachments.delete(actor=actor, attachment=attachment)


def _move(
    nomination: Nomination,
    *,
    actor: Any,
    to: str,
    step: str,
    note: str,
    at: Any = None,
    fields: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
) -> Nomination:
    """One step along the life cycle (checked against it), from the level the nomination is
    at: the status, the new level (``at``), ``fields``, a status note at the level it was
    written at and one ``honours.nomination.transition`` audit row."""
    lifecycle = NOMINATION_LIFECYCLE
    current = nomination.status
    step_rule = lifecycle.transition(current, to)
    if step_rule is None:
        raise ServiceError(
            str(lifecycle.texts.cannot_become) % {"current": lifecycle.label(current), "to": lifecycle.label(to)},
            field="action",
        )
    if step_rule.reason and not note:
        raise ServiceError(str(lifecycle.texts.reason_required), field="note")
    level = nomination.at_organisation
    now = timezone.now()
    changed = ["status", "updated_at", versioning.bump(nomination)]
    nomination.status = to
    if to in lifecycle.stamps:
        setattr(nomination, lifecycle.stamps[to], now)
        changed.append(lifecycle.stamps[to])
    if at is not None and at.pk != nomination.at_organisation_id:
        nomination.at_organisation = at
        changed.append("at_organisation")
    for key, value in (fields or {}).items():
        setattr(nomination, key, value)
        changed.append(key)
    nomination._history_user = user_of(actor)  # type: ignore[attr-defined]  # django-simple-history
    nomination.save(update_fields=list(dict.fromkeys(changed)))
    NominationNote.objects.create(
        nomination=nomination,
        kind=NoteKind.STATUS,
        author=user_of(actor),
        text=note,
        from_status=current,
        to_status=to,
        level=level,
    )
    audit.record(
        actor,
        f"{lifecycle.audit_prefix}.transition",
        obj=nomination,
        object_repr=_repr(nomination),
        organisation=nomination.organisation,
        detail={
            "step": step,
            "from": current,
            "to": to,
            "at_level": level.code,
            "to_level": nomination.at_organisation.code,
            "note": audit.text_marker(note),
            **(detail or {}),
        },
    )
    return nomination


@transaction.atomic
def submit(nomination: Nomination, *, actor: Any, note: str = "", version: int | None = None) -> Nomination:
    """The unit sends its draft (call open, before the deadline) or its returned nomination (the
    changes made) to the review of its parent: status review, ``at_organisation`` = the unit's
    parent, ``submitted_at`` now. Within the unit's quota (if it has one). The story is required."""
    current = _locked(nomination)
    _require_unit(actor, current)
    versioning.check_version(current, version)
    text = _note(note, required=False)
    if current.status == NominationStatus.DRAFT:
        _call_takes_nominations(current.call)
    if not current.story:
        raise ServiceError(_("Write the story before submitting the nomination."), field="story")
    parent = level_of(current.organisation)
    if parent is None:  # pragma: no cover - nominate refuses the root
        raise ServiceError(_("The city federation reviews nominations: a union below it nominates."))
    call = _lock_call(current.call)
    _check_quota(call, current.organisation, current.award_type)
    return _move(
        current, actor=actor, to=NominationStatus.REVIEW, step=SUBMIT, note=text, at=parent,
        fields={"submitted_at": timezone.now()},
    )


@transaction.atomic
def recommend(nomination: Nomination, *, actor: Any, note: str = "", version: int | None = None) -> Nomination:
    """The level reviewing the nomination (``at_organisation``, not the root) recommends it one
    level up (``at_organisation`` = its parent), within its quota (``ServiceError`` when full).
    The actor's grant must cover ``at_organisation``."""
    current = _locked(nomination)
    _require_reviewer(actor, current)
    versioning.check_version(current, version)
    text = _note(note, required=False)
    parent = level_of(current.at_organisation)
    if parent is None:
        raise ServiceError(_("At the city, a nomination is put on public notice, not recommended further."),
                           field="action")
    call = _lock_call(current.call)
    _check_quota(call, current.at_organisation, current.award_type)
    return _move(current, actor=actor, to=NominationStatus.REVIEW, step=RECOMMEND, note=text, at=parent)


@transaction.atomic
def return_for_changes(nomination: Nomination, *, actor: Any, note: str, version: int | None = None) -> Nomination:
    """The reviewing level sends the nomination back to the unit for changes with ``note`` (the
    comment, required): status returned, ``at_organisation`` = the unit."""
    current = _locked(nomination)
    _require_reviewer(actor, current)
    versioning.check_version(current, version)
    text = _note(note, required=True, message=_("Say what should be changed."))
    return _move(
        current, actor=actor, to=NominationStatus.RETURNED, step=RETURN, note=text, at=current.organisation
    )


@transaction.atomic
def reject(nomination: Nomination, *, actor: Any, note: str, version: int | None = None) -> Nomination:
    """The reviewing level rejects the nomination with ``note`` (the reason, required)."""
    current = _locked(nomination)
    _require_reviewer(actor, current)
    versioning.check_version(current, version)
    text = _note(note, required=True, message=_("Give the reason for rejecting the nomination."))
    return _move(current, actor=actor, to=NominationStatus.REJECTED, step=REJECT, note=text)


@transaction.atomic
def withdraw(nomination: Nomination, *, actor: Any, note: str, version: int | None = None) -> Nomination:
    """The unit withdraws its nomination (draft, returned, or under review) with a reason. Under
    review, only the unit's own administrators (a level above rejects instead)."""
    current = _locked(nomination)
    if current.status not in WITHDRAWABLE:
        raise ServiceError(_("A nomination on notice or decided cannot be withdrawn."), field="action")
    if not _may_withdraw(actor, current):
        raise NotAllowed(_("Only the nominating unit withdraws its nomination."))
    versioning.check_version(current, version)
    text = _note(note, required=True, message=_("Say why the nomination is withdrawn."))
    return _move(current, actor=actor, to=NominationStatus.WITHDRAWN, step=WITHDRAW, note=text)


@transaction.atomic
def start_notice(
    nomination: Nomination, *, actor: Any, note: str = "", starts_on: date | None = None, version: int | None = None
) -> Nomination:
    """The city (a nomination under review at the root; a city administrator) puts it on public
    notice (公示) from ``starts_on`` (today by default, not in the past) for ``call.notice_days``
    days: ``notice_starts_on`` .. ``notice_ends_on`` (inclusive). Within the root's quota."""
    current = _locked(nomination)
    if current.status != NominationStatus.REVIEW:
        raise ServiceError(_("Only a nomination under review at the city can be put on notice."), field="action")
    _require_city(actor, current)
    versioning.check_version(current, version)
    text = _note(note, required=False)
    today = timezone.localdate()
    starts = starts_on or today
    if starts < today:
        raise ServiceError(_("The public notice cannot start in the past."), field="starts_on")
    call = _lock_call(current.call)
    _check_quota(call, current.at_organisation, current.award_type)
    ends = starts + timedelta(days=call.notice_days - 1)
    return _move(
        current, actor=actor, to=NominationStatus.NOTICE, step=NOTICE, note=text,
        fields={"notice_starts_on": starts, "notice_ends_on": ends},
        detail={"notice_from": starts.isoformat(), "notice_until": ends.isoformat()},
    )


def may_object(user: Any, nomination: Nomination) -> bool:
    """Whether ``user`` may record (and answer) objections to ``nomination`` (on notice; the
    city)."""
    if nomination.status != NominationStatus.NOTICE:
        return False
    return bool(
        Nomination.policy.allows(user, "decide", nomination)
        and Nomination.policy.allows_in(user, "review", nomination.at_organisation)
    )


def record_objection(
    nomination: Nomination, *, actor: Any, text: str, received_on: date | None = None, raised_by: str = ""
) -> Objection:
    """Record an objection received during the nomination's public notice (``received_on``
    within the notice, today by default; ``raised_by`` may stay empty: anonymous). City
    administrators."""
    with transaction.atomic():
        current = _locked(nomination)
        if current.status != NominationStatus.NOTICE:
            raise ServiceError(_("Objections are recorded while the nomination is on public notice."))
        if not may_object(actor, current):
            raise NotAllowed(_("Only the city federation's administrators record objections."))
        body = plaintext.notes(text, field="text", label=_("Objection"))
        if not body:
            raise ServiceError(_("Write the objection."), field="text")
        _too_long(body, OBJECTION_MAX, "text")
        who = plaintext.line(raised_by, field="raised_by", label=_("Raised by"))
        _too_long(who, RAISED_BY_MAX, "raised_by")
        today = timezone.localdate()
        received = received_on or today
        assert current.notice_starts_on is not None and current.notice_ends_on is not None
        if received > today:
            raise ServiceError(_("An objection cannot be received in the future."), field="received_on")
        if not current.notice_starts_on <= received <= current.notice_ends_on:
            raise ServiceError(
                _("An objection is received during the public notice (%(start)s – %(end)s).")
                % {"start": current.notice_starts_on.isoformat(), "end": current.notice_ends_on.isoformat()},
                field="received_on",
            )
        objection = Objection.objects.create(
            nomination=current, received_on=received, raised_by=who, text=body, recorded_by=user_of(actor)
        )
        Nomination.objects.filter(pk=current.pk).update(updated_at=timezone.now())
        audit.record(
            actor,
            "honours.objection.record",
            obj=objection,
            object_repr=f"objection #{objection.pk}",
            organisation=current.organisation,
            detail={"nomination": current.pk, "text": audit.text_marker(body), "anonymous": not who},
        )
        return objection


def answer_objection(
    objection: Objection, *, actor: Any, upheld: bool, answer: str, version: int | None = None
) -> Objection:
    """Answer an open objection: upheld or dismissed, with ``answer`` (required). City
    administrators. An upheld objection bars the award (the nomination can only be not
    awarded)."""
    with transaction.atomic():
        current = _locked(objection.nomination)
        row = Objection.objects.select_for_update().get(pk=objection.pk)
        if not may_object(actor, current):
            if current.status != NominationStatus.NOTICE and Nomination.policy.allows(actor, "decide", current):
                raise ServiceError(_("Objections are answered while the nomination is on public notice."))
            raise NotAllowed(_("Only the city federation's administrators answer objections."))
        versioning.check_version(row, version)
        if row.status != ObjectionStatus.OPEN:
            raise ServiceError(_("This objection has been answered already."))
        text = plaintext.notes(answer, field="answer", label=_("Answer"))
        if not text:
            raise ServiceError(_("Write the answer to the objection."), field="answer")
        _too_long(text, OBJECTION_MAX, "answer")
        row.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
        row.answer = text
        row.answered_by = user_of(actor)
        row.answered_at = timezone.now()
        versioning.bump(row)
        row.save()
        Nomination.objects.filter(pk=current.pk).update(updated_at=timezone.now())
        audit.record(
            actor,
            "honours.objection.answer",
            obj=row,
            object_repr=f"objection #{row.pk}",
            organisation=current.organisation,
            detail={"nomination": current.pk, "outcome": row.status, "answer": audit.text_marker(text)},
        )
        return row


def _decision_blockers(nomination: Nomination, today: date, awarded: bool) -> str:
    """Why the city cannot decide yet ("" when it can)."""
    if nomination.notice_ends_on is None or today <= nomination.notice_ends_on:
        return _("The public notice runs until %(end)s: decide after it ends.") % {
            "end": nomination.notice_ends_on.isoformat() if nomination.notice_ends_on else "—"
        }
    objections = Objection.objects.filter(nomination=nomination)
    if objections.filter(status=ObjectionStatus.OPEN).exists():
        return _("An objection awaits its answer: answer it before deciding.")
    if awarded and objections.filter(status=ObjectionStatus.UPHELD).exists():
        return _("An objection was upheld: the nomination cannot be awarded.")
    return ""


def call_year(call: Call) -> int:
    """The year a call is for (2020 for 2020 年度表彰): its deadline's year in Asia/Shanghai
    (the call has no year of its own). Used in the certificate number."""
    return timezone.localtime(call.deadline, CALL_TIME_ZONE).year


def certificate_number(nomination: Nomination, year: int) -> str:
    """The certificate number of an awarded nomination: QDGH-<year>-<call>-<nomination>, the
    year being the call's (``call_year``), not the decision's."""
    return f"{CERTIFICATE_PREFIX}-{year}-{nomination.call_id:03d}-{nomination.pk:05d}"


@transaction.atomic
def decide(
    nomination: Nomination, *, actor: Any, awarded: bool, note: str = "", version: int | None = None
) -> Nomination:
    """The city's final decision on a nomination on notice, after the notice ended
    (``notice_ends_on`` before today) and with no open objection: awarded (a certificate number,
    ``decided_at``; refused while an objection was upheld) or not awarded (``note``: the
    reason, required)."""
    current = _locked(nomination)
    if current.status != NominationStatus.NOTICE:
        raise ServiceError(_("Only a nomination on public notice can be decided."), field="action")
    _require_city(actor, current)
    versioning.check_version(current, version)
    text = _note(note, required=not awarded, message=_("Give the reason for not awarding."))
    blocker = _decision_blockers(current, timezone.localdate(), awarded)
    if blocker:
        raise ServiceError(blocker, field="action")
    now = timezone.now()
    fields: dict[str, Any] = {"decided_at": now}
    if awarded:
        fields["certificate_no"] = certificate_number(current, call_year(current.call))
    return _move(
        current,
        actor=actor,
        to=NominationStatus.AWARDED if awarded else NominationStatus.NOT_AWARDED,
        step=AWARD if awarded else NOT_AWARD,
        note=text,
        fields=fields,
        detail={"certificate": fields["certificate_no"]} if awarded else None,
    )


def _comment_level(actor: Any, nomination: Nomination) -> Any:
    if Nomination.policy.allows_in(actor, "review", nomination.at_organisation):
        return nomination.at_organisation
    return nomination.organisation


def comment(nomination: Nomination, *, actor: Any, text: str) -> NominationNote:
    """A note on the nomination's timeline by someone who may change it (the unit, or a level it
    has reached), with the level it was written at."""
    with transaction.atomic():
        current = _locked(nomination)
        if not _may_change(actor, current):
            raise NotAllowed(str(NOMINATION_LIFECYCLE.texts.may_not_change))
        body = plaintext.notes(text, field="text", label=_("Note"))
        if not body:
            raise ServiceError(str(NOMINATION_LIFECYCLE.texts.write_the_note), field="text")
        _too_long(body, NOTE_MAX, "text")
        entry = NominationNote.objects.create(
            nomination=current, kind=NoteKind.NOTE, author=user_of(actor), text=body,
            level=_comment_level(actor, current),
        )
        Nomination.objects.filter(pk=current.pk).update(updated_at=timezone.now())
        audit.record(
            actor,
            f"{NOMINATION_LIFECYCLE.audit_prefix}.note",
            obj=current,
            object_repr=_repr(current),
            organisation=current.organisation,
            detail={"note": entry.pk, "at_level": entry.level.code if entry.level else None},
        )
        return entry


_STEPS: dict[str, Callable[..., Nomination]] = {
    SUBMIT: lambda n, actor, note, version: submit(n, actor=actor, note=note, version=version),
    RECOMMEND: lambda n, actor, note, version: recommend(n, actor=actor, note=note, version=version),
    RETURN: lambda n, actor, note, version: return_for_changes(n, actor=actor, note=note, version=version),
    REJECT: lambda n, actor, note, version: reject(n, actor=actor, note=note, version=version),
    WITHDRAW: lambda n, actor, note, version: withdraw(n, actor=actor, note=note, version=version),
    NOTICE: lambda n, actor, note, version: start_notice(n, actor=actor, note=note, version=version),
    AWARD: lambda n, actor, note, version: decide(n, actor=actor, awarded=True, note=note, version=version),
    NOT_AWARD: lambda n, actor, note, version: decide(n, actor=actor, awarded=False, note=note, version=version),
}


def apply(
    nomination: Nomination, *, actor: Any, action: str, note: str = "", version: int | None = None
) -> Nomination:
    """Do ``action`` (one of ``ACTIONS``: submit, recommend, return, reject, withdraw, notice,
    award, not_award) to ``nomination``: the transitions API and the pages' buttons."""
    step = _STEPS.get(action)
    if step is None:
        raise ServiceError(_("Unknown action."), field="action")
    return step(nomination, actor, note or "", version)


def may_edit(user: Any, nomination: Nomination) -> bool:
    """Whether ``user`` may edit ``nomination`` and its files (a draft or returned, "nominate")."""
    return nomination.status in EDITABLE and _may_change(user, nomination)


def available_actions(user: Any, nomination: Nomination) -> list[str]:
    """The ``ACTIONS`` ``user`` may do to ``nomination`` now (the pages' buttons; rules that
    need the database's state — the quota, the notice's end, open objections — are left to
    the services' refusals, except the notice's end and open objections for award/not_award)."""
    status = nomination.status
    found: set[str] = set()
    if may_edit(user, nomination):
        found.add(SUBMIT)
    reviews = status == NominationStatus.REVIEW and _reviews_here(user, nomination)
    if reviews:
        if not _is_root(nomination.at_organisation):
            found.add(RECOMMEND)
        found.update({RETURN, REJECT})
        if _is_root(nomination.at_organisation) and Nomination.policy.allows(user, "decide", nomination):
            found.add(NOTICE)
    if _may_withdraw(user, nomination):
        found.add(WITHDRAW)
    if status == NominationStatus.NOTICE and may_object(user, nomination):
        today = timezone.localdate()
        if not _decision_blockers(nomination, today, awarded=False):
            found.add(NOT_AWARD)
        if not _decision_blockers(nomination, today, awarded=True):
            found.add(AWARD)
    return [a for a in ACTIONS if a in found]
