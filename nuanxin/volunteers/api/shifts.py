"""Volunteer teams: the shifts API operations.

``GET /volunteers/shifts``: the shifts of the tasks in reach with their slots (2/3);
``POST /volunteers/shifts``: a new shift of a task; ``POST /volunteers/shifts/{id}/checkins``: a
place on the shift for a volunteer of the team — an existing one by ``volunteer`` id, or by
``name`` and ``mobile`` (found in the team by mobile, else added with the consent given). The
same refusals as the pages (400 with ``code`` full, already, …)."""
# No ``from __future__ import annotations``: ninja reads the operations' annotations.

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status

from nuanxin.core import apiutils, idempotency
from nuanxin.core.errors import ServiceError
from nuanxin.volunteers.models import Checkin, Shift, Task, Volunteer
from nuanxin.volunteers.selectors.shifts import with_slots
from nuanxin.volunteers.services import shifts as services
from nuanxin.volunteers.services import teams as team_services

router = apiutils.ScopedRouter(tags=["volunteers"])


class VolunteerShiftOut(Schema):
    id: int
    task: int = Field(..., alias="task_id")
    task_title: str
    team: int
    place: str
    starts_at: datetime
    ends_at: datetime
    needed: int
    taken: int = Field(description="Places taken: signed up, checked in or out.")
    slots: str = Field(description="taken/needed, e.g. 2/3.")
    people_served: int | None
    notes: str
    version: int

    @staticmethod
    def resolve_task_title(obj: Any) -> str:
        return obj.task.title

    @staticmethod
    def resolve_team(obj: Any) -> int:
        return obj.task.team_id

    @staticmethod
    def resolve_place(obj: Any) -> str:
        return obj.task.place

    @staticmethod
    def resolve_slots(obj: Any) -> str:
        return f"{obj.taken}/{obj.needed}"


class VolunteerShiftFilter(Schema):
    task: int | None = Field(None, description="A task's id.")
    team: int | None = Field(None, description="A team's id.")
    day_from: date | None = Field(None, alias="from", description="Shifts starting on or after this day.")
    day_to: date | None = Field(None, alias="to", description="Shifts starting on or before this day.")


