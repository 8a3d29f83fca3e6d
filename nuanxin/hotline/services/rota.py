"""The duty rota: shift patterns, shifts generated from them, duties (who is on which shift),
swap requests between counsellors, the gap notices and the personal calendar feed.

Who may do what (``Shift.policy`` and the other rota models): the hotline's coordinators and
the administrators of its organisation "plan" (patterns, shifts, duties, deciding swaps); its
counsellors and supervisors "swap" (ask to hand a duty over). The rules:

- Only active counsellors and supervisors of the hotline (active accounts) hold duties.
- Nobody holds two duties whose shifts overlap in time, on any hotline (checked when a duty
  is given and again when a swap is approved, under row locks).
- A shift that has ended is history: its duties are not changed (a running shift still is:
  someone falls ill).
- Patterns of one hotline whose shifts overlap in time are refused unless the coordinator
  says it is intended (``allow_overlap``): the usual rota is a day cut into shifts; an extra
  evening shift over a busy time is the exception, chosen on purpose.
- Generating shifts is idempotent: a shift that exists (same hotline, start and end) is kept
  with its duties, never duplicated; shifts already over are not made.

Times are Asia/Shanghai wall-clock times (``TIME_ZONE``) made aware; a shift's end is its
start plus its hours in real time, so a night shift from 00:00 or 22:00 ends on the next day.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from nuanxin.accounts.models import User
from nuanxin.core import audit, plaintext
from nuanxin.core.errors import Conflict, NotAllowed, ServiceError
from nuanxin.core.policy import SYSTEM, is_system, user_of
from nuanxin.hotline.choices import MemberKind, SwapStatus
from nuanxin.hotline.models import (
    CalendarFeed,
    Hotline,
    HotlineMember,
    Shift,
    ShiftAssignment,
    ShiftPattern,
    SwapRequest,
)
from nuanxin.notify.services import Sms, notify

UTC = ZoneInfo("UTC")
DUTY_KINDS = (MemberKind.COUNSELLOR, MemberKind.SUPERVISOR)
MAX_WEEKS = 12  # generated at once
WEEK_MINUTES = 7 * 24 * 60


def gap_notice_days() -> int:
    """How many days ahead a shift below its minimum seats is notified to the coordinators
    (``NUANXIN_HOTLINE_GAP_NOTICE_DAYS``, default 3)."""
    return int(getattr(settings, "NUANXIN_HOTLINE_GAP_NOTICE_DAYS", 3))


def _url(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _name(user: Any) -> str:
    return str(user.full_name or user.username)


def _shift_label(shift: Shift) -> str:
    start, end = timezone.localtime(shift.starts_at), timezone.localtime(shift.ends_at)
    if start.date() == end.date() or (end.time() == time(0, 0) and end.date() == start.date() + timedelta(days=1)):
        return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"
    return f"{start:%Y-%m-%d %H:%M}–{end:%m-%d %H:%M}"


def _require_plan(actor: Any, hotline: Hotline) -> None:
    Shift.policy.require(actor, "plan", Shift(hotline=hotline), _("You may not plan this hotline's rota."))


def _not_over(shift: Shift, *, now: datetime | None = None) -> None:
    if shift.ends_at <= (now or timezone.now()):
        raise ServiceError(_("This shift is over: its duties can no longer be changed."), code="past", field="shift")


# --- shift patterns ---------------------------------------------------------------------------


def _weekdays(value: Any) -> str:
    days = "".join(sorted({str(d) for d in (value if isinstance(value, list | tuple | set) else str(value or ""))}))
    if not days or any(d not in "0123456" for d in days):
        raise ServiceError(_("Choose the days the shift runs."), field="weekdays")
    return days


def _hours(value: Any) -> int:
    try:
        hours = int(value)
    except (TypeError, ValueError):
        raise ServiceError(_("The hours must be a whole number from 1 to 24."), field="hours") from None
    if not 1 <= hours <= 24:
        raise ServiceError(_("The hours must be a whole number from 1 to 24."), field="hours")
    return hours


def _seats(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        seats = int(value)
    except (TypeError, ValueError):
        raise ServiceError(_("The minimum seats must be between 1 and 50."), field="min_seats") from None
    if not 1 <= seats <= 50:
        raise ServiceError(_("The minimum seats must be between 1 and 50."), field="min_seats")
    return seats


def _spans(starts_at: time, hours: int, weekdays: str) -> list[tuple[int, int]]:
    """The minutes of the week (Monday 00:00 = 0) a pattern's shifts cover, a shift running
    past Sunday midnight wrapping to Monday."""
    spans = []
    for day in weekdays:
        start = int(day) * 24 * 60 + starts_at.hour * 60 + starts_at.minute
        end = start + hours * 60
        if end <= WEEK_MINUTES:
            spans.append((start, end))
        else:
            spans += [(start, WEEK_MINUTES), (0, end - WEEK_MINUTES)]
    return spans


def overlapping_patterns(
    hotline: Hotline, starts_at: time, hours: int, weekdays: str, *, exclude: int | None = None
) -> list[ShiftPattern]:
    """The hotline's active patterns whose shifts overlap those of the pattern described."""
    mine = _spans(starts_at, hours, weekdays)
    found = []
    for other in ShiftPattern.objects.filter(hotline=hotline, active=True).exclude(pk=exclude).order_by("starts_at"):
        theirs = _spans(other.starts_at, other.hours, other.weekdays)
        if any(a < d and c < b for a, b in mine for c, d in theirs):
            found.append(other)
    return found


