"""The funds API: funds (open, list with balances, one with its balance), a fund's entries,
and recording income, allocations and expenditures. Amounts are decimal strings in yuan
("2000.50"); a refusal is the project's JSON error (400/409 with the field it is about)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import Http404
from ninja import Field, Query, Schema, Status

from nuanxin.core import apiutils, idempotency
from nuanxin.core.errors import ServiceError
from nuanxin.funds.choices import Category, FundSource, IncomeKind, PayeeKind
from nuanxin.funds.models import CENT, Entry, Fund
from nuanxin.funds.selectors import funds as selectors
from nuanxin.funds.services import funds as fund_services
from nuanxin.funds.services import ledger
from nuanxin.orgs import scope
from nuanxin.orgs.models import Organisation

router = apiutils.ScopedRouter(tags=["funds"])


def amount_text(value: Decimal | None) -> str | None:
    return None if value is None else f"{Decimal(value).quantize(CENT)}"


class FundOut(Schema):
    id: int
    organisation: str = Field(..., description="The organisation's code.")
    organisation_name: str
    name: str
    source: str
    starts_on: date
    ends_on: date | None
    categories: list[str]
    allocated_from: int | None = Field(None, alias="allocated_from_id")
    active: bool
    balance: str = Field(..., description="The sum of the fund's postings (approved entries), e.g. \"1000.00\".")
    version: int

    @staticmethod
    def resolve_organisation(obj: Fund) -> str:
        return obj.organisation.code

    @staticmethod
    def resolve_organisation_name(obj: Fund) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_balance(obj: Fund) -> str:
        found = getattr(obj, "balance", None)
        return amount_text(found if found is not None else ledger.balance(obj)) or "0.00"


class FundBeneficiaryOut(Schema):
    worker: int = Field(..., alias="worker_id")
    family_member: int | None = Field(None, alias="family_member_id")
    amount: str

    @staticmethod
    def resolve_amount(obj: Any) -> str:
        return amount_text(obj.amount) or ""


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


class FundEntryOut(Schema):
    id: int
    fund: int = Field(..., alias="fund_id")
    organisation: str
    kind: str
    status: str
    amount: str
    income_kind: str
    to_fund: int | None = Field(None, alias="to_fund_id")
    category: str
    on: date
    payee: str
    payee_kind: str
    description: str
    quantity: str | None
    unit: str
    reverses: int | None = Field(None, alias="reverses_id")
    round: int | None = Field(None, alias="round_id")
    batch: str | None
    needs_parent: bool = Field(..., description="Above the threshold: the parent organisation's approver too.")
    recorded_by: str | None
    recorded_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    parent_approved_by: str | None
    parent_approved_at: datetime | None
    rejected_by: str | None
    rejected_at: datetime | None
    rejection_reason: str
    beneficiaries: list[FundBeneficiaryOut]
    version: int

    @staticmethod
    def resolve_organisation(obj: Entry) -> str:
        return obj.organisation.code

    @staticmethod
    def resolve_amount(obj: Entry) -> str:
        return amount_text(obj.amount) or ""

    @staticmethod
    def resolve_quantity(obj: Entry) -> str | None:
        return amount_text(obj.quantity)

    @staticmethod
    def resolve_batch(obj: Entry) -> str | None:
        return str(obj.batch) if obj.batch else None

    @staticmethod
    def resolve_recorded_by(obj: Entry) -> str | None:
        return _username(obj.recorded_by)

    @staticmethod
    def resolve_approved_by(obj: Entry) -> str | None:
        return _username(obj.approved_by)

    @staticmethod
    def resolve_parent_approved_by(obj: Entry) -> str | None:
        return _username(obj.parent_approved_by)

    @staticmethod
    def resolve_rejected_by(obj: Entry) -> str | None:
        return _username(obj.rejected_by)

    @staticmethod
    def resolve_beneficiaries(obj: Entry) -> list:
        return list(obj.beneficiaries.all())


ENTRY_RELATED = ("organisation", "recorded_by", "approved_by", "parent_approved_by", "rejected_by")


def entry_out(entry: Entry) -> Entry:
    return Entry.objects.select_related(*ENTRY_RELATED).prefetch_related("beneficiaries").get(pk=entry.pk)


class FundIn(Schema):
    organisation: str = Field(..., description="The organisation's code.", max_length=64)
    name: str = Field(..., max_length=100)
    source: FundSource = FundSource.OWN_BUDGET
    starts_on: date
    ends_on: date | None = None
    categories: list[Category] = Field(default_factory=lambda: list(Category))


class FundFilter(Schema):
    org: str | None = Field(None, description="An organisation's code: its funds and those below it.", max_length=64)


class IncomeIn(Schema):
    amount: str = Field(..., description="Yuan as a decimal string, e.g. \"20000\" or \"20000.50\".", max_length=40)
    on: date
    income_kind: IncomeKind = IncomeKind.APPROPRIATION
    payee: str = Field("", description="Who gave it (a donor), if anyone.", max_length=100)
    description: str = Field("", max_length=1000)


class AllocationItemIn(Schema):
    to_fund: int = Field(..., description="A fund of an organisation below the fund's.")
    amount: str = Field(..., max_length=40)


class AllocationIn(Schema):
    to_fund: int | None = Field(None, description="One allocation: the fund below (or give ``allocations``).")
    amount: str | None = Field(None, max_length=40)
    allocations: list[AllocationItemIn] | None = Field(None, description="Several allocations at once (a batch).")
    on: date
    description: str = Field("", max_length=1000)


class BeneficiaryIn(Schema):
    worker: int = Field(..., description="A registered worker's id.")
    amount: str = Field(..., max_length=40)
    family_member: int | None = None


class ExpenditureIn(Schema):
    amount: str = Field(..., max_length=40)
    category: str = Field(..., max_length=16)
    on: date
    payee: str = Field("", max_length=100)
    payee_kind: PayeeKind | None = None
    description: str = Field("", max_length=1000)
    quantity: str | int | float | None = Field(
        None, description="Goods bought: a number (JSON number or decimal string), with ``unit``."
    )
    unit: str = Field("", max_length=16)
    beneficiaries: list[BeneficiaryIn] = Field(default_factory=list)


def _with_balances(request: Any, items: list[Fund]) -> None:
    found = ledger.balances(f.pk for f in items)
    for fund in items:
        setattr(fund, "balance", found[fund.pk])  # noqa: B010 (read by FundOut)


@router.get(
    "/funds",
    model=Fund,
    action="view",
    response=list[FundOut],
    operation_id="list_funds",
    summary="The funds in reach, with balances",
)
@apiutils.paginate(on_page=_with_balances)
def list_funds(request: Any, filters: Query[FundFilter]) -> Any:
    """The funds the token's user may see (viewers too), each with its balance; ``org`` narrows
    them to an organisation and those below it (an unknown code is 404)."""
    rows = Fund.objects.for_user(request.user, "view").select_related("organisation")
    if filters.org:
        organisation = Organisation.objects.filter(code=filters.org).first()
        if organisation is None:
            raise Http404
        rows = rows.filter(organisation__path__startswith=organisation.path)
    return rows.order_by("organisation__path", "name", "id")


@router.post(
    "/funds",
    model=Fund,
    action="manage",
    response={201: FundOut},
    operation_id="create_fund",
    summary="Open a fund",
)
@idempotency.api
def create_fund(request: Any, payload: FundIn) -> Any:
    """Open a fund of an organisation in reach (its name unique there)."""
    q = scope.scope_q(request.user, Fund.policy.roles("manage"), "path")
    organisation = Organisation.objects.filter(q, code=payload.organisation).first() if q is not None else None
    if organisation is None:
        raise Http404
    fund = fund_services.open_fund(
        actor=request.user, organisation=organisation, name=payload.name, source=payload.source.value,
        starts_on=payload.starts_on, ends_on=payload.ends_on, categories=[c.value for c in payload.categories],
    )
    return Status(201, Fund.objects.select_related("organisation").get(pk=fund.pk))


@router.get(
    "/funds/{fund_id}",
    model=Fund,
    action="view",
    response=FundOut,
    operation_id="get_fund",
    summary="A fund with its balance",
)
def get_fund(request: Any, fund_id: int) -> Any:
    return apiutils.get_scoped_or_404(Fund.objects.select_related("organisation"), request, "view", pk=fund_id)


@router.get(
    "/funds/{fund_id}/entries",
    model=Fund,
    action="detail",
    response=list[FundEntryOut],
    operation_id="list_fund_entries",
    summary="A fund's entries, newest first",
)
@apiutils.paginate
def list_fund_entries(request: Any, fund_id: int) -> Any:
    """Every entry leaving or entering the fund (any status), newest first: the finance roles,
    administrators and auditors (viewers: 403)."""
    from django.db.models import Q

    fund = apiutils.get_scoped_or_404(Fund, request, "detail", pk=fund_id)
    return (
        Entry.objects.filter(Q(fund=fund) | Q(to_fund=fund))
        .select_related(*ENTRY_RELATED)
        .prefetch_related("beneficiaries")
        .order_by("-on", "-id")
    )


@router.post(
    "/funds/{fund_id}/income",
    model=Fund,
    action="record",
    response={201: FundEntryOut},
    operation_id="record_fund_income",
    summary="Record income (awaits approval)",
)
@idempotency.api
def record_income(request: Any, fund_id: int, payload: IncomeIn) -> Any:
    fund = apiutils.get_scoped_or_404(Fund.objects.select_related("organisation"), request, "record", pk=fund_id)
    entry = ledger.record_income(
        actor=request.user, fund=fund, amount=payload.amount, on=payload.on, income_kind=payload.income_kind.value,
        payee=payload.payee, description=payload.description,
    )
    return Status(201, entry_out(entry))


def _below(fund: Fund, pk: int) -> Fund:
    """A fund below ``fund``'s organisation, or the refusal (the same whether it is missing,
    elsewhere or above: nothing is learnt about funds out of reach)."""
    found = selectors.funds_of_organisation_below(fund).select_related("organisation").filter(pk=pk).first()
    if found is None:
        from django.utils.translation import gettext as _

        raise ServiceError(
            _("Money is allocated to a fund of an organisation below “%(org)s”.") % {"org": fund.organisation.name},
            field="to_fund",
        )
    return found


@router.post(
    "/funds/{fund_id}/allocations",
    model=Fund,
    action="record",
    response={201: list[FundEntryOut]},
    operation_id="record_fund_allocations",
    summary="Allocate down the tree (awaits approval)",
)
@idempotency.api
def record_allocations(request: Any, fund_id: int, payload: AllocationIn) -> Any:
    """One allocation (``to_fund`` and ``amount``) or several at once (``allocations``), to
    funds of organisations below; never more than the balance in all."""
    from django.utils.translation import gettext as _

    fund = apiutils.get_scoped_or_404(Fund.objects.select_related("organisation"), request, "record", pk=fund_id)
    if payload.allocations is not None and (payload.to_fund is not None or payload.amount is not None):
        raise ServiceError(
            _("Give either to_fund and amount (one allocation) or allocations (a batch), not both."),
            field="allocations",
        )
    items = [(a.to_fund, a.amount) for a in payload.allocations or []]
    if payload.to_fund is not None or payload.amount is not None:
        if payload.to_fund is None or payload.amount is None:
            raise ServiceError(_("Give both the fund and the amount."), field="to_fund")
        items.append((payload.to_fund, payload.amount))
    if not items:
        raise ServiceError(_("Choose at least one fund to allocate to."), field="to_fund")
    allocations = [ledger.Allocation(_below(fund, pk), ledger.money(amount)) for pk, amount in items]
    entries = ledger.record_allocations(
        actor=request.user, fund=fund, allocations=allocations, on=payload.on, description=payload.description
    )
    return Status(201, [entry_out(e) for e in entries])


@router.post(
    "/funds/{fund_id}/expenditures",
    model=Fund,
    action="record",
    response={201: FundEntryOut},
    operation_id="record_fund_expenditure",
    summary="Record an expenditure (awaits approval)",
)
@idempotency.api
def record_expenditure(request: Any, fund_id: int, payload: ExpenditureIn) -> Any:
    """Money spent: on goods (``quantity``, ``unit``) or paid to people (``beneficiaries``:
    registered workers of the fund's organisation or below, their amounts adding up to
    ``amount``)."""
    from nuanxin.funds.selectors import spending as spending_selectors
    from nuanxin.funds.services import spending as spending_services
    from nuanxin.registry.models import FamilyMember

    fund = apiutils.get_scoped_or_404(Fund.objects.select_related("organisation"), request, "record", pk=fund_id)
    # Only the workers the clerk may pay from this fund are looked up: an id out of reach is the
    # same nameless refusal as an unknown one (no name is ever echoed).
    wanted = [b.worker for b in payload.beneficiaries]
    workers = (
        spending_selectors.payable_workers(request.user, fund).in_bulk(wanted) if payload.beneficiaries else {}
    )
    members = FamilyMember.objects.filter(worker__in=list(workers.values())).in_bulk(
        [b.family_member for b in payload.beneficiaries if b.family_member is not None]
    ) if payload.beneficiaries else {}
    payments = []
    for b in payload.beneficiaries:
        worker = workers.get(b.worker)
        if worker is None:
            raise ServiceError(ledger.unknown_worker_message(), field="beneficiaries")
        member = None
        if b.family_member is not None:
            member = members.get(b.family_member)
            if member is None or member.worker_id != worker.pk:
                raise ServiceError(ledger.unknown_worker_message(), field="beneficiaries")
        payments.append(ledger.Payment(worker, ledger.money(b.amount, field="beneficiaries"), member))
    quantity = payload.quantity
    if isinstance(quantity, int | float) and not isinstance(quantity, bool):
        quantity = str(quantity)
    # The page's service: the same rules (a supplier is named, a supplier has no beneficiaries …).
    entry = spending_services.record_expenditure(
        actor=request.user, fund=fund, amount=payload.amount, category=payload.category, on=payload.on,
        payee=payload.payee, payee_kind=payload.payee_kind.value if payload.payee_kind else "",
        description=payload.description, quantity=quantity, unit=payload.unit, beneficiaries=payments,
    )
    return Status(201, entry_out(entry))
