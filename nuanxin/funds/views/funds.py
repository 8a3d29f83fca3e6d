"""The funds' pages: the list of funds in the user's reach, a fund's page (balance, period,
categories, its entries), opening and changing a fund, income, allocations down the tree to
one or many organisations, returns up, the statement (page, xlsx, PDF) and the approval
thresholds.

Who reaches what is the funds' policy (``models.FUND_ACTIONS``): viewers see the funds and
their balances ("view"), never the entries ("detail"); clerks record, approvers approve."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_safe

from nuanxin.core import access, exports, idempotency, pdf
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.manifest import MenuEntry
from nuanxin.core.pages import run_service
from nuanxin.funds.forms import funds as forms
from nuanxin.funds.models import ApprovalRule, Entry, Fund
from nuanxin.funds.selectors import funds as selectors
from nuanxin.funds.services import allocations, ledger, statements
from nuanxin.funds.services import funds as services
from nuanxin.funds.templatetags.funds_money import yuan_text
from nuanxin.orgs import scope
from nuanxin.orgs.models import Organisation


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _funds(request: HttpRequest) -> Any:
    return Fund.objects.select_related("organisation", "allocated_from__organisation")


def detail_url(fund: Fund) -> str:
    return reverse("funds:fund_detail", kwargs={"pk": fund.pk})


def _url_or_none(name: str, **kwargs: Any) -> str | None:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


# --- the list and a fund's page ---------------------------------------------------------------


@access.scoped(Fund, "view")
@require_safe
def fund_list(request: HttpRequest) -> HttpResponse:
    """The funds in the user's reach with their balances, filtered by organisation (?org=code:
    the organisation and those below it)."""
    user = request.user
    code = request.GET.get("org") or ""
    organisation = Organisation.objects.filter(code=code).first() if code else None
    funds = selectors.funds_for(user, organisation=organisation) if organisation or not code else []
    return render(
        request,
        "funds/fund_list.html",
        {
            "funds": funds,
            "organisations": selectors.filter_organisations(user),
            "org_code": code,
            "organisation": organisation,
            "may_open": Fund.policy.may(user, "manage"),
            "may_thresholds": ApprovalRule.policy.may(user, "change"),
            "total": sum((getattr(f, "balance") for f in funds), ledger.Decimal("0.00")),  # noqa: B009
        },
    )


def _links(user: Any, fund: Fund) -> list[tuple[Any, str, str]]:
    """The fund's actions the user may use: (label, URL, element id)."""
    links = []
    record = Fund.policy.allows(user, "record", fund) and fund.active
    if record:
        links.append((_("Record income"), reverse("funds:income_create", kwargs={"fund_pk": fund.pk}), "nx-income"))
        links.append((_("Allocate down"), reverse("funds:allocation_create", kwargs={"fund_pk": fund.pk}),
                      "nx-allocate"))
        if fund.organisation.depth > 1:
            links.append((_("Return up"), reverse("funds:return_create", kwargs={"fund_pk": fund.pk}), "nx-return"))
        for label, name, element in (
            (_("Record an expenditure"), "funds:expenditure_create", "nx-spend"),
            (_("Condolence round"), "funds:round_create", "nx-round"),
        ):
            url = _url_or_none(name, fund_pk=fund.pk)
            if url:
                links.append((label, url, element))
    url = _url_or_none("funds:spending_list", fund_pk=fund.pk)
    if url:  # the spending list (viewers: amounts only; the export for detail roles)
        links.append((_("Spending"), url, "nx-spending"))
    if Fund.policy.allows(user, "detail", fund):
        links.append((_("Statement"), reverse("funds:statement", kwargs={"pk": fund.pk}), "nx-statement"))
    url = _url_or_none("funds:figures")
    if url:
        links.append((_("Figures"), f"{url}?org={fund.organisation.code}", "nx-figures"))
    if Fund.policy.allows(user, "manage", fund):
        links.append((_("Edit the fund"), reverse("funds:fund_edit", kwargs={"pk": fund.pk}), "nx-fund-edit"))
    return links


ENTRIES_ON_PAGE = 100


@access.scoped(Fund, "view", lookup="pk", queryset=_funds)
@require_safe
def fund_detail(request: HttpRequest, fund: Fund) -> HttpResponse:
    """A fund's page: its balance, period and categories for everyone who sees the fund; its
    entries (newest first, with their status) for the finance roles, administrators and
    auditors."""
    user = request.user
    detail = Fund.policy.allows(user, "detail", fund)
    entries = selectors.entries_of(fund, limit=ENTRIES_ON_PAGE) if detail else []
    for entry in entries:  # an allocation received from above is the sender's entry
        entry.may_open = Entry.policy.allows(user, "detail", entry)  # type: ignore[attr-defined]
        entry.signed = selectors.signed_amount(fund, entry)  # type: ignore[attr-defined]
    return render(
        request,
        "funds/fund_detail.html",
        {
            "fund": fund,
            "balance": ledger.balance(fund),
            "period": ledger.period_text(fund),
            "categories": fund_categories(fund),
            "detail": detail,
            "entries": entries,
            "more_entries": len(entries) == ENTRIES_ON_PAGE,
            "links": _links(user, fund),
            "threshold": ledger.threshold_for(fund.organisation),
        },
    )