def _check_pattern(
    hotline: Hotline, *, name: Any, starts_at: Any, hours: Any, weekdays: Any, min_seats: Any,
    allow_overlap: bool, active: bool, exclude: int | None = None,
) -> dict[str, Any]:
    text = plaintext.line(name, field="name", label=_("name"))
    if not text:
        raise ServiceError(_("Enter the name of the shift."), field="name")
    if len(text) > 40:
        raise ServiceError(_("The name must be at most 40 characters."), field="name")
    if not isinstance(starts_at, time):
        raise ServiceError(_("Enter the time the shift starts."), field="starts_at")
    start, length, days = starts_at.replace(second=0, microsecond=0), _hours(hours), _weekdays(weekdays)
    values = {
        "name": text,
        "starts_at": start,
        "hours": length,
        "weekdays": days,
        "min_seats": _seats(min_seats),
        "active": bool(active),
    }
    if active and not allow_overlap:
        clash = overlapping_patterns(hotline, start, length, days, exclude=exclude)
        if clash:
            raise ServiceError(
                _(
                    "This shift overlaps “%(other)s” (%(start)s, %(hours)d hours). Change the times, or tick "
                    "“overlap intended” to keep both."
                )
                % {"other": clash[0].name, "start": f"{clash[0].starts_at:%H:%M}", "hours": clash[0].hours},
                field="starts_at",
            )
    return values


def _pattern_detail(pattern: ShiftPattern) -> dict[str, Any]:
    return {
        "hotline": pattern.hotline_id,
        "name": pattern.name,
        "starts_at": f"{pattern.starts_at:%H:%M}",
        "hours": pattern.hours,
        "weekdays": list(pattern.weekdays),  # ["0", "5"]: each day labelled on the audit page
        "min_seats": pattern.min_seats,
        "active": pattern.active,
    }


@transaction.atomic
def create_pattern(
    *,
    actor: Any,
    hotline: Hotline,
    name: str,
    starts_at: time,
    hours: int,
    weekdays: str = "0123456",
    min_seats: int | None = None,
    allow_overlap: bool = False,
) -> ShiftPattern:
    """A recurring shift of ``hotline`` (e.g. "早班" from 08:00 for 8 hours, every day);
    ``min_seats`` None means the hotline's."""
    _require_plan(actor, hotline)
    values = _check_pattern(
        hotline, name=name, starts_at=starts_at, hours=hours, weekdays=weekdays, min_seats=min_seats,
        allow_overlap=allow_overlap, active=True,
    )
    pattern = ShiftPattern.objects.create(hotline=hotline, **values)
    audit.record(
        actor, "hotline.pattern_create", obj=pattern, organisation=hotline.organisation, detail=_pattern_detail(pattern)
    )
    return pattern