def _local(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _aware(moment: datetime) -> datetime:
    """A time without an offset is Shanghai's."""
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _rows(user: Any, action: str = "view") -> Any:
    return with_slots(Shift.objects.for_user(user, action)).select_related("task")


@router.get(
    "/volunteers/shifts",
    model=Shift,
    action="view",
    response=list[VolunteerShiftOut],
    operation_id="list_volunteer_shifts",
    summary="Volunteer shifts with their slots",
)
@apiutils.paginate
def list_shifts(request: Any, filters: Query[VolunteerShiftFilter]) -> Any:
    """The shifts in reach by start. ``task``/``team``: one out of reach is the 404 of a missing one."""
    rows = _rows(request.user)
    for value in (filters.task, filters.team):
        if value is not None and not 1 <= value <= 2**31 - 1:
            raise Http404  # a number no task or team has
    if filters.task is not None:
        if not Task.objects.for_user(request.user, "view").filter(pk=filters.task).exists():
            raise Http404
        rows = rows.filter(task_id=filters.task)
    if filters.team is not None:
        if not Task.objects.for_user(request.user, "view").filter(team_id=filters.team).exists():
            raise Http404
        rows = rows.filter(task__team_id=filters.team)
    if filters.day_from:
        rows = rows.filter(starts_at__gte=_local(filters.day_from))
    if filters.day_to and filters.day_to < date.max:
        rows = rows.filter(starts_at__lt=_local(filters.day_to + timedelta(days=1)))
    return rows.order_by("starts_at", "id")


class VolunteerShiftIn(Schema):
    task: int = Field(..., ge=1, le=2_147_483_647)
    starts_at: datetime
    ends_at: datetime
    needed: int = Field(..., ge=1, le=1000)
    notes: str = Field("", max_length=2000)


@router.post(
    "/volunteers/shifts",
    model=Shift,
    action="change",
    response={201: VolunteerShiftOut},
    operation_id="create_volunteer_shift",
    summary="Add a shift to a task",
)
@idempotency.api
def create_shift(request: Any, payload: VolunteerShiftIn) -> Any:
    """A shift of a task in reach (else 404): ends after it starts, at most 24 hours."""
    task = apiutils.get_scoped_or_404(Task.objects.select_related("team"), request, "change", pk=payload.task)
    shift = services.add_shift(
        actor=request.user,
        task=task,
        starts_at=_aware(payload.starts_at),
        ends_at=_aware(payload.ends_at),
        needed=payload.needed,
        notes=payload.notes,
    )
    return Status(201, _rows(request.user).get(pk=shift.pk))


class VolunteerCheckinIn(Schema):
    volunteer: int | None = Field(None, ge=1, le=2_147_483_647, description="A volunteer of the team.")
    name: str = Field("", max_length=50, description="Without ``volunteer``: the volunteer's name…")
    mobile: str = Field("", max_length=30, description="…and mobile (found in the team by it, else added).")
    consent: bool = Field(False, description="A new volunteer agrees to be contacted.")


class VolunteerCheckinOut(Schema):
    id: int
    shift: int = Field(..., alias="shift_id")
    volunteer: int = Field(..., alias="volunteer_id")
    mobile: str = Field(description="The volunteer's mobile, masked.")
    source: str
    status: str
    link: str = Field(description="The volunteer's own check-in link (send it to them).")
    slots: str
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    hours: str
    version: int


def checkin_out(request: Any, checkin: Checkin) -> dict[str, Any]:
    shift = with_slots(Shift.objects.filter(pk=checkin.shift_id)).get()
    return {
        "id": checkin.pk,
        "shift_id": checkin.shift_id,
        "volunteer_id": checkin.volunteer_id,
        "mobile": team_services.mask(checkin.volunteer.mobile),
        "source": checkin.source,
        "status": checkin.status,
        "link": request.build_absolute_uri(reverse("volunteers:my_place", kwargs={"token": checkin.token})),
        "slots": f"{shift.taken}/{shift.needed}",  # type: ignore[attr-defined]
        "checked_in_at": checkin.checked_in_at,
        "checked_out_at": checkin.checked_out_at,
        "hours": str(checkin.hours),
        "version": checkin.version,
    }


@router.post(
    "/volunteers/shifts/{shift_id}/checkins",
    model=Checkin,
    action="change",
    response={201: VolunteerCheckinOut},
    operation_id="create_volunteer_checkin",
    summary="Put a volunteer on a shift (assign or sign up)",
)
@idempotency.api
def create_checkin(request: Any, shift_id: int, payload: VolunteerCheckinIn) -> Any:
    """A place on the shift (in reach, else 404) for ``volunteer`` (of the task's team, else
    404), or for the volunteer of the team with ``mobile`` (added with ``name`` and ``consent``
    when new). Refused (400): a full shift (``full``), a shift over, a volunteer already on it
    (``already``) or inactive."""
    if not 1 <= shift_id <= 2**31 - 1:
        raise Http404  # a number no shift has
    shift = apiutils.get_scoped_or_404(Shift.objects.select_related("task__team"), request, "change", pk=shift_id)
    with transaction.atomic():
        if payload.volunteer is not None:
            volunteer = Volunteer.objects.filter(pk=payload.volunteer, team_id=shift.task.team_id).first()
            if volunteer is None:
                raise Http404
        else:
            if not payload.mobile:
                raise ServiceError(_("Give a volunteer's id, or their name and mobile."), field="volunteer")
            mobile = team_services.clean_mobile(payload.mobile)
            volunteer = Volunteer.objects.filter(team_id=shift.task.team_id, mobile=mobile).first()
            if volunteer is None:
                volunteer = team_services.add_volunteer(
                    actor=request.user,
                    team=shift.task.team,
                    name=payload.name,
                    mobile=mobile,
                    consent_to_contact=payload.consent,
                )
        checkin = services.assign(actor=request.user, shift=shift, volunteer=volunteer)
    return Status(201, checkin_out(request, Checkin.objects.select_related("volunteer").get(pk=checkin.pk)))
