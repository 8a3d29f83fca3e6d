"""Hotlines, their lines and their members: created and changed by the administrators of the
hotline's organisation (``Hotline.policy`` "manage").

A hotline stays with the organisation that opened it (its members hold their roles there);
its details and lines carry a version, so an edit page opened before someone else's change is
refused rather than overwriting it. A line is never deleted (calls are counted per line): it is
deactivated, and can be put back."""

from __future__ import annotations

from datetime import time

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from nuanxin.core import audit, plaintext, versioning
from nuanxin.core.errors import ServiceError
from nuanxin.core.policy import user_of
from nuanxin.hotline.choices import Channel, MemberKind
from nuanxin.hotline.models import Hotline, HotlineLine, HotlineMember
from nuanxin.orgs import scope

# Fields of a hotline that ``update_hotline`` changes (and the audit row names).
HOTLINE_FIELDS = ("name", "online_channel", "always_open", "opens_at", "closes_at", "min_seats", "self_assessment_open")
LINE_FIELDS = ("label", "number", "channel", "order")


def _name(value, *, field: str, label, limit: int) -> str:
    text = plaintext.line(value, field=field, label=label)
    if not text:
        raise ServiceError(_("Enter the %(label)s.") % {"label": label}, field=field)
    if len(text) > limit:
        raise ServiceError(
            _("The %(label)s must be at most %(limit)d characters.") % {"label": label, "limit": limit}, field=field
        )
    return text


@transaction.atomic
def create_hotline(
    *,
    actor,
    organisation,
    name: str,
    online_channel: str = "",
    always_open: bool = True,
    opens_at: time | None = None,
    closes_at: time | None = None,
    min_seats: int = 2,
) -> Hotline:
    """Open a hotline of ``organisation`` (round the clock and two seats a shift unless said)."""
    Hotline.policy.require_in(actor, "manage", organisation, _("You may not run a hotline for this organisation."))
    opens_at, closes_at = _hours(always_open, opens_at, closes_at)
    hotline = Hotline(
        organisation=organisation,
        name=_name(name, field="name", label=_("name"), limit=100),
        online_channel=_channel(online_channel),
        always_open=bool(always_open),
        opens_at=opens_at,
        closes_at=closes_at,
        min_seats=_seats(min_seats),
        created_by=user_of(actor),
    )
    hotline.save()
    audit.record(
        actor,
        "hotline.create",
        obj=hotline,
        organisation=organisation,
        detail={"name": hotline.name, "min_seats": hotline.min_seats, "always_open": hotline.always_open},
    )
    return hotline


def _channel(value) -> str:
    text = plaintext.line(value, field="online_channel", label=_("online channel"))
    if len(text) > 200:
        raise ServiceError(_("The online channel must be at most 200 characters."), field="online_channel")
    return text


def _hours(always_open, opens_at: time | None, closes_at: time | None) -> tuple[time, time]:
    """The opening hours as stored: midnight to midnight for a line open round the clock; else
    both times, different (a line may close after midnight: 20:00–08:00)."""
    if always_open:
        return time(0, 0), time(0, 0)
    if opens_at is None or closes_at is None:
        raise ServiceError(_("Give the opening and closing times, or tick “open round the clock”."), field="opens_at")
    if opens_at == closes_at:
        raise ServiceError(
            _("The opening and closing times are the same: tick “open round the clock” instead."), field="closes_at"
        )
    return opens_at, closes_at


@transaction.atomic
def update_hotline(
    *,
    actor,
    hotline: Hotline,
    version: int | None = None,
    name: str,
    online_channel: str = "",
    always_open: bool = True,
    opens_at: time | None = None,
    closes_at: time | None = None,
    min_seats: int = 2,
    self_assessment_open: bool = True,
) -> Hotline:
    """Change a hotline's details (not its organisation). ``version``: the one the edit page
    was opened at (``Conflict`` when someone saved since; None: no check)."""
    Hotline.policy.require(actor, "manage", hotline, _("You may not change this hotline."))
    hotline = Hotline.objects.select_for_update().get(pk=hotline.pk)
    versioning.check_version(hotline, version)
    opens_at, closes_at = _hours(always_open, opens_at, closes_at)
    values = {
        "name": _name(name, field="name", label=_("name"), limit=100),
        "online_channel": _channel(online_channel),
        "always_open": bool(always_open),
        "opens_at": opens_at,
        "closes_at": closes_at,
        "min_seats": _seats(min_seats),
        "self_assessment_open": bool(self_assessment_open),
    }
    changed = [f for f in HOTLINE_FIELDS if getattr(hotline, f) != values[f]]
    if not changed:
        return hotline
    for f in changed:
        setattr(hotline, f, values[f])
    hotline.save(update_fields=[*changed, versioning.bump(hotline)])
    audit.record(
        actor,
        "hotline.update",
        obj=hotline,
        organisation=hotline.organisation,
        detail={"changed": changed, **{f: _shown(values[f]) for f in changed}},
    )
    return hotline


def _shown(value):
    """A value as the audit detail keeps it (JSON): times as HH:MM."""
    return value.strftime("%H:%M") if isinstance(value, time) else value


def _seats(value) -> int:
    try:
        seats = int(value)
    except (TypeError, ValueError):
        raise ServiceError(_("The minimum seats must be a whole number."), field="min_seats") from None
    if not 1 <= seats <= 50:
        raise ServiceError(_("The minimum seats must be between 1 and 50."), field="min_seats")
    return seats