@transaction.atomic
def update_pattern(
    *,
    actor: Any,
    pattern: ShiftPattern,
    name: str,
    starts_at: time,
    hours: int,
    weekdays: str,
    min_seats: int | None = None,
    active: bool = True,
    allow_overlap: bool = False,
) -> ShiftPattern:
    """Change a pattern: shifts generated from now on follow it; shifts already made stay as
    they are (change or remove them on the rota)."""
    hotline = pattern.hotline
    _require_plan(actor, hotline)
    pattern = ShiftPattern.objects.select_for_update().get(pk=pattern.pk)
    values = _check_pattern(
        hotline, name=name, starts_at=starts_at, hours=hours, weekdays=weekdays, min_seats=min_seats,
        allow_overlap=allow_overlap, active=active, exclude=pattern.pk,
    )
    changed = sorted(k for k, v in values.items() if getattr(pattern, k) != v)
    for key, value in values.items():
        setattr(pattern, key, value)
    pattern.save()
    audit.record(
        actor, "hotline.pattern_update", obj=pattern, organisation=hotline.organisation,
        detail={**_pattern_detail(pattern), "changed": changed},
    )
    return pattern


@transaction.atomic
def delete_pattern(*, actor: Any, pattern: ShiftPattern) -> None:
    """Remove a pattern: no more shifts are generated from it; the shifts it made stay."""
    hotline = pattern.hotline
    _require_plan(actor, hotline)
    detail = _pattern_detail(pattern)
    audit.record(actor, "hotline.pattern_delete", obj=pattern, organisation=hotline.organisation, detail=detail)
    pattern.delete()


# --- shifts -----------------------------------------------------------------------------------


def shift_times(day: date, starts_at: time, hours: int) -> tuple[datetime, datetime]:
    """The aware start (``day`` at ``starts_at``, local) and end (``hours`` later in real time)
    of a shift."""
    start = timezone.make_aware(datetime.combine(day, starts_at))
    end = (start.astimezone(UTC) + timedelta(hours=hours)).astimezone(start.tzinfo)
    return start, end


@transaction.atomic
def generate_shifts(*, actor: Any, hotline: Hotline, start: date, weeks: int) -> list[Shift]:
    """Make the shifts of ``hotline``'s active patterns for ``weeks`` weeks from ``start`` (a
    day; 1 to 12 weeks). Shifts that exist are kept as they are (the same start and end, or the
    same start from the same pattern whose hours changed since), shifts already over are not
    made: running it twice makes nothing the second time. Returns the new shifts, by start."""
    _require_plan(actor, hotline)
    try:
        weeks = int(weeks)
    except (TypeError, ValueError):
        weeks = 0
    if not 1 <= weeks <= MAX_WEEKS:
        raise ServiceError(
            _("Generate between 1 and %(max)d weeks at a time.") % {"max": MAX_WEEKS}, field="weeks"
        )
    if not isinstance(start, date) or isinstance(start, datetime):
        raise ServiceError(_("Enter the first day."), field="start")
    if not hotline.active:
        raise ServiceError(_("This hotline is closed: no shifts are planned for it."), field="hotline")
    # Serialise generators of the same hotline (the unique constraint would catch a race too).
    Hotline.objects.select_for_update().filter(pk=hotline.pk).first()
    now = timezone.now()
    patterns = list(ShiftPattern.objects.filter(hotline=hotline, active=True).order_by("starts_at", "pk"))
    wanted: dict[tuple[datetime, datetime], ShiftPattern] = {}
    for offset in range(weeks * 7):
        day = start + timedelta(days=offset)
        for pattern in patterns:
            if str(day.weekday()) not in pattern.weekdays:
                continue
            starts, ends = shift_times(day, pattern.starts_at, pattern.hours)
            if ends > now:
                wanted.setdefault((starts, ends), pattern)
    # A shift exists already when one starts at the same moment with the same end, or comes from
    # the same pattern (its hours changed since: the shift on the rota is kept as it is).
    same_times: set[tuple[datetime, datetime]] = set()
    same_pattern: set[tuple[datetime, int | None]] = set()
    if wanted:
        first, last = min(k[0] for k in wanted), max(k[0] for k in wanted)
        for starts, ends, pattern_id in Shift.objects.filter(
            hotline=hotline, starts_at__gte=first, starts_at__lte=last
        ).values_list("starts_at", "ends_at", "pattern_id"):
            same_times.add((starts, ends))
            same_pattern.add((starts, pattern_id))
    new = [
        Shift(
            hotline=hotline,
            pattern=pattern,
            starts_at=starts,
            ends_at=ends,
            min_seats=pattern.min_seats or hotline.min_seats,
        )
        for (starts, ends), pattern in sorted(wanted.items(), key=lambda item: item[0])
        if (starts, ends) not in same_times and (starts, pattern.pk) not in same_pattern
    ]
    Shift.objects.bulk_create(new, ignore_conflicts=True)
    keys = {(s.starts_at, s.ends_at) for s in new}
    created = [
        s
        for s in Shift.objects.filter(hotline=hotline, starts_at__in=[k[0] for k in keys]).order_by("starts_at", "pk")
        if (s.starts_at, s.ends_at) in keys
    ]
    audit.record(
        actor,
        "hotline.shifts_generate",
        object_type="hotline.hotline",
        object_id=hotline.pk,
        object_repr=hotline.name,
        organisation=hotline.organisation,
        detail={"hotline": hotline.pk, "start": start.isoformat(), "weeks": weeks, "created": len(created),
                "kept": len(wanted) - len(created)},
    )
    return created


