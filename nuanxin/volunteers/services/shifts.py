"""Tasks, shifts and the volunteers' places on them.

- A task (with a place) of a team has a public sign-up link (``Task.token``, a secret); its
  shifts say how many people are needed.
- ``sign_up``: a volunteer signs up by the task's link without an account (name, mobile,
  consent): a volunteer of the team is found by mobile, else a new one is created. A full
  shift, a shift already started, a closed link or team are refused with a clear message; one
  place per volunteer per shift. The team and the shift are locked (``select_for_update``), so
  that two sign-ups at once never overfill a shift nor create the same volunteer twice.
- ``assign``: the team leader (or an administrator) puts a volunteer of the team on a shift.
- A volunteer never holds places on two shifts that overlap in time (sign-up, assignment, a
  shift moved, a no-show corrected): refused naming the other shift. The volunteer's row is
  locked while it is checked, so two places given at once cannot overlap either.
- ``check_in`` / ``check_out``: from the volunteer's own link (``Checkin.token``) or by the
  leader; the hours are the time between them within the shift (capped by it, never negative).
  By the link, no check-out before the shift starts; ``undo_check_out`` (a check-out by
  mistake): by the link within ``UNDO_CHECKOUT`` of it, by the leader any time.
- ``mark_no_shows``: after a shift ends, every place still "signed up" becomes a no-show (the
  leader's button, and the periodic job ``mark_due_no_shows``).
- ``set_people_served``, ``cancel``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core import audit
from nuanxin.core.errors import ServiceError
from nuanxin.core.policy import SYSTEM, user_of
from nuanxin.core.versioning import bump, check_version
from nuanxin.registry import normalise
from nuanxin.volunteers.choices import TAKEN, CheckinSource, CheckinStatus, TaskKind
from nuanxin.volunteers.models import Checkin, Shift, Task, Team, Volunteer
from nuanxin.volunteers.services.teams import clean_mobile

# A volunteer may check in this long before the shift starts.
EARLY_CHECKIN = timedelta(minutes=60)
# Shifts are planned at most this long.
LONGEST_SHIFT = timedelta(hours=24)
# The people served entered on one shift are at most this many (a whole day at a large testing
# site serves tens of thousands; more is a typing mistake, and the column holds at most 2**31 - 1).
MOST_SERVED = 100_000
# A volunteer may undo their own check-out (a tap by mistake) this long after it.
UNDO_CHECKOUT = timedelta(minutes=10)
TASK_FIELDS = ("title", "kind", "place", "description", "open_for_signup")


def new_token() -> str:
    return secrets.token_urlsafe(16)


def _hhmm(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%m-%d %H:%M")


def _span(shift: Shift) -> str:
    """A shift's times: "02-04 09:00–12:00" (the end's day too when it is another day)."""
    start, end = timezone.localtime(shift.starts_at), timezone.localtime(shift.ends_at)
    return (
        f"{start:%m-%d %H:%M}–{end:%H:%M}" if start.date() == end.date() else f"{start:%m-%d %H:%M}–{end:%m-%d %H:%M}"
    )


def _audit(actor: Any, action: str, obj: Any, organisation: Any, detail: dict) -> None:
    if actor is None:  # the volunteer by link: the system's row ("System (web)"), the action says how
        audit.record(SYSTEM, action, obj=obj, organisation=organisation, detail=detail)
    else:
        audit.record(actor, action, obj=obj, organisation=organisation, detail=detail)


# --- tasks -----------------------------------------------------------------------------------


def _task_values(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(TASK_FIELDS)
    if unknown:
        raise ServiceError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    values = dict(values)
    for key in ("title", "place"):
        if key in values:
            values[key] = normalise.text(values[key] or "")
            if not values[key]:
                raise ServiceError(_("This field is required."), field=key)
    if "kind" in values and values["kind"] not in TaskKind.values:
        raise ServiceError(_("Choose a kind of task."), field="kind")
    if "description" in values:
        values["description"] = (values["description"] or "").strip()
    if "open_for_signup" in values:
        values["open_for_signup"] = bool(values["open_for_signup"])
    return values


@transaction.atomic
def create_task(*, actor, team: Team, title: str, place: str, **values: Any) -> Task:
    team = Team.objects.select_related("organisation").get(pk=team.pk)
    Task.policy.require(actor, "change", Task(team=team))
    if not team.active:
        raise ServiceError(_("This team is closed: reopen it before adding tasks."))
    values = _task_values({"title": title, "place": place, **values})
    task = Task(team=team, token=new_token(), **values)
    task._history_user = user_of(actor)  # type: ignore[attr-defined]
    task.save()
    audit.record(actor, "volunteers.task.create", obj=task, organisation=team.organisation, detail={"team": team.pk})
    return task


@transaction.atomic
def change_task(*, actor, task: Task, version=None, new_link: bool = False, **values: Any) -> Task:
    """Change a task; ``open_for_signup=False`` closes its link, ``new_link=True`` replaces its
    secret (the old link stops working)."""
    task = Task.objects.select_for_update().select_related("team__organisation").get(pk=task.pk)
    Task.policy.require(actor, "change", task)
    check_version(task, version)
    values = _task_values(values)
    changed = sorted(k for k, v in values.items() if getattr(task, k) != v)
    if new_link:
        task.token = new_token()
        changed.append("token")
    if not changed:
        return task
    for key, value in values.items():
        setattr(task, key, value)
    task._history_user = user_of(actor)  # type: ignore[attr-defined]
    bump(task)
    task.save()
    audit.record(
        actor, "volunteers.task.change", obj=task, organisation=task.team.organisation, detail={"changed": changed}
    )
    return task


# --- shifts ----------------------------------------------------------------------------------


def _times(starts_at: Any, ends_at: Any) -> None:
    if starts_at is None or ends_at is None:
        raise ServiceError(_("Give the shift's start and end."), field="starts_at")
    if ends_at <= starts_at:
        raise ServiceError(_("A shift ends after it starts."), field="ends_at")
    if ends_at - starts_at > LONGEST_SHIFT:
        raise ServiceError(_("A shift lasts at most 24 hours: split a longer one."), field="ends_at")


def _needed(value: Any) -> int:
    try:
        needed = int(value)
    except (TypeError, ValueError):
        needed = 0
    if not 1 <= needed <= 1000:
        raise ServiceError(_("Say how many people are needed: 1 to 1000."), field="needed")
    return needed


@transaction.atomic
def add_shift(*, actor, task: Task, starts_at: datetime, ends_at: datetime, needed: int, notes: str = "") -> Shift:
    task = Task.objects.select_related("team__organisation").get(pk=task.pk)
    Shift.policy.require(actor, "change", Shift(task=task))
    _times(starts_at, ends_at)
    shift = Shift(task=task, starts_at=starts_at, ends_at=ends_at, needed=_needed(needed), notes=(notes or "").strip())
    shift._history_user = user_of(actor)  # type: ignore[attr-defined]
    shift.save()
    audit.record(
        actor,
        "volunteers.shift.create",
        obj=shift,
        organisation=task.team.organisation,
        detail={"task": task.pk, "needed": shift.needed},
    )
    return shift


def taken(shift: Shift) -> int:
    return shift.checkins.filter(status__in=TAKEN).count()


@transaction.atomic
def change_shift(*, actor, shift: Shift, version=None, **values: Any) -> Shift:
    """Change a shift's times, people needed (never below the places taken), notes, or the
    people served (from its start on)."""
    shift = Shift.objects.select_for_update().select_related("task__team__organisation").get(pk=shift.pk)
    Shift.policy.require(actor, "change", shift)
    check_version(shift, version)
    unknown = set(values) - {"starts_at", "ends_at", "needed", "notes", "people_served"}
    if unknown:
        raise ServiceError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if "needed" in values:
        values["needed"] = _needed(values["needed"])
        places = taken(shift)
        if values["needed"] < places:
            raise ServiceError(
                _("%(taken)s people already have a place on this shift: it cannot need fewer.") % {"taken": places},
                field="needed",
            )
    if "starts_at" in values or "ends_at" in values:
        starts_at, ends_at = values.get("starts_at", shift.starts_at), values.get("ends_at", shift.ends_at)
        _times(starts_at, ends_at)
        if (starts_at, ends_at) != (shift.starts_at, shift.ends_at):
            moved = Shift(pk=shift.pk, task=shift.task, starts_at=starts_at, ends_at=ends_at)
            ids = shift.checkins.filter(status__in=TAKEN).values_list("volunteer_id", flat=True)
            for volunteer in Volunteer.objects.select_for_update().filter(pk__in=list(ids)).order_by("pk"):
                _no_overlap(moved, volunteer, actor=actor)
    if "notes" in values:
        values["notes"] = (values["notes"] or "").strip()
    if "people_served" in values:
        served = values["people_served"]
        if served is not None:
            try:
                served = int(served)
            except (TypeError, ValueError):
                served = -1
            if served < 0:
                raise ServiceError(_("People served is a whole number, 0 or more."), field="people_served")
            if served > MOST_SERVED:
                raise ServiceError(
                    _("%(count)s people served on one shift is more than %(most)s: check the number.")
                    % {"count": served, "most": MOST_SERVED},
                    field="people_served",
                )
            if timezone.now() < shift.starts_at:
                raise ServiceError(
                    _("The people served are entered once the shift has started."), field="people_served"
                )
        values["people_served"] = served
    changed = sorted(k for k, v in values.items() if getattr(shift, k) != v)
    if not changed:
        return shift
    for key, value in values.items():
        setattr(shift, key, value)
    shift._history_user = user_of(actor)  # type: ignore[attr-defined]
    bump(shift)
    shift.save()
    detail: dict[str, Any] = {"changed": changed}
    if "people_served" in changed:
        detail["people_served"] = shift.people_served
    audit.record(actor, "volunteers.shift.change", obj=shift, organisation=shift.task.team.organisation, detail=detail)
    return shift


def set_people_served(*, actor, shift: Shift, people_served: Any, version=None) -> Shift:
    return change_shift(actor=actor, shift=shift, version=version, people_served=people_served)


# --- places: sign-up, assignment, cancellation -------------------------------------------------


def slots(shift: Shift) -> str:
    """The slot count: "2/3" (places taken / people needed)."""
    return f"{taken(shift)}/{shift.needed}"


def _no_overlap(shift: Shift, volunteer: Volunteer, *, actor: Any) -> None:
    """Refused when ``volunteer`` (locked by the caller) holds a place on another shift that
    overlaps ``shift`` in time: one person's hours never overlap."""
    other = (
        Checkin.objects.filter(
            volunteer=volunteer,
            status__in=TAKEN,
            shift__starts_at__lt=shift.ends_at,
            shift__ends_at__gt=shift.starts_at,
        )
        .exclude(shift_id=shift.pk)
        .select_related("shift__task")
        .order_by("shift__starts_at", "shift_id")
        .first()
    )
    if other is None:
        return
    names = {"task": other.shift.task.title, "time": _span(other.shift), "name": volunteer.name}
    if actor is None:
        message = (
            _("You already have a place on “%(task)s” at %(time)s, at the same time as this shift: choose another one.")
            % names
        )
    else:
        message = _("%(name)s already has a place on “%(task)s” at %(time)s, at the same time as this shift.") % names
    raise ServiceError(message, code="overlap", field="shift" if actor is None else "volunteer")


