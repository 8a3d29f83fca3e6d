"""The contributions of a scheme charged to a fund: one expenditure (category mutual-aid
insurance) for every enrolment made by the unions (under the team's name) in the fund's
organisation subtree that no expenditure pays yet. The finance clerk who records it must
hold "record" on the fund (``funds.services.spending.record_expenditure`` checks it); the
entry then awaits approval like any other. Enrolments are linked to the entry, so they are
never charged twice; those of a rejected entry may be charged again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core import audit
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.funds.choices import Category, EntryStatus, PayeeKind
from nuanxin.funds.models import Entry, Fund
from nuanxin.funds.services.spending import record_expenditure
from nuanxin.welfare.choices import EnrolmentSource
from nuanxin.welfare.models import Enrolment, Scheme


@dataclass(frozen=True)
class Pending:
    count: int
    amount: Decimal


def unpaid(scheme: Scheme, organisation: Any) -> Any:
    """The enrolments of ``scheme`` in ``organisation``'s subtree still to be charged."""
    return Enrolment.objects.filter(
        scheme=scheme,
        source=EnrolmentSource.ENROLLED,
        organisation__path__startswith=organisation.path,
        contribution__gt=0,
    ).filter(Q(expenditure__isnull=True) | Q(expenditure__status=EntryStatus.REJECTED))


def pending(scheme: Scheme, organisation: Any) -> Pending:
    totals = unpaid(scheme, organisation).aggregate(n=Count("id"), amount=Sum("contribution"))
    return Pending(count=totals["n"] or 0, amount=(totals["amount"] or Decimal("0")).quantize(Decimal("0.01")))


def chargeable_funds(user: Any) -> Any:
    """The open funds ``user`` may record expenditures of that allow mutual-aid insurance."""
    funds = Fund.objects.for_user(user, "record").filter(active=True).select_related("organisation")
    ordered = funds.order_by("organisation__path", "name", "id")
    return [f for f in ordered if Category.MUTUAL_AID in (f.categories or [])]


@transaction.atomic
def charge_contributions(
    *, actor: Any, scheme: Scheme, fund: Fund, on: date | None = None, payee: str = "", description: str = ""
) -> Entry:
    """One expenditure of ``fund`` for the unpaid contributions of ``scheme`` in the fund's
    organisation subtree (module docstring); the enrolments are linked to it."""
    if not Fund.policy.allows(actor, "record", fund):
        raise NotAllowed(_("You may not record entries of this fund."))
    if not Scheme.policy.allows(actor, "view", scheme):
        raise NotAllowed(_("You may not see this scheme."))
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)  # one charge at a time per scheme
    fund = Fund.objects.select_related("organisation").get(pk=fund.pk)
    enrolments = list(unpaid(scheme, fund.organisation).select_for_update(of=("self",)).order_by("id"))
    if not enrolments:
        raise ServiceError(_("Every contribution of this scheme in the fund's organisations is charged already."),
                           field="fund")
    amount = sum((e.contribution for e in enrolments), Decimal("0")).quantize(Decimal("0.01"))
    on = on or timezone.localdate()
    entry = record_expenditure(
        actor=actor,
        fund=fund,
        amount=amount,
        category=Category.MUTUAL_AID,
        on=on,
        payee=(payee or "").strip() or str(scheme.name)[:100],
        payee_kind=PayeeKind.SUPPLIER,
        description=(description or "").strip()
        or _("%(scheme)s: contributions of %(count)d members enrolled under the team's name")
        % {"scheme": str(scheme), "count": len(enrolments)},
    )
    Enrolment.objects.filter(pk__in=[e.pk for e in enrolments]).update(expenditure=entry)
    audit.record(
        actor, "welfare.contributions.charge", obj=scheme, object_repr=f"scheme #{scheme.pk}",
        organisation=fund.organisation,
        detail={"fund": fund.pk, "count": len(enrolments), "amount": str(amount), "welfare_entry": entry.pk},
    )
    return entry