@transaction.atomic
def delete_shift(*, actor: Any, shift: Shift) -> None:
    """Remove a shift that has not started and has nobody on duty (a day the hotline is
    closed)."""
    _require_plan(actor, shift.hotline)
    shift = Shift.objects.select_for_update().get(pk=shift.pk)
    if shift.starts_at <= timezone.now():
        raise ServiceError(_("A shift that has started cannot be removed."), field="shift")
    if shift.assignments.exists():
        raise ServiceError(_("Take everyone off this shift before removing it."), field="shift")
    audit.record(
        actor, "hotline.shift_delete", obj=shift, organisation=shift.hotline.organisation,
        detail={"hotline": shift.hotline_id, "starts_at": shift.starts_at.isoformat()},
    )
    shift.delete()


# --- duties -----------------------------------------------------------------------------------


def may_hold_duties(user: Any, hotline: Hotline) -> bool:
    """Whether ``user`` is an active counsellor or supervisor of ``hotline`` with an active
    account (who a duty may be given to)."""
    return bool(
        getattr(user, "is_active", False)
        and HotlineMember.objects.filter(hotline=hotline, user_id=user.pk, kind__in=DUTY_KINDS, active=True).exists()
    )


def _clash(user_id: int, starts: datetime, ends: datetime, *, exclude: tuple[int, ...] = ()) -> ShiftAssignment | None:
    """A duty of the user on a shift overlapping ``[starts, ends)``, on any hotline."""
    return (
        ShiftAssignment.objects.filter(counsellor_id=user_id, shift__starts_at__lt=ends, shift__ends_at__gt=starts)
        .exclude(pk__in=exclude)
        .select_related("shift__hotline")
        .first()
    )


def _refuse_clash(user: Any, clash: ShiftAssignment) -> None:
    raise Conflict(
        _("%(name)s is already on duty then: %(hotline)s, %(shift)s.")
        % {"name": _name(user), "hotline": clash.shift.hotline.name, "shift": _shift_label(clash.shift)},
        field="counsellor",
    )