def _place(shift: Shift, volunteer: Volunteer, *, source: str, actor: Any, now: datetime) -> Checkin:
    """A place for ``volunteer`` on ``shift`` (both locked by the caller): refused when they
    already hold one, hold one on a shift overlapping it, or the shift is full."""
    existing = Checkin.objects.select_for_update().filter(shift=shift, volunteer=volunteer).first()
    if existing is not None and existing.status in TAKEN:
        raise ServiceError(
            _("You already have a place on this shift (%(time)s).") % {"time": _hhmm(shift.starts_at)}
            if actor is None
            else _("%(name)s already has a place on this shift.") % {"name": volunteer.name},
            code="already",
        )
    if existing is not None and existing.status == CheckinStatus.NO_SHOW:
        raise ServiceError(_("This volunteer was recorded as not coming to this shift."), code="no_show")
    _no_overlap(shift, volunteer, actor=actor)
    if taken(shift) >= shift.needed:
        raise ServiceError(
            _("This shift is full (%(needed)s of %(needed)s places taken): choose another one.")
            % {"needed": shift.needed},
            code="full",
            field="shift",
        )
    if existing is not None:  # cancelled before: the place is taken again
        existing.status = CheckinStatus.SIGNED_UP
        existing.source = source
        existing.checked_in_at = existing.checked_out_at = None
        existing.hours = Decimal("0")
        existing.created_by = user_of(actor)
        bump(existing)
        existing.save()
        return existing
    return Checkin.objects.create(
        shift=shift, volunteer=volunteer, source=source, token=new_token(), created_by=user_of(actor)
    )