@transaction.atomic
def add_line(
    *, actor, hotline: Hotline, label: str, number: str = "", channel: str = Channel.PHONE, order: int = 0
) -> HotlineLine:
    """Add a line (a number or an online channel) to ``hotline``."""
    Hotline.policy.require(actor, "manage", hotline, _("You may not change this hotline."))
    values = _line_values(label=label, number=number, channel=channel, order=order)
    line = HotlineLine.objects.create(hotline=hotline, **values)
    number = line.number
    audit.record(
        actor,
        "hotline.line_add",
        obj=line,
        organisation=hotline.organisation,
        detail={"hotline": hotline.pk, "label": line.label, "number": number, "channel": channel},
    )
    return line


def _line_values(*, label: str, number: str, channel: str, order) -> dict:
    if channel not in Channel.values:
        raise ServiceError(_("Choose a channel."), field="channel")
    number = plaintext.line(number, field="number", label=_("number"))
    if len(number) > 40:
        raise ServiceError(_("The number must be at most 40 characters."), field="number")
    if channel == Channel.PHONE and not number:
        raise ServiceError(_("Enter the number of a phone line."), field="number")
    if channel != Channel.ONLINE and not any(c.isdigit() for c in number):
        raise ServiceError(_("“%(number)s” is not a phone number.") % {"number": number}, field="number")
    try:
        order = int(order)
    except (TypeError, ValueError):
        raise ServiceError(_("The order must be a whole number."), field="order") from None
    if not 0 <= order <= 999:
        raise ServiceError(_("The order must be between 0 and 999."), field="order")
    return {
        "label": _name(label, field="label", label=_("label"), limit=60),
        "number": number,
        "channel": channel,
        "order": order,
    }


@transaction.atomic
def update_line(
    *,
    actor,
    line: HotlineLine,
    version: int | None = None,
    label: str,
    number: str = "",
    channel: str = Channel.PHONE,
    order: int = 0,
) -> HotlineLine:
    """Change a line's label, number, channel or place in the list (``version`` as for
    ``update_hotline``)."""
    Hotline.policy.require(actor, "manage", line.hotline, _("You may not change this hotline."))
    line = HotlineLine.objects.select_for_update().select_related("hotline__organisation").get(pk=line.pk)
    versioning.check_version(line, version)
    values = _line_values(label=label, number=number, channel=channel, order=order)
    changed = [f for f in LINE_FIELDS if getattr(line, f) != values[f]]
    if not changed:
        return line
    for f in changed:
        setattr(line, f, values[f])
    line.save(update_fields=[*changed, versioning.bump(line)])
    audit.record(
        actor,
        "hotline.line_update",
        obj=line,
        organisation=line.hotline.organisation,
        detail={"hotline": line.hotline_id, "changed": changed, **{f: values[f] for f in changed}},
    )
    return line


@transaction.atomic
def set_line_active(*, actor, line: HotlineLine, active: bool, version: int | None = None) -> HotlineLine:
    """Deactivate a line (no longer offered for new calls; its calls keep counting in the
    figures) or put it back."""
    Hotline.policy.require(actor, "manage", line.hotline, _("You may not change this hotline."))
    line = HotlineLine.objects.select_for_update().select_related("hotline__organisation").get(pk=line.pk)
    versioning.check_version(line, version)
    if line.active == bool(active):
        return line
    line.active = bool(active)
    line.save(update_fields=["active", versioning.bump(line)])
    audit.record(
        actor,
        "hotline.line_activate" if line.active else "hotline.line_deactivate",
        obj=line,
        organisation=line.hotline.organisation,
        detail={"hotline": line.hotline_id},
    )
    return line


def deactivate_line(*, actor, line: HotlineLine, version: int | None = None) -> HotlineLine:
    """``set_line_active(active=False)``."""
    return set_line_active(actor=actor, line=line, active=False, version=version)


@transaction.atomic
def add_member(*, actor, hotline: Hotline, user, kind: str) -> HotlineMember:
    """Make ``user`` a counsellor, supervisor or coordinator of ``hotline``: they must hold the
    role of that name on the hotline's organisation (or above). Adding someone who was a member
    before makes them active again."""
    Hotline.policy.require(actor, "manage", hotline, _("You may not change this hotline."))
    if kind not in MemberKind.values:
        raise ServiceError(_("Choose what the member does."), field="kind")
    if not scope.covers(user, {kind}, hotline.organisation):
        raise ServiceError(
            _("%(user)s does not hold the role “%(role)s” for %(org)s: grant it first.")
            % {"user": user.get_full_name() or user.get_username(), "role": MemberKind(kind).label,
               "org": hotline.organisation.name},
            field="user",
        )
    try:
        with transaction.atomic():
            member, created = HotlineMember.objects.get_or_create(
                hotline=hotline, user=user, kind=kind, defaults={"created_by": user_of(actor)}
            )
    except IntegrityError:  # added at the same moment by someone else
        member, created = HotlineMember.objects.get(hotline=hotline, user=user, kind=kind), False
    if not created and member.active:
        raise ServiceError(_("%(user)s is already on this hotline in that role.") % {"user": user}, field="user")
    if not created:
        member.active = True
        member.save(update_fields=["active"])
    audit.record(
        actor,
        "hotline.member_add",
        obj=member,
        organisation=hotline.organisation,
        detail={"hotline": hotline.pk, "user": user.pk, "kind": kind},
    )
    return member


@transaction.atomic
def remove_member(*, actor, member: HotlineMember) -> HotlineMember:
    """End a membership: the person reaches nothing of the hotline any more; their past records
    keep their name."""
    Hotline.policy.require(actor, "manage", member.hotline, _("You may not change this hotline."))
    member = HotlineMember.objects.select_for_update().get(pk=member.pk)
    if not member.active:
        return member
    member.active = False
    member.save(update_fields=["active"])
    audit.record(
        actor,
        "hotline.member_remove",
        obj=member,
        organisation=member.hotline.organisation,
        detail={"hotline": member.hotline_id, "user": member.user_id, "kind": member.kind},
    )
    return member
