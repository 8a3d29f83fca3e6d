"""Opening and changing funds, and the approval thresholds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from nuanxin.core import audit, versioning
from nuanxin.core.errors import Conflict, ServiceError
from nuanxin.core.policy import user_of
from nuanxin.funds.choices import Category, FundSource
from nuanxin.funds.models import CENT, ApprovalRule, Fund

FUND_FIELDS = ("name", "source", "starts_on", "ends_on", "categories", "active")


def _clean(name: str, source: str, starts_on: date | None, ends_on: date | None, categories) -> tuple:
    name = (name or "").strip()
    if not name:
        raise ServiceError(_("Name the fund."), field="name")
    if source not in FundSource.values:
        raise ServiceError(_("Choose where the fund's money comes from."), field="source")
    if starts_on is None:
        raise ServiceError(_("Enter the date the fund starts."), field="starts_on")
    if ends_on is not None and ends_on < starts_on:
        raise ServiceError(_("The fund cannot end before it starts."), field="ends_on")
    categories = list(dict.fromkeys(categories or []))
    unknown = [c for c in categories if c not in Category.values]
    if unknown:
        raise ServiceError(_("Unknown spending category: %(code)s.") % {"code": unknown[0]}, field="categories")
    if not categories:
        raise ServiceError(_("Choose at least one spending category."), field="categories")
    return name, categories


def _duplicate(organisation, name: str) -> Conflict:
    return Conflict(
        _("“%(org)s” already has a fund named “%(name)s”.") % {"org": organisation.name, "name": name}, field="name"
    )


@transaction.atomic
def open_fund(
    *,
    actor,
    organisation,
    name: str,
    source: str = FundSource.OWN_BUDGET,
    starts_on: date,
    ends_on: date | None = None,
    categories=(),
    allocated_from: Fund | None = None,
) -> Fund:
    """Open a fund of ``organisation``. The name is unique within the organisation."""
    name, categories = _clean(name, source, starts_on, ends_on, categories)
    fund = Fund(
        organisation=organisation, name=name, source=source, starts_on=starts_on, ends_on=ends_on,
        categories=categories, allocated_from=allocated_from, created_by=user_of(actor),
    )
    Fund.policy.require(actor, "manage", fund, _("You may not open funds of this organisation."))
    if Fund.objects.filter(organisation=organisation, name=name).exists():
        raise _duplicate(organisation, name)
    try:
        with transaction.atomic():
            fund.save()
    except IntegrityError:
        raise _duplicate(organisation, name) from None
    audit.record(
        actor, "funds.fund.open", obj=fund, organisation=organisation,
        detail={
            "source": source,
            "categories": categories,
            "allocated_from": allocated_from.pk if allocated_from else None,
        },
    )
    return fund


@transaction.atomic
def update_fund(*, actor, fund: Fund, version: int | None = None, **changes) -> Fund:
    """Change a fund's name, source, period, categories or whether it is open (its money is
    the ledger's: never changed here)."""
    fund = Fund.objects.select_for_update().get(pk=fund.pk)
    Fund.policy.require(actor, "manage", fund, _("You may not change this fund."))
    versioning.check_version(fund, version)
    unknown = set(changes) - set(FUND_FIELDS)
    if unknown:
        raise ValueError(f"update_fund cannot change {sorted(unknown)}")
    values = {f: changes.get(f, getattr(fund, f)) for f in FUND_FIELDS}
    values["name"], values["categories"] = _clean(
        values["name"], values["source"], values["starts_on"], values["ends_on"], values["categories"]
    )
    if Fund.objects.filter(organisation=fund.organisation, name=values["name"]).exclude(pk=fund.pk).exists():
        raise _duplicate(fund.organisation, values["name"])
    changed = [f for f in FUND_FIELDS if values[f] != getattr(fund, f)]
    if not changed:
        return fund
    for f in changed:
        setattr(fund, f, values[f])
    fund.save(update_fields=[*changed, versioning.bump(fund)])
    audit.record(actor, "funds.fund.update", obj=fund, organisation=fund.organisation, detail={"changed": changed})
    return fund


def parse_threshold(value) -> Decimal:
    """A threshold in yuan: zero or more, at most two decimal places."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ServiceError(_("Enter the amount in yuan, e.g. 2000 or 2000.50."), field="threshold") from None
    if not amount.is_finite() or amount < 0:
        raise ServiceError(_("Enter the amount in yuan, e.g. 2000 or 2000.50."), field="threshold")
    if amount > Decimal("999999999999.99"):
        raise ServiceError(_("The amount is too large."), field="threshold")
    if amount != amount.quantize(CENT):
        raise ServiceError(_("An amount has at most two decimal places (fen)."), field="threshold")
    return amount.quantize(CENT)


@transaction.atomic
def set_threshold(*, actor, organisation, threshold, version: int | None = None) -> ApprovalRule:
    """Set ``organisation``'s approval threshold: an entry (or a batch) above it needs the
    parent organisation's approver too. Only an administrator whose grant covers the parent
    organisation sets it (nobody raises their own)."""
    amount = parse_threshold(threshold)
    rule = ApprovalRule.objects.select_for_update().filter(organisation=organisation).first()
    created = rule is None
    if rule is None:
        rule = ApprovalRule(organisation=organisation, threshold=amount)
    ApprovalRule.policy.require(
        actor, "change", rule, _("The approval threshold of an organisation is set by the administrators above it.")
    )
    if not created:
        versioning.check_version(rule, version)
    before = None if created else str(rule.threshold)
    rule.threshold = amount
    rule.updated_by = user_of(actor)
    if created:
        rule.save()
    else:
        rule.save(update_fields=["threshold", "updated_by", "updated_at", versioning.bump(rule)])
    audit.record(
        actor, "funds.threshold.set", obj=rule, object_repr=f"threshold #{rule.pk}", organisation=organisation,
        detail={"threshold": str(amount), "previous_threshold": before},
    )
    return rule