@dataclass
class SignUp:
    checkin: Checkin
    new_volunteer: bool


def sign_up(*, task: Task, shift_id: int, name: str, mobile: str, consent: bool) -> SignUp:
    """A volunteer signs up to a shift of ``task`` by its public link (no account)."""
    name = normalise.text(name or "")
    if not name:
        raise ServiceError(_("Enter your name."), field="name")
    mobile = clean_mobile(mobile)
    if not consent:
        raise ServiceError(
            _("Tick the box to agree that the team leader may contact you about the shift."), field="consent"
        )
    with transaction.atomic():
        team = Team.objects.select_for_update().select_related("organisation").get(pk=task.team_id)
        task = Task.objects.get(pk=task.pk)
        if not team.active or not task.open_for_signup:
            raise ServiceError(_("This sign-up link is closed. Ask the team leader for a new one."), code="closed")
        shift = Shift.objects.select_for_update().filter(pk=shift_id, task=task).first()
        if shift is None:
            raise ServiceError(_("Choose one of the shifts listed."), field="shift")
        now = timezone.now()
        if shift.starts_at <= now:
            raise ServiceError(
                _("This shift has already started (%(time)s): choose a later one.") % {"time": _hhmm(shift.starts_at)},
                code="started",
                field="shift",
            )
        volunteer = Volunteer.objects.select_for_update().filter(team=team, mobile=mobile).first()
        new = volunteer is None
        if volunteer is not None and not volunteer.active:
            raise ServiceError(
                _("This mobile number cannot sign up to the team's shifts by link: please call the team leader."),
                code="inactive",
                field="mobile",
            )
        if volunteer is None:
            volunteer = Volunteer(
                team=team,
                name=name,
                mobile=mobile,
                consent_to_contact=True,
                consent_at=now,
                joined_on=timezone.localdate(now),
            )
            volunteer.save()
            _audit(None, "volunteers.volunteer.join", volunteer, team.organisation, {"team": team.pk, "consent": True})
        elif not volunteer.consent_to_contact:
            volunteer.consent_to_contact = True
            volunteer.consent_at = now
            bump(volunteer)
            volunteer.save()
        checkin = _place(shift, volunteer, source=CheckinSource.LINK, actor=None, now=now)
        _audit(
            None,
            "volunteers.checkin.signup",
            checkin,
            team.organisation,
            {"shift": shift.pk, "volunteer": volunteer.pk, "new_volunteer": new},
        )
    return SignUp(checkin=checkin, new_volunteer=new)