def _lock_people(*users: Any) -> None:
    """Lock the accounts whose duties are about to change, in id order: two planners giving
    the same person overlapping shifts at once are served one after the other."""
    ids = sorted({u.pk for u in users})
    list(User.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


@transaction.atomic
def assign(*, actor: Any, shift: Shift, counsellor: Any) -> ShiftAssignment:
    """Put ``counsellor`` on duty for ``shift``: an active counsellor or supervisor of the
    shift's hotline, free at that time (on every hotline), the shift not over."""
    hotline = shift.hotline
    _require_plan(actor, hotline)
    _lock_people(counsellor)
    shift = Shift.objects.select_for_update().select_related("hotline").get(pk=shift.pk)
    _not_over(shift)
    if not may_hold_duties(counsellor, hotline):
        raise ServiceError(
            _("%(name)s is not a counsellor or supervisor of this hotline.") % {"name": _name(counsellor)},
            field="counsellor",
        )
    if ShiftAssignment.objects.filter(shift=shift, counsellor_id=counsellor.pk).exists():
        raise Conflict(_("%(name)s is already on this shift.") % {"name": _name(counsellor)}, field="counsellor")
    clash = _clash(counsellor.pk, shift.starts_at, shift.ends_at)
    if clash is not None:
        _refuse_clash(counsellor, clash)
    duty = ShiftAssignment.objects.create(shift=shift, counsellor=counsellor, created_by=user_of(actor))
    audit.record(
        actor, "hotline.duty_assign", obj=duty, organisation=hotline.organisation,
        detail={"hotline": hotline.pk, "shift": shift.pk, "user": counsellor.pk},
    )
    return duty


@transaction.atomic
def unassign(*, actor: Any, shift: Shift, counsellor: Any) -> None:
    """Take ``counsellor`` off ``shift`` (not over yet). A duty with a swap request waiting for
    the coordinator is decided first."""
    hotline = shift.hotline
    _require_plan(actor, hotline)
    shift = Shift.objects.select_for_update().select_related("hotline").get(pk=shift.pk)
    _not_over(shift)
    duty = ShiftAssignment.objects.select_for_update().filter(shift=shift, counsellor_id=counsellor.pk).first()
    if duty is None:
        raise Conflict(_("%(name)s is not on this shift.") % {"name": _name(counsellor)}, field="counsellor")
    if SwapRequest.objects.filter(Q(assignment=duty) | Q(offered=duty), status=SwapStatus.PENDING).exists():
        raise Conflict(
            _("A swap of this duty is waiting for a decision: approve or reject it first."), field="counsellor"
        )
    audit.record(
        actor, "hotline.duty_unassign", obj=duty, organisation=hotline.organisation,
        detail={"hotline": hotline.pk, "shift": shift.pk, "user": counsellor.pk},
    )
    duty.delete()


# --- swaps ------------------------------------------------------------------------------------


def _swap_detail(swap: SwapRequest) -> dict[str, Any]:
    return {
        "hotline": swap.assignment.shift.hotline_id,
        "shift": swap.assignment.shift_id,
        "requested_by": swap.requested_by_id,
        "taker": swap.taker_id,
        "offered_shift": swap.offered.shift_id if swap.offered is not None else None,
    }


def _coordinators(hotline: Hotline) -> list[Any]:
    """Who plans the hotline's rota and is told about it: its active coordinators (active
    accounts); if it has none, the administrators of its organisation."""
    ids = HotlineMember.objects.filter(hotline=hotline, kind=MemberKind.COORDINATOR, active=True).values("user_id")
    people = list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))
    if people:
        return people
    return list(Hotline.policy.holders("manage", hotline.organisation).order_by("pk"))


