"""The hotline API: the duty rota's shifts."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema

from nuanxin.core import apiutils
from nuanxin.core.errors import ServiceError
from nuanxin.hotline.models import Hotline, Shift
from nuanxin.hotline.selectors import rota as selectors

router = apiutils.ScopedRouter(tags=["hotline"])

MAX_DAYS = 93


class ShiftFilter(Schema):
    hotline: int | None = Field(None, description="A hotline's id (default: every hotline the token reaches).")
    from_: date | None = Field(None, alias="from", description="First day, YYYY-MM-DD (default: today).")
    to: date | None = Field(None, description="Last day, included (default: six days after the first).")


class ShiftOut(Schema):
    id: int
    hotline: int
    hotline_name: str
    starts_at: datetime
    ends_at: datetime
    name: str = Field(description="The pattern's name (empty for a shift made by hand).")
    min_seats: int
    filled: int = Field(description="People on duty.")
    short: int = Field(description="Seats missing to the minimum (0: filled).")
    counsellors: list[str] = Field(description="The names of the people on duty.")

    @staticmethod
    def resolve_starts_at(obj: Shift) -> datetime:
        return timezone.localtime(obj.starts_at)

    @staticmethod
    def resolve_ends_at(obj: Shift) -> datetime:
        return timezone.localtime(obj.ends_at)

    @staticmethod
    def resolve_hotline(obj: Shift) -> int:
        return obj.hotline_id

    @staticmethod
    def resolve_hotline_name(obj: Shift) -> str:
        return obj.hotline.name

    @staticmethod
    def resolve_name(obj: Shift) -> str:
        return obj.pattern.name if obj.pattern_id and obj.pattern else ""

    @staticmethod
    def resolve_filled(obj: Shift) -> int:
        return len(obj.duties)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_short(obj: Shift) -> int:
        return max(0, obj.min_seats - len(obj.duties))  # type: ignore[attr-defined]

    @staticmethod
    def resolve_counsellors(obj: Shift) -> list[str]:
        return [d.counsellor.full_name or d.counsellor.username for d in obj.duties]  # type: ignore[attr-defined]


@router.get(
    "/hotline/shifts",
    model=Shift,
    action="view",
    response=list[ShiftOut],
    operation_id="list_hotline_shifts",
    summary="The duty rota: shifts with their seats and the people on duty",
)
@apiutils.paginate
def list_shifts(request, filters: Query[ShiftFilter]):
    """The shifts starting between ``from`` and ``to`` (local days, both included; at most 93
    days) of the hotlines the token reaches, or of one (``hotline``: another hotline is 404),
    by start; each with its minimum seats, the people on duty by name, and how many seats are
    missing."""
    first = filters.from_ or timezone.localdate()
    last = filters.to or first + timedelta(days=6)
    if not date(2000, 1, 1) <= first <= date(2999, 12, 31) or not date(2000, 1, 1) <= last <= date(2999, 12, 31):
        raise ServiceError(_("Give days between 2000 and 2999."), field="from")
    if last < first:
        raise ServiceError(_("The last day comes before the first."), field="to")
    if (last - first).days >= MAX_DAYS:
        raise ServiceError(_("Ask for at most %(days)d days at a time.") % {"days": MAX_DAYS}, field="to")
    shifts = Shift.objects.for_user(request.user, "view")
    if filters.hotline is not None:
        hotline = apiutils.get_scoped_or_404(Hotline, request, "view", pk=filters.hotline)
        shifts = shifts.filter(hotline=hotline)
    shifts = shifts.filter(
        starts_at__gte=selectors.local_midnight(first), starts_at__lt=selectors.local_midnight(last + timedelta(days=1))
    )
    return selectors.with_duties(shifts.select_related("hotline", "pattern")).order_by("starts_at", "hotline_id", "pk")