@transaction.atomic
def assign(*, actor, shift: Shift, volunteer: Volunteer) -> Checkin:
    """The team leader (or an administrator) gives ``volunteer`` a place on ``shift``."""
    shift = Shift.objects.select_for_update().select_related("task__team__organisation").get(pk=shift.pk)
    Checkin.policy.require(actor, "change", Checkin(shift=shift))
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if volunteer.team_id != shift.task.team_id:
        raise ServiceError(_("Only a volunteer of the task's team can be put on its shifts."), field="volunteer")
    if not volunteer.active:
        raise ServiceError(_("This volunteer is no longer active."), field="volunteer")
    now = timezone.now()
    if shift.ends_at <= now:
        raise ServiceError(_("This shift is over: nobody can be put on it any more."), field="shift")
    checkin = _place(shift, volunteer, source=CheckinSource.ASSIGNED, actor=actor, now=now)
    audit.record(
        actor,
        "volunteers.checkin.assign",
        obj=checkin,
        organisation=shift.task.team.organisation,
        detail={"shift": shift.pk, "volunteer": volunteer.pk},
    )
    return checkin


def _locked(checkin: Checkin) -> Checkin:
    return (
        Checkin.objects.select_for_update()
        .select_related("shift__task__team__organisation", "volunteer")
        .get(pk=checkin.pk)
    )


def _require(actor: Any, checkin: Checkin) -> None:
    if actor is not None:
        Checkin.policy.require(actor, "change", checkin)


