"""A counsellor's duties as an iCalendar feed (RFC 5545, the ``icalendar`` library), served at
their secret calendar address: the duties of the last 30 days and every one ahead, on the
hotlines they still serve. Each duty is one event with a stable UID, so a calendar that polls
the address updates it in place; a duty handed over in a swap disappears from one feed and
appears in the other."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from nuanxin.hotline.choices import MemberKind
from nuanxin.hotline.models import HotlineMember, ShiftAssignment

PAST_DAYS = 30
PRODID = "-//Nuanxin//Hotline duty rota//ZH"


def duties(user: Any, *, now: datetime | None = None) -> list[ShiftAssignment]:
    """``user``'s duties ending in the last ``PAST_DAYS`` days or later, on the hotlines they
    serve or supervise now, by start."""
    now = now or timezone.now()
    hotlines = HotlineMember.objects.filter(
        user_id=user.pk, kind__in=(MemberKind.COUNSELLOR, MemberKind.SUPERVISOR), active=True
    ).values("hotline_id")
    return list(
        ShiftAssignment.objects.filter(
            counsellor_id=user.pk, shift__ends_at__gt=now - timedelta(days=PAST_DAYS), shift__hotline_id__in=hotlines
        )
        .select_related("shift__hotline", "shift__pattern")
        .order_by("shift__starts_at", "pk")
    )


def calendar(user: Any, *, now: datetime | None = None) -> bytes:
    """The iCalendar document of ``user``'s duties."""
    now = now or timezone.now()
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _("Hotline duties"))
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    host = (getattr(settings, "ALLOWED_HOSTS", None) or ["nuanxin"])[0].lstrip(".") or "nuanxin"
    if host == "*":
        host = "nuanxin"
    for duty in duties(user, now=now):
        shift = duty.shift
        hotline = shift.hotline
        event = Event()
        event.add("uid", f"hotline-duty-{duty.shift_id}-{user.pk}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", timezone.localtime(shift.starts_at))
        event.add("dtend", timezone.localtime(shift.ends_at))
        name = shift.pattern.name if shift.pattern is not None else _("Shift")
        event.add("summary", _("%(hotline)s: %(shift)s duty") % {"hotline": hotline.name, "shift": name})
        if shift.note:
            event.add("description", shift.note)
        event.add("transp", "OPAQUE")
        cal.add_component(event)
    cal.add_missing_timezones()  # a VTIMEZONE for Asia/Shanghai, which the events' TZID names
    return cal.to_ical()