@transaction.atomic
def request_swap(
    *, actor: Any, assignment: ShiftAssignment, taker: Any, offered: ShiftAssignment | None = None, note: str = ""
) -> SwapRequest:
    """The counsellor on duty asks to hand ``assignment`` to ``taker`` (a colleague of the same
    hotline), optionally taking the colleague's duty ``offered`` in exchange; the hotline's
    coordinator decides. One request at a time per duty."""
    assignment = ShiftAssignment.objects.select_related("shift__hotline", "counsellor").get(pk=assignment.pk)
    shift, hotline = assignment.shift, assignment.shift.hotline
    ShiftAssignment.policy.require(actor, "swap", assignment, _("You may not ask for swaps on this hotline."))
    # One request at a time per duty: two asked at the same moment are served one after the other.
    ShiftAssignment.objects.select_for_update().filter(pk=assignment.pk).first()
    if is_system(actor) or assignment.counsellor_id != actor.pk:
        raise NotAllowed(_("Only the counsellor on duty asks to swap it."))
    _not_over(shift)
    if shift.starts_at <= timezone.now():
        raise ServiceError(_("This shift has started: ask the coordinator instead."), field="shift")
    if taker is None or taker.pk == actor.pk:
        raise ServiceError(_("Choose the colleague who takes the duty."), field="taker")
    if not may_hold_duties(taker, hotline):
        raise ServiceError(
            _("%(name)s is not a counsellor or supervisor of this hotline.") % {"name": _name(taker)}, field="taker"
        )
    if offered is not None:
        offered = ShiftAssignment.objects.select_related("shift__hotline").get(pk=offered.pk)
        if offered.counsellor_id != taker.pk or offered.shift.hotline_id != hotline.pk:
            raise ServiceError(_("Choose one of the colleague's duties on this hotline."), field="offered")
        if offered.shift.starts_at <= timezone.now():
            raise ServiceError(_("That duty has started or is over."), field="offered")
    text = plaintext.line(note, field="note", label=_("note"))
    if len(text) > 200:
        raise ServiceError(_("The note must be at most 200 characters."), field="note")
    if SwapRequest.objects.filter(assignment=assignment, status=SwapStatus.PENDING).exists():
        raise Conflict(_("A swap of this duty is already waiting for the coordinator."), field="taker")
    _check_swap(assignment, taker, offered)
    swap = SwapRequest.objects.create(
        assignment=assignment, requested_by=actor, taker=taker, offered=offered, note=text
    )
    audit.record(
        actor, "hotline.swap_request", obj=swap, organisation=hotline.organisation,
        detail={**_swap_detail(swap), "note": audit.text_marker(text)},
    )
    label = _shift_label(shift)
    for person in _coordinators(hotline):
        notify(
            recipient=person,
            kind="hotline.swap_requested",
            occasion=str(swap.pk),
            texts=lambda: (
                _("Swap request on %(hotline)s") % {"hotline": hotline.name},
                _("%(name)s asks to hand the shift %(shift)s to %(taker)s.")
                % {"name": _name(actor), "shift": label, "taker": _name(taker)},
            ),
            url=_url("hotline:swap_list"),
        )
    return swap


def _check_swap(assignment: ShiftAssignment, taker: Any, offered: ShiftAssignment | None) -> None:
    """Neither person is double booked once the duties move (each one's own moved duty left out)."""
    shift = assignment.shift
    if offered is not None and offered.shift_id == shift.pk:
        raise ServiceError(_("You are both on that shift already."), field="offered")
    exclude = (offered.pk,) if offered is not None else ()
    clash = _clash(taker.pk, shift.starts_at, shift.ends_at, exclude=exclude)
    if clash is not None:
        _refuse_clash(taker, clash)
    if offered is not None:
        clash = _clash(
            assignment.counsellor_id, offered.shift.starts_at, offered.shift.ends_at, exclude=(assignment.pk,)
        )
        if clash is not None:
            _refuse_clash(assignment.counsellor, clash)


@transaction.atomic
def withdraw_swap(*, actor: Any, swap: SwapRequest) -> SwapRequest:
    """The counsellor who asked withdraws a request still waiting."""
    swap = SwapRequest.objects.select_for_update().select_related("assignment__shift__hotline").get(pk=swap.pk)
    SwapRequest.policy.require(actor, "swap", swap, _("You may not ask for swaps on this hotline."))
    if is_system(actor) or swap.requested_by_id != actor.pk:
        raise NotAllowed(_("Only the counsellor who asked withdraws a swap request."))
    if swap.status != SwapStatus.PENDING:
        raise Conflict(_("This swap request is already decided or withdrawn."))
    swap.status = SwapStatus.CANCELLED
    swap.decided_at = timezone.now()
    swap.save(update_fields=["status", "decided_at"])
    audit.record(
        actor, "hotline.swap_withdraw", obj=swap, organisation=swap.assignment.shift.hotline.organisation,
        detail=_swap_detail(swap),
    )
    return swap