def fund_categories(fund: Fund) -> list[str]:
    from nuanxin.funds.choices import Category

    return [str(Category(c).label) for c in fund.categories if c in Category.values]


# --- opening and changing a fund --------------------------------------------------------------


@access.scoped(Fund, "manage")
@require_http_methods(["GET", "POST"])
@idempotency.form
def fund_create(request: HttpRequest) -> HttpResponse:
    organisations = _manage_organisations(request.user)
    form = forms.FundCreateForm(_posted(request), organisations=organisations)
    if form.is_bound and form.is_valid():
        ok, fund = run_service(form, services.open_fund, actor=request.user, **form.service_values())
        if ok:
            messages.success(request, _("Fund “%(name)s” opened.") % {"name": fund.name})
            return redirect(detail_url(fund))
    return render(request, "funds/fund_form.html", {"form": form, "title": _("Open a fund")})


def _manage_organisations(user: Any) -> Any:
    """The organisations where the user may open funds."""
    q = scope.scope_q(user, Fund.policy.roles("manage"), "path")
    return Organisation.objects.none() if q is None else Organisation.objects.filter(q).order_by("path")


@access.scoped(Fund, "manage", lookup="pk", queryset=_funds)
@require_http_methods(["GET", "POST"])
def fund_edit(request: HttpRequest, fund: Fund) -> HttpResponse:
    initial = {f: getattr(fund, f) for f in services.FUND_FIELDS}
    form = forms.FundEditForm(_posted(request), initial=initial, version=fund.version)
    if form.is_bound and form.is_valid():
        ok, saved = run_service(form, services.update_fund, actor=request.user, fund=fund, **form.service_values())
        if ok:
            messages.success(request, _("The fund's details are saved."))
            return redirect(detail_url(saved))
    return render(request, "funds/fund_form.html", {"form": form, "fund": fund, "title": fund.name})


# --- income, allocations, returns -------------------------------------------------------------


def _recorded(request: HttpRequest, entries: list[Entry]) -> None:
    total = sum((e.amount for e in entries), ledger.Decimal("0"))
    waiting = _("It moves money once another approver approves it.")
    if any(e.needs_parent for e in entries):
        waiting = _("It is above the threshold: an approver of the parent organisation approves it too.")
    messages.success(
        request,
        ngettext(
            "%(count)d entry of %(amount)s recorded.", "%(count)d entries of %(amount)s in all recorded.",
            len(entries),
        ) % {"count": len(entries), "amount": yuan_text(total)} + " " + waiting,
    )


@access.scoped(Fund, "record", lookup="pk", kwarg="fund_pk", queryset=_funds)
@require_http_methods(["GET", "POST"])
@idempotency.form
def income_create(request: HttpRequest, fund: Fund) -> HttpResponse:
    form = forms.IncomeForm(_posted(request))
    if form.is_bound and form.is_valid():
        ok, entry = run_service(form, ledger.record_income, actor=request.user, fund=fund, **form.service_values())
        if ok:
            _recorded(request, [entry])
            return redirect(detail_url(fund))
    return render(request, "funds/income_form.html", {"form": form, "fund": fund, "balance": ledger.balance(fund)})


@access.scoped(Fund, "record", lookup="pk", kwarg="fund_pk", queryset=_funds)
@require_http_methods(["GET", "POST"])
@idempotency.form
def allocation_create(request: HttpRequest, fund: Fund) -> HttpResponse:
    """Allocate to organisations below: tick them, an amount each or one for all. An
    organisation without a fund of this name gets one opened."""
    organisations = selectors.allocation_organisations(fund)
    form = forms.AllocationForm(_posted(request), organisations=organisations, base_depth=fund.organisation.depth)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        targets = [allocations.Target(org, amount) for org, amount in data["chosen"]]
        ok, entries = run_service(
            form, allocations.allocate_to_organisations, actor=request.user, fund=fund, targets=targets,
            on=data["on"], description=data.get("description") or "",
        )
        if ok:
            _recorded(request, entries)
            return redirect(detail_url(fund))
    return render(
        request,
        "funds/allocation_form.html",
        {"form": form, "fund": fund, "balance": ledger.balance(fund), "base_depth": fund.organisation.depth},
    )


@access.scoped(Fund, "record", lookup="pk", kwarg="fund_pk", queryset=_funds)
@require_http_methods(["GET", "POST"])
@idempotency.form
def return_create(request: HttpRequest, fund: Fund) -> HttpResponse:
    targets = selectors.return_targets(fund)
    initial = {"to_fund": fund.allocated_from_id} if fund.allocated_from_id else {}
    form = forms.ReturnForm(_posted(request), targets=targets, initial=initial)
    if form.is_bound and form.is_valid():
        ok, entry = run_service(form, ledger.record_return, actor=request.user, fund=fund, **form.service_values())
        if ok:
            _recorded(request, [entry])
            return redirect(detail_url(fund))
    return render(request, "funds/return_form.html", {"form": form, "fund": fund, "balance": ledger.balance(fund)})


