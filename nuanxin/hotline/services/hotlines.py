"""Hotlines, their lines and their members: created and changed by the administrators of the
hotline's organisation (``Hotline.policy`` "manage")."""

from __future__ import annotations

from datetime import time

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from nuanxin.core import audit, plaintext
from nuanxin.core.errors import ServiceError
from nuanxin.core.policy import user_of
from nuanxin.hotline.choices import Channel, MemberKind
from nuanxin.hotline.models import Hotline, HotlineLine, HotlineMember
from nuanxin.orgs import scope



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
    hotline = Hotline(
        organisation=organisation,
        name=_name(name, field="name", label=_("name"), limit=100),
        online_channel=plaintext.line(online_channel, field="online_channel", label=_("online channel"))[:200],
        always_open=bool(always_open),
        opens_at=opens_at or time(0, 0),
        closes_at=closes_at or time(0, 0),
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
    if channel not in Channel.values:
        raise ServiceError(_("Choose a channel."), field="channel")
    number = plaintext.line(number, field="number", label=_("number"))
    if len(number) > 40:
        raise ServiceError(_("The number must be at most 40 characters."), field="number")
    line = HotlineLine.objects.create(
        hotline=hotline,
        label=_name(label, field="label", label=_("label"), limit=60),
        number=number,
        channel=channel,
        order=order,
    )
    audit.record(
        actor,
        "hotline.line_add",
        obj=line,
        organisation=hotline.organisation,
        detail={"hotline": hotline.pk, "label": line.label, "number": number, "channel": channel},
    )
    return line


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