@transaction.atomic
def decide_swap(*, actor: Any, swap: SwapRequest, approve: bool) -> SwapRequest:
    """The coordinator (or an administrator of the hotline's organisation) approves or rejects
    a waiting swap request. Approving moves the duty (and the one offered in exchange) in one
    transaction, under row locks, after checking again that both people still serve the
    hotline, the shifts have not started and nobody is double booked."""
    swap = SwapRequest.objects.select_related("assignment__shift__hotline").get(pk=swap.pk)
    hotline = swap.assignment.shift.hotline
    SwapRequest.policy.require(actor, "plan", swap, _("You may not plan this hotline's rota."))
    if not is_system(actor) and actor.pk == swap.requested_by_id:
        raise NotAllowed(_("Someone else decides your own swap request."))
    people = User.objects.filter(pk__in=[swap.requested_by_id, swap.taker_id])
    _lock_people(*people)
    swap = SwapRequest.objects.select_for_update().get(pk=swap.pk)
    if swap.status != SwapStatus.PENDING:
        raise Conflict(_("This swap request is already decided or withdrawn."))
    duties = {
        d.pk: d
        for d in ShiftAssignment.objects.select_for_update()
        .filter(pk__in=[swap.assignment_id, *([swap.offered_id] if swap.offered_id else [])])
        .select_related("shift__hotline", "counsellor")
    }
    duty, offered = duties[swap.assignment_id], duties.get(swap.offered_id) if swap.offered_id else None
    taker, requester = swap.taker, swap.requested_by
    if approve:
        now = timezone.now()
        for moved in (duty, offered):
            if moved is not None and moved.shift.starts_at <= now:
                raise Conflict(_("A shift of this swap has started: it can no longer be approved."))
        if not may_hold_duties(taker, hotline):
            raise Conflict(_("%(name)s no longer serves this hotline.") % {"name": _name(taker)})
        if offered is not None and not may_hold_duties(requester, hotline):
            raise Conflict(_("%(name)s no longer serves this hotline.") % {"name": _name(requester)})
        _check_swap(duty, taker, offered)
        duty.counsellor = taker
        duty.save(update_fields=["counsellor"])
        if offered is not None:
            offered.counsellor = requester
            offered.save(update_fields=["counsellor"])
    swap.status = SwapStatus.APPROVED if approve else SwapStatus.REJECTED
    swap.decided_by = user_of(actor)
    swap.decided_at = timezone.now()
    swap.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(
        actor, "hotline.swap_approve" if approve else "hotline.swap_reject", obj=swap,
        organisation=hotline.organisation, detail=_swap_detail(swap),
    )
    label = _shift_label(duty.shift)
    for person in (requester, taker):
        notify(
            recipient=person,
            kind="hotline.swap_decided",
            occasion=str(swap.pk),
            texts=lambda: (
                (_("Swap approved: %(shift)s") if approve else _("Swap rejected: %(shift)s")) % {"shift": label},
                _("%(name)s's shift %(shift)s on %(hotline)s: %(taker)s takes it.")
                % {"name": _name(requester), "shift": label, "hotline": hotline.name, "taker": _name(taker)}
                if approve
                else _("%(name)s's shift %(shift)s on %(hotline)s stays as planned.")
                % {"name": _name(requester), "shift": label, "hotline": hotline.name},
            ),
            url=_url("hotline:my_duties"),
        )
    return swap


# --- gaps -------------------------------------------------------------------------------------


