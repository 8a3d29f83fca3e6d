"""Telling people about legal-aid cases: who is nearest to follow one (``nearest_holders``), the
owner told of a referral, the arbitration time limit's warnings (a daily job) and the escalation of
overdue cases. An e-mail, like a text message, leaves the system: it names nobody
(``_nameless_email``); the notification centre, behind the sign-in, names the family."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from nuanxin.cases import services as cases
from nuanxin.cases.lifecycle import NoteKind
from nuanxin.core import audit
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.labour.models import ARBITRATION_LIMIT_DAYS, LegalCase
from nuanxin.labour.services import lawyers as lawyer_services
from nuanxin.labour.services.legal_limits import BEFORE_ARBITRATION, LIMIT_WARNINGS, PASSED, threshold_for


def nearest_holders(action: str, unit: Any) -> tuple[Any, list[Any]]:
    """The organisation nearest ``unit`` (itself first, then up) where someone holds ``action``
    through a grant on it (not only on an organisation further up), and those users (labour-rights
    officers first)."""
    chain = lawyer_services.chain_of(unit)
    policy = LegalCase.policy
    for i, org in enumerate(chain):
        holders = policy.holders(action, org)
        if i + 1 < len(chain):
            holders = holders.exclude(pk__in=policy.holders(action, chain[i + 1]).values("pk"))
        users = list(holders.order_by("pk"))
        if users:
            officers = set(holders.filter(grants__role=Role.LABOUR_OFFICER).values_list("pk", flat=True))
            users.sort(key=lambda u: (u.pk not in officers, u.pk))
            return org, users
    return unit, []


def tell_owner_of_referral(actor: Any, case: LegalCase) -> None:
    """A case opened by someone else than its owner (a care contact's referral): the owner is told."""
    user = cases.user_of(actor)
    owner = case.owner
    if owner is None or (user is not None and user.pk == owner.pk):
        return
    from nuanxin.notify.services import notify

    worker = case.worker
    notify(
        recipient=owner,
        kind="labour.legal_referred",
        occasion=str(case.pk),
        texts=lambda: (
            _("New legal-aid case for %(name)s's family: %(kind)s")
            % {"name": worker.name, "kind": case.get_kind_display()},
            _("Unit: %(unit)s\nReferred by: %(by)s") % {"unit": worker.organisation, "by": user or _("System")},
        ),
        url=_url(case),
        email_text=_nameless_email(
            gettext_noop("Nuanxin: a legal-aid case was referred to you. Please sign in to read it.")
        ),
    )


def _nameless_email(message: str) -> tuple[str, str]:
    """An e-mail's (subject, body) that names nobody, in the default language: an e-mail, like a
    text message, leaves the system; who the case is about stays behind the sign-in."""
    with translation.override(settings.LANGUAGE_CODE):
        text = _(message)
    return text, text


def _url(case: LegalCase) -> str:
    try:
        return reverse("labour:legal_detail", kwargs={"pk": case.pk})
    except NoReverseMatch:  # pragma: no cover - the pages are always installed
        return ""


# --- the life cycle ----------------------------------------------------------------------------


@transaction.atomic


def warn_time_limits(*, actor: Any = SYSTEM, today: date | None = None) -> int:
    """Warn of the arbitration time limits: every case not yet at arbitration whose limit is
    60, 30 or 7 days away (or has passed) and that was not warned of that threshold (or a nearer
    one) yet: a timeline note, the owner and the holders of "escalate" nearest the unit told,
    ``labour.legal.limit_warning``. Each threshold once per case. Returns how many were warned."""
    from datetime import timedelta

    today = today or timezone.localdate()
    horizon = today - timedelta(days=ARBITRATION_LIMIT_DAYS - LIMIT_WARNINGS[0])
    candidates = (
        LegalCase.objects.filter(status__in=BEFORE_ARBITRATION, arbitration_at__isnull=True, infringed_on__lte=horizon)
        .exclude(limit_warned_for=PASSED)
        .select_related("worker__organisation", "owner")
        .order_by("pk")
    )
    warned = 0
    for case in candidates.iterator(chunk_size=500):
        days_left = (case.arbitration_deadline - today).days
        threshold = threshold_for(days_left)
        if threshold is None:
            continue
        if case.limit_warned_for is not None and case.limit_warned_for <= threshold:
            continue
        with transaction.atomic():
            locked = LegalCase.objects.select_for_update().get(pk=case.pk)
            if locked.status not in BEFORE_ARBITRATION or locked.arbitration_at is not None:
                continue
            if locked.limit_warned_for is not None and locked.limit_warned_for <= threshold:
                continue
            locked.limit_warned_for = threshold
            locked.save(update_fields=["limit_warned_for"])
            org, users = nearest_holders("escalate", case.worker.organisation)
            deadline = case.arbitration_deadline.isoformat()
            if threshold == PASSED:
                text = _("The arbitration time limit (%(deadline)s) has passed.") % {"deadline": deadline}
            else:
                text = _("The arbitration time limit is %(deadline)s: %(days)d days left.") % {
                    "deadline": deadline,
                    "days": days_left,
                }
            cases.add_note(locked, actor, NoteKind.NOTE, text)
            _notify_limit(case, threshold, days_left, users)
            audit.record(
                actor,
                "labour.legal.limit_warning",
                obj=case,
                organisation=case.organisation,
                detail={
                    "warned_for": threshold,
                    "days_left": days_left,
                    "deadline": deadline,
                    "to": org.code,
                    "admins": [u.pk for u in users],
                },
            )
            warned += 1
    return warned


def _notify_limit(case: LegalCase, threshold: int, days_left: int, users: list[Any]) -> int:
    from nuanxin.notify.services import Sms, notify

    worker = case.worker
    deadline = case.arbitration_deadline.isoformat()
    occasion = f"{case.pk}:{deadline}:{threshold}"
    recipients = [case.owner] if case.owner is not None else []
    recipients += [u for u in users if case.owner is None or u.pk != case.owner.pk]
    if threshold == PASSED:
        sms_text = _("Nuanxin: the arbitration time limit of a legal-aid case you follow has passed. Please sign in.")

        def texts() -> tuple[str, str]:
            return (
                _("Arbitration time limit passed: %(name)s's family (%(kind)s)")
                % {"name": worker.name, "kind": case.get_kind_display()},
                _("The limit was %(deadline)s. Unit: %(unit)s") % {"deadline": deadline, "unit": worker.organisation},
            )

        sms = Sms("labour_legal_limit_passed", {}, sms_text)
    else:
        sms_text = _(
            "Nuanxin: %(days)d days are left to apply for arbitration in a legal-aid case you follow. Please sign in."
        ) % {"days": days_left}

        def texts() -> tuple[str, str]:
            return (
                _("Arbitration time limit in %(days)d days: %(name)s's family (%(kind)s)")
                % {"days": days_left, "name": worker.name, "kind": case.get_kind_display()},
                _("Apply for arbitration by %(deadline)s. Unit: %(unit)s")
                % {"deadline": deadline, "unit": worker.organisation},
            )

        sms = Sms("labour_legal_limit", {"days": days_left}, sms_text)
    sent = 0
    for user in recipients:
        if notify(
            recipient=user,
            kind="labour.legal_time_limit",
            occasion=occasion,
            texts=texts,
            url=_url(case),
            sms=sms,
            email_text=(sms_text, sms_text),
        ):
            sent += 1
    return sent


def escalate_overdue_legal_cases(*, actor: Any = SYSTEM, today: date | None = None) -> int:
    """The case framework's escalation: an open case past its due date is escalated up the tree,
    one level per overdue period, the owner and the holders of "escalate" there told."""
    from nuanxin.notify.services import notify

    def tell(case: Any, level: int, organisation: Any, users: list[Any]) -> int:
        worker = case.worker
        occasion = f"{case.pk}:{case.due_on}:{level}"
        sent = 0
        for user in [case.owner, *users]:
            if user is None or (user is not case.owner and case.owner is not None and user.pk == case.owner.pk):
                continue
            if notify(
                recipient=user,
                kind="labour.legal_overdue",
                occasion=occasion,
                texts=lambda: (
                    _("Overdue legal-aid case of %(name)s's family, escalated to %(org)s")
                    % {"name": worker.name, "org": organisation},
                    _("Unit: %(unit)s\nDue: %(due)s") % {"unit": worker.organisation, "due": case.due_on},
                ),
                url=_url(case),
                email_text=_nameless_email(
                    gettext_noop("Nuanxin: a legal-aid case you follow is overdue and was escalated. Please sign in.")
                ),
            ):
                sent += 1
        return sent

    return cases.escalate_overdue(LegalCase, actor=actor, notify=tell, today=today)