@transaction.atomic
def cancel(*, actor, checkin: Checkin) -> Checkin:
    """The place given up: by the volunteer's own link (``actor=None``) before the shift
    starts, by the leader until it ends; a place checked in is not cancelled."""
    checkin = _locked(checkin)
    _require(actor, checkin)
    now = timezone.now()
    shift = checkin.shift
    if checkin.status == CheckinStatus.CANCELLED:
        return checkin
    if checkin.status != CheckinStatus.SIGNED_UP:
        raise ServiceError(_("Only a place not yet checked in can be cancelled."), code="state")
    if actor is None and shift.starts_at <= now:
        raise ServiceError(_("The shift has started: call the team leader to cancel."), code="started")
    if shift.ends_at <= now:
        raise ServiceError(_("This shift is over."), code="over")
    checkin.status = CheckinStatus.CANCELLED
    bump(checkin)
    checkin.save()
    _audit(actor, "volunteers.checkin.cancel", checkin, shift.task.team.organisation, {"shift": shift.pk})
    return checkin


def compute_hours(shift: Shift, checked_in_at: datetime, checked_out_at: datetime) -> Decimal:
    """The hours between check-in and check-out counted within the shift: never before its
    start nor after its end, never negative; two decimals."""
    start = max(checked_in_at, shift.starts_at)
    end = min(checked_out_at, shift.ends_at)
    seconds = max(0.0, (end - start).total_seconds())
    return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def check_in(*, actor, checkin: Checkin, at: datetime | None = None) -> Checkin:
    """Checked in now: by the volunteer's link (``actor=None``) from an hour before the start
    until the end; by the leader too (``at``: the time the volunteer came, not in the future).
    After the shift the leader records a volunteer who came but did not check in (a no-show
    corrected included): checked in from the shift's start."""
    checkin = _locked(checkin)
    _require(actor, checkin)
    now = timezone.now()
    shift = checkin.shift
    if actor is not None and at is None and now >= shift.ends_at:
        at = shift.starts_at
    at = at if (at is not None and actor is not None and at <= now) else now
    if checkin.status == CheckinStatus.CHECKED_IN:
        raise ServiceError(
            _("Already checked in at %(time)s.") % {"time": _hhmm(checkin.checked_in_at)}, code="checked_in"
        )
    if checkin.status == CheckinStatus.DONE:
        raise ServiceError(_("Already checked out: the hours are counted."), code="done")
    if checkin.status == CheckinStatus.CANCELLED:
        raise ServiceError(_("This place was cancelled."), code="cancelled")
    if checkin.status == CheckinStatus.NO_SHOW and actor is None:
        raise ServiceError(_("You were recorded as not coming: ask the team leader."), code="no_show")
    if at < shift.starts_at - EARLY_CHECKIN:
        raise ServiceError(
            _("Check-in opens an hour before the shift starts (%(time)s).") % {"time": _hhmm(shift.starts_at)},
            code="early",
        )
    if at >= shift.ends_at:
        raise ServiceError(_("This shift is over: the team leader can still record your times."), code="over")
    if checkin.status == CheckinStatus.NO_SHOW:  # the place is taken again: the volunteer's row is locked (_locked)
        _no_overlap(shift, checkin.volunteer, actor=actor)
    checkin.status = CheckinStatus.CHECKED_IN
    checkin.checked_in_at = at
    bump(checkin)
    checkin.save()
    _audit(actor, "volunteers.checkin.in", checkin, shift.task.team.organisation, {"shift": shift.pk})
    return checkin


@transaction.atomic
def check_out(*, actor, checkin: Checkin, at: datetime | None = None) -> Checkin:
    """Checked out: the hours computed (``compute_hours``). By the volunteer's link not before
    the shift starts (a tap by mistake next to 签到: nothing to count yet). The leader may check
    out after the shift (the hours stop at its end) and give the time the volunteer left
    (``at``); before the start too (left before it began: 0 hours)."""
    checkin = _locked(checkin)
    _require(actor, checkin)
    now = timezone.now()
    at = at if (at is not None and actor is not None and at <= now) else now
    shift = checkin.shift
    if checkin.status == CheckinStatus.DONE:
        raise ServiceError(_("Already checked out at %(time)s.") % {"time": _hhmm(checkin.checked_out_at)}, code="done")
    if checkin.status != CheckinStatus.CHECKED_IN or checkin.checked_in_at is None:
        raise ServiceError(_("Check in first."), code="not_in")
    if at < checkin.checked_in_at:
        raise ServiceError(_("The check-out comes after the check-in."), code="before_in")
    if actor is None and at < shift.starts_at:
        raise ServiceError(
            _("The shift starts at %(time)s: you can check out once it has started.")
            % {"time": _hhmm(shift.starts_at)},
            code="not_started",
        )
    checkin.status = CheckinStatus.DONE
    checkin.checked_out_at = at
    checkin.hours = compute_hours(shift, checkin.checked_in_at, at)
    bump(checkin)
    checkin.save()
    _audit(
        actor,
        "volunteers.checkin.out",
        checkin,
        shift.task.team.organisation,
        {"shift": shift.pk, "hours": str(checkin.hours)},
    )
    return checkin