def notify_gaps(*, actor: Any = SYSTEM, now: datetime | None = None) -> int:
    """Tell the coordinators of each hotline (none: the administrators of its organisation)
    about every shift starting within ``gap_notice_days()`` with fewer people than its minimum
    seats: once per shift and number of people on it (a shift that loses one more is told
    again). Returns the notifications sent now."""
    now = now or timezone.now()
    gaps = list(
        Shift.objects.filter(
            starts_at__gt=now, starts_at__lte=now + timedelta(days=gap_notice_days()), hotline__active=True
        )
        .annotate(filled=Count("assignments"))
        .filter(filled__lt=F("min_seats"))
        .select_related("hotline__organisation")
        .order_by("starts_at", "pk")
    )
    sent = 0
    told: list[int] = []
    recipients: dict[int, list[Any]] = {}
    for shift in gaps:
        hotline = shift.hotline
        if hotline.pk not in recipients:
            recipients[hotline.pk] = _coordinators(hotline)
        label, missing = _shift_label(shift), shift.min_seats - shift.filled  # type: ignore[attr-defined]
        week = timezone.localtime(shift.starts_at).date()
        url = _url("hotline:rota_week", hotline.pk)
        url += f"?week={week - timedelta(days=week.weekday())}" if url else ""
        sms_text = _("Nuanxin: the shift %(shift)s of %(hotline)s is %(missing)d short. Please sign in.") % {
            "shift": label, "hotline": hotline.name, "missing": missing,
        }
        any_sent = False
        filled: int = shift.filled  # type: ignore[attr-defined]

        def texts(label: str = label, missing: int = missing, name: str = hotline.name, filled: int = filled,
                  seats: int = shift.min_seats) -> tuple[str, str]:
            return (
                ngettext(
                    "Shift %(shift)s is %(missing)d person short",
                    "Shift %(shift)s is %(missing)d people short",
                    missing,
                ) % {"shift": label, "missing": missing},
                _("%(hotline)s: %(filled)d of %(seats)d seats filled. Assign counsellors on the rota.")
                % {"hotline": name, "filled": filled, "seats": seats},
            )

        for person in recipients[hotline.pk]:
            if notify(
                recipient=person,
                kind="hotline.shift_gap",
                occasion=f"{shift.pk}:{filled}",
                texts=texts,
                url=url,
                sms=Sms("hotline_shift_gap", {"shift": label, "missing": missing}, sms_text),
            ):
                sent += 1
                any_sent = True
        if any_sent:
            told.append(shift.pk)
    if told:
        with transaction.atomic():
            Shift.objects.filter(pk__in=told).update(gap_notified_at=now)
            audit.record(
                actor, "hotline.gaps_notified", object_type="hotline.shift",
                detail={"shifts": told, "notifications": sent},
            )
    return sent


# --- the calendar feed ------------------------------------------------------------------------


def feed_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def may_have_feed(user: Any) -> bool:
    """Who has duties to put in a calendar: counsellors and supervisors (``Shift.policy``
    "swap")."""
    return Shift.policy.may(user, "swap")


@transaction.atomic
def create_feed(*, actor: Any) -> tuple[CalendarFeed, str]:
    """A new secret calendar address for ``actor``'s duties: returns the feed and its token,
    shown once (only its SHA-256 is kept). The user's earlier address stops working."""
    if is_system(actor) or not may_have_feed(actor):
        raise NotAllowed(_("Only counsellors and supervisors have a duty calendar."))
    _lock_people(actor)
    now = timezone.now()
    old = list(CalendarFeed.objects.filter(user=actor, revoked_at__isnull=True).values_list("pk", flat=True))
    CalendarFeed.objects.filter(pk__in=old).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(user=actor, token_hash=feed_hash(token))
    audit.record(
        actor, "hotline.calendar_create", obj=feed, organisation=getattr(actor, "organisation", None),
        detail={"replaced": len(old)},
    )
    return feed, token


@transaction.atomic
def revoke_feed(*, actor: Any, feed: CalendarFeed) -> CalendarFeed:
    """End a calendar address (the user's own): it answers 404 from now on."""
    if is_system(actor) or feed.user_id != actor.pk:
        raise NotAllowed(_("You may not change this calendar address."))
    feed = CalendarFeed.objects.select_for_update().get(pk=feed.pk)
    if feed.revoked_at is not None:
        return feed
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at"])
    audit.record(actor, "hotline.calendar_revoke", obj=feed, organisation=getattr(actor, "organisation", None))
    return feed


def feed_user(token: str) -> Any | None:
    """The active user whose unrevoked calendar address has ``token`` (None otherwise); stamps
    its last use."""
    if not token or len(token) > 100:
        return None
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=feed_hash(token), revoked_at__isnull=True)
        .first()
    )
    if feed is None or not feed.user.is_active:
        return None
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    return feed.user
