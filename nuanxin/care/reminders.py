"""Reminders of the care work, sent through ``nuanxin.notify`` (in-app, SMS by template,
e-mail where the user has an address). Each has an idempotency key per recipient, kind and
week (or difficulty and escalation level), so running a job twice sends nothing twice.

SMS templates (our names; ``NUANXIN_SMS_TEMPLATES`` maps them to the provider's ids):

- ``care_week_due``: {count} families to visit this week {week}
- ``care_unvisited``: {count} families in {org} not yet visited this week {week}
- ``care_difficulty_overdue``: a difficulty of a family is {days} days overdue
- ``care_difficulty_escalated``: {count}=1 overdue difficulty escalated to {org}

Text messages and e-mails carry no family names (they leave the system); the in-app
notification, behind the sign-in, lists them. No notification (in-app or e-mail) carries a difficulty's
description or category: they may be about health or the mind (PIPL art. 28); the linked
page, scoped and behind the sign-in, shows them.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db import transaction
from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from nuanxin.care import weeks
from nuanxin.care.choices import DutyStatus
from nuanxin.care.models import Campaign, CareAssignment, Difficulty, VisitDuty
from nuanxin.core import audit
from nuanxin.core.policy import SYSTEM
from nuanxin.notify.services import Sms, notify

MAX_LISTED = 30  # families named in one in-app notification


def _url(name: str, *args, query: str = "") -> str:
    """A page of the care pages if it exists (they are built separately), else no link."""
    try:
        return reverse(name, args=args) + (f"?{query}" if query else "")
    except NoReverseMatch:
        return ""


def _running_campaign_ids(today: date) -> list[int]:
    return list(Campaign.objects.running(today).values_list("pk", flat=True))


@transaction.atomic
def send_week_reminders(*, actor=SYSTEM, today: date | None = None) -> int:
    """Monday morning: each care contact with families due this week gets the list (one
    notification per contact and week). Returns how many contacts were notified now."""
    today = today or timezone.localdate()
    week = weeks.current_week(today)
    label = weeks.label(week)
    rows = (
        CareAssignment.objects.current()
        .filter(
            campaign_id__in=_running_campaign_ids(today),
            worker__visit_duties__week=week,
            worker__visit_duties__status=DutyStatus.DUE,
        )
        .values_list("contact_id", "worker_id", "worker__name")
        .order_by("contact_id", "worker__name_pinyin", "worker_id")
        .distinct()
    )
    families: dict[int, list[str]] = defaultdict(list)
    seen: set[tuple[int, int]] = set()
    for contact_id, worker_id, name in rows:
        if (contact_id, worker_id) not in seen:
            seen.add((contact_id, worker_id))
            families[contact_id].append(name)
    if not families:
        return 0
    from nuanxin.accounts.models import User

    sent = 0
    for contact in User.objects.filter(pk__in=list(families)).order_by("pk"):
        names = families[contact.pk]
        count = len(names)
        listed = "、".join(names[:MAX_LISTED]) + ("……" if count > MAX_LISTED else "")

        def texts(count=count, listed=listed):
            title = ngettext(
                "%(count)d family to visit this week (%(week)s)",
                "%(count)d families to visit this week (%(week)s)",
                count,
            ) % {"count": count, "week": label}
            return title, _("Families due this week: %(names)s") % {"names": listed}

        sms_text = _(
            "Nuanxin: you have %(count)d families to visit this week (%(week)s). Please sign in to see them."
        ) % {"count": count, "week": label}
        if notify(
            recipient=contact,
            kind="care.week_due",
            occasion=label,
            texts=texts,
            email_text=(texts()[0], sms_text),
            url=_url("care:my_week"),
            sms=Sms("care_week_due", {"count": count, "week": label}, sms_text),
        ):
            sent += 1
    if sent:
        audit.record(actor, "care.remind.week", object_type="care.visitduty", detail={"week": label, "contacts": sent})
    return sent


@transaction.atomic
def send_unvisited_reminders(*, actor=SYSTEM, today: date | None = None) -> int:
    """Wednesday: each admin (org or city) gets the number of families in their scope still
    not visited this week, by unit: the assignment policy's holders of "change" over each unit.
    One aggregate query, and the holders of every unit in one go."""
    from nuanxin.orgs.models import Organisation

    today = today or timezone.localdate()
    week = weeks.current_week(today)
    label = weeks.label(week)
    counts = list(
        VisitDuty.objects.filter(
            week=week, status=DutyStatus.DUE, campaign_id__in=_running_campaign_ids(today)
        )
        .values_list("organisation_id", "organisation__path", "organisation__name")
        .annotate(n=Count("pk"))
        .order_by("organisation__path")
    )
    if not counts:
        return 0
    units = [Organisation(pk=pk, path=path) for pk, path, _name, _n in counts]
    holders = CareAssignment.policy.holders_by_unit("change", units)
    users: dict = {}
    units_by_user: dict = defaultdict(list)
    for unit_id, _path, name, n in counts:
        for admin in holders[unit_id]:
            users.setdefault(admin.pk, admin)
            units_by_user[admin.pk].append((name, n))
    sent = 0
    for user_id in sorted(units_by_user):
        mine = units_by_user[user_id]
        total = sum(n for _name, n in mine)
        if not total:
            continue
        top = sorted(mine, key=lambda item: -item[1])[:MAX_LISTED]
        body = "\n".join(f"{name}: {n}" for name, n in top)

        def texts(total=total, body=body):
            title = ngettext(
                "%(count)d family not visited yet this week (%(week)s)",
                "%(count)d families not visited yet this week (%(week)s)",
                total,
            ) % {"count": total, "week": label}
            return title, body

        sms_text = _("Nuanxin: %(count)d families in your scope are not visited yet this week (%(week)s).") % {
            "count": total,
            "week": label,
        }
        if notify(
            recipient=users[user_id],
            kind="care.unvisited",
            occasion=label,
            texts=texts,
            url=_url("care:overview"),
            sms=Sms("care_unvisited", {"count": total, "week": label}, sms_text),
        ):
            sent += 1
    if sent:
        audit.record(
            actor, "care.remind.unvisited", object_type="care.visitduty", detail={"week": label, "admins": sent}
        )
    return sent


def notify_overdue_difficulty(difficulty: Difficulty, *, level: int, organisation, admins: list) -> int:
    """Tell the owner that a difficulty is overdue, and the admins of ``organisation`` that
    it was escalated to them. Keyed by difficulty, due date and level: each once."""
    today = timezone.localdate()
    days = (today - difficulty.due_on).days if difficulty.due_on else 0
    occasion = f"{difficulty.pk}:{difficulty.due_on}:{level}"
    url = _url("care:difficulty_detail", difficulty.pk)
    worker = difficulty.worker
    sent = 0
    owner = difficulty.owner
    owner_text = _("Nuanxin: a difficulty you own is %(days)d days overdue. Please sign in to follow it up.") % {
        "days": days
    }
    escalated_text = _("Nuanxin: an overdue difficulty (%(days)d days) was escalated to %(org)s. Please sign in.") % {
        "days": days,
        "org": organisation.name,
    }
    if owner is not None and notify(
        recipient=owner,
        kind="care.difficulty_overdue",
        occasion=occasion,
        texts=lambda: (
            _("Overdue difficulty of %(name)s's family (%(days)d days)") % {"name": worker.name, "days": days},
            _("Unit: %(unit)s\nDue: %(due)s\nOpen it to see what the family needs.")
            % {"unit": worker.organisation, "due": difficulty.due_on},
        ),
        url=url,
        sms=Sms("care_difficulty_overdue", {"days": days}, owner_text),
        email_text=(_("Overdue difficulty (%(days)d days)") % {"days": days}, owner_text),
    ):
        sent += 1
    for admin in admins:
        if admin == owner:
            continue
        if notify(
            recipient=admin,
            kind="care.difficulty_escalated",
            occasion=occasion,
            texts=lambda: (
                _("Escalated to %(org)s: overdue difficulty of %(name)s's family (%(days)d days)")
                % {"org": organisation, "name": worker.name, "days": days},
                _("Unit: %(unit)s\nOwner: %(owner)s\nDue: %(due)s")
                % {"unit": worker.organisation, "owner": owner or _("nobody"), "due": difficulty.due_on},
            ),
            url=url,
            sms=Sms("care_difficulty_escalated", {"org": organisation.name, "days": days}, escalated_text),
            email_text=(
                _("Overdue difficulty escalated to %(org)s (%(days)d days)") % {"org": organisation.name, "days": days},
                escalated_text,
            ),
        ):
            sent += 1
    return sent