def may_undo_check_out(checkin: Checkin, now: datetime) -> bool:
    """Whether the volunteer's own link may still undo the check-out."""
    return (
        checkin.status == CheckinStatus.DONE
        and checkin.checked_out_at is not None
        and now <= checkin.checked_out_at + UNDO_CHECKOUT
    )


@transaction.atomic
def undo_check_out(*, actor, checkin: Checkin) -> Checkin:
    """A check-out by mistake undone: checked in again (since the same time), no hours counted
    until the next check-out. By the volunteer's link (``actor=None``) within ``UNDO_CHECKOUT``
    of the check-out; by the leader any time (a correction, in the audit trail)."""
    checkin = _locked(checkin)
    _require(actor, checkin)
    now = timezone.now()
    if checkin.status != CheckinStatus.DONE or checkin.checked_out_at is None:
        raise ServiceError(_("Only a place checked out can have its check-out undone."), code="state")
    if actor is None and not may_undo_check_out(checkin, now):
        raise ServiceError(
            _("A check-out can be undone within %(minutes)s minutes only: ask the team leader.")
            % {"minutes": int(UNDO_CHECKOUT.total_seconds() // 60)},
            code="too_late",
        )
    shift = checkin.shift
    undone = {"shift": shift.pk, "undone_check_out": _hhmm(checkin.checked_out_at), "hours": str(checkin.hours)}
    checkin.status = CheckinStatus.CHECKED_IN
    checkin.checked_out_at = None
    checkin.hours = Decimal("0")
    bump(checkin)
    checkin.save()
    _audit(actor, "volunteers.checkin.undo_out", checkin, shift.task.team.organisation, undone)
    return checkin


def _no_shows(actor: Any, shift: Shift) -> int:
    rows = list(Checkin.objects.select_for_update().filter(shift=shift, status=CheckinStatus.SIGNED_UP))
    for checkin in rows:
        checkin.status = CheckinStatus.NO_SHOW
        bump(checkin)
        checkin.save()
    if rows:
        audit.record(
            actor,
            "volunteers.shift.no_shows",
            obj=shift,
            organisation=shift.task.team.organisation,
            detail={"count": len(rows), "volunteers": [c.volunteer_id for c in rows]},
        )
    return len(rows)


@transaction.atomic
def mark_no_shows(*, actor, shift: Shift) -> int:
    """After ``shift`` ends, every place still "signed up" is a no-show: how many."""
    shift = Shift.objects.select_for_update().select_related("task__team__organisation").get(pk=shift.pk)
    Shift.policy.require(actor, "change", shift)
    if timezone.now() < shift.ends_at:
        raise ServiceError(_("No-shows are recorded after the shift ends (%(time)s).") % {"time": _hhmm(shift.ends_at)})
    return _no_shows(actor, shift)


def mark_due_no_shows(*, actor=SYSTEM) -> int:
    """The periodic job: no-shows of every shift that has ended (idempotent)."""
    now = timezone.now()
    count = 0
    ids = list(
        Shift.objects.filter(ends_at__lte=now, checkins__status=CheckinStatus.SIGNED_UP)
        .values_list("pk", flat=True)
        .distinct()
    )
    for pk in ids:
        with transaction.atomic():
            shift = Shift.objects.select_for_update().select_related("task__team__organisation").get(pk=pk)
            count += _no_shows(actor, shift)
    return count


def by_token(token: str) -> Checkin | None:
    if not token or len(token) > 32:
        return None
    return Checkin.objects.select_related("shift__task__team__organisation", "volunteer").filter(token=token).first()


def task_by_token(token: str) -> Task | None:
    if not token or len(token) > 32:
        return None
    return Task.objects.select_related("team__organisation").filter(token=token).first()