# --- the statement ----------------------------------------------------------------------------


def _period(request: HttpRequest, fund: Fund) -> tuple[Any, Any]:
    form = forms.PeriodForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, (form.cleaned_data.get("start"), form.cleaned_data.get("end"))
    return form, (None, None)


@access.scoped(Fund, "detail", lookup="pk", queryset=_funds)
@require_safe
def statement(request: HttpRequest, fund: Fund) -> HttpResponse:
    """The statement of a period: opening balance, every posting with the running balance,
    closing balance."""
    form, (start, end) = _period(request, fund)
    found = None
    if not form.errors:
        try:
            found = statements.statement(fund, start, end)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    query = request.GET.urlencode()
    if found is not None:
        entries = {line.posting.entry for line in found.lines}
        visible = {e.pk for e in entries if Entry.policy.allows(request.user, "detail", e)}
    else:
        visible = set()
    return render(
        request,
        "funds/statement.html",
        {"fund": fund, "form": form, "statement": found, "query": f"?{query}" if query else "", "visible": visible,
         "may_export": Fund.policy.allows(request.user, "export", fund)},
    )


def _statement_file(request: HttpRequest, fund: Fund, build: Any, content_type: str) -> HttpResponse:
    form, (start, end) = _period(request, fund)
    if form.errors:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(reverse("funds:statement", kwargs={"pk": fund.pk}))
    try:
        content, filename = build(actor=request.user, fund=fund, start=start, end=end)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("funds:statement", kwargs={"pk": fund.pk}))
    return exports.file_response(content, filename, content_type)


@access.scoped(Fund, "export", lookup="pk", queryset=_funds)
@require_safe
def statement_xlsx(request: HttpRequest, fund: Fund) -> HttpResponse:
    return _statement_file(request, fund, statements.statement_xlsx, exports.XLSX_CONTENT_TYPE)


@access.scoped(Fund, "export", lookup="pk", queryset=_funds)
@require_safe
def statement_pdf(request: HttpRequest, fund: Fund) -> HttpResponse:
    return _statement_file(request, fund, statements.statement_pdf, pdf.PDF_CONTENT_TYPE)


# --- approval thresholds ----------------------------------------------------------------------


def threshold_organisations(user: Any) -> Any:
    """The organisations whose threshold the user may set: those strictly below the
    organisations their grants for it cover."""
    paths = scope.scope_paths(user, ApprovalRule.policy.roles("change"))
    if not paths:
        return Organisation.objects.none()
    query = Q()
    for p in paths:
        query |= Q(path__startswith=p) & ~Q(path=p)
    return Organisation.objects.filter(query).order_by("path")


@access.scoped(ApprovalRule, "change")
@require_http_methods(["GET", "POST"])
def thresholds(request: HttpRequest) -> HttpResponse:
    """The approval thresholds of the organisations below the user's, and the form setting one
    (administrators above the organisation only)."""
    user = request.user
    organisations = threshold_organisations(user)
    form = forms.ThresholdForm(_posted(request), organisations=organisations)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        ok, rule = run_service(
            form, services.set_threshold, actor=user, organisation=data["organisation"], threshold=data["threshold"]
        )
        if ok:
            messages.success(
                request,
                _("The approval threshold of %(org)s is now %(amount)s.")
                % {"org": rule.organisation.name, "amount": yuan_text(rule.threshold)},
            )
            return redirect(reverse("funds:thresholds"))
    rules = ApprovalRule.objects.filter(organisation__in=organisations).select_related("organisation", "updated_by")
    return render(
        request,
        "funds/thresholds.html",
        {"form": form, "rules": list(rules.order_by("organisation__path")),
         "default": ledger.settings.NUANXIN_FUNDS_THRESHOLD},
    )


urlpatterns = [
    path("", fund_list, name="fund_list"),
    path("new/", fund_create, name="fund_create"),
    path("<int:pk>/", fund_detail, name="fund_detail"),
    path("<int:pk>/edit/", fund_edit, name="fund_edit"),
    path("<int:fund_pk>/income/new/", income_create, name="income_create"),
    path("<int:fund_pk>/allocations/new/", allocation_create, name="allocation_create"),
    path("<int:fund_pk>/returns/new/", return_create, name="return_create"),
    path("<int:pk>/statement/", statement, name="statement"),
    path("<int:pk>/statement.xlsx", statement_xlsx, name="statement_xlsx"),
    path("<int:pk>/statement.pdf", statement_pdf, name="statement_pdf"),
    path("thresholds/", thresholds, name="thresholds"),
]
MENU = [
    MenuEntry(
        gettext_lazy("Funds"),
        "funds:fund_list",
        order=280,
        element_id="nx-nav-funds",
        visible=lambda user: Fund.policy.may(user, "view"),
    ),
]
COUNTERS: list = []
HOME_PANELS: list = []
