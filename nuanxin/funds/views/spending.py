"""The funds' pages: spending (see views/__init__.py).

- ``expenditure_create`` (fund_pk): an expenditure with receipts and, for payments to people,
  the beneficiaries picked from the register (workers of the fund's subtree the clerk may pay);
- ``receipt_add`` (entry pk): more receipts while the entry awaits approval;
- ``round_create`` (fund_pk), ``round_detail`` / ``round_add`` (pk): condolence rounds;
- ``spending_list`` (fund_pk), ``spending_org`` (?org=): expenditures with filters (names only
  for the detail roles); ``spending_export`` / ``spending_org_export``: the same as xlsx.

Bad input shows the form again with everything typed (files must be chosen again: no browser
keeps them) and changes nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_safe

from nuanxin.core import access, exports, idempotency
from nuanxin.core.errors import ServiceError
from nuanxin.core.pages import add_service_error, run_service
from nuanxin.funds.choices import Category, EntryKind, EntryStatus
from nuanxin.funds.forms.spending import (
    ExpenditureForm,
    PickerForm,
    ReceiptForm,
    RoundAddForm,
    RoundForm,
    SpendingFilter,
    fund_categories,
)
from nuanxin.funds.models import CondolenceRound, Entry, Fund
from nuanxin.funds.selectors import spending as selectors
from nuanxin.funds.services import ledger, receipts, rounds
from nuanxin.funds.services import spending as services
from nuanxin.funds.services.ledger import Payment

PER_PAGE = 30
FILES_AGAIN = gettext_lazy("Files you had chosen were not kept: choose the receipts again before saving.")


def _funds(request) -> Any:
    return Fund.objects.select_related("organisation")


def _entries(request) -> Any:
    return Entry.objects.select_related("fund", "organisation", "round")


def _rounds(request) -> Any:
    return CondolenceRound.objects.select_related("fund", "organisation")


def _files_dropped(request, form) -> None:
    if request.FILES:
        form.add_error(None, FILES_AGAIN)


# --- an expenditure ------------------------------------------------------------------------


def _beneficiary_rows(request, fund: Fund) -> list[dict[str, Any]]:
    """The beneficiary rows of the form as posted (worker, amount as typed), the add and
    remove buttons applied; workers the clerk may not pay are dropped."""
    ids = request.POST.getlist("b_worker")
    amounts = request.POST.getlist("b_amount")
    families = request.POST.getlist("b_family")
    typed = dict(zip(ids, amounts + [""] * (len(ids) - len(amounts)), strict=False))
    received = dict(zip(ids, families + [""] * (len(ids) - len(families)), strict=False))
    order = list(dict.fromkeys(ids))
    if request.POST.get("add"):
        order.append(request.POST["add"])
    removed = request.POST.get("remove")
    order = [i for i in dict.fromkeys(order) if i != removed]
    workers = selectors.chosen(request.user, fund, order)
    members = selectors.family_members(workers)
    rows = []
    for w in workers:
        own = members.get(w.pk, [])
        chosen = next((m for m in own if str(m.pk) == received.get(str(w.pk), "")), None)
        rows.append({"worker": w, "amount": typed.get(str(w.pk), ""), "family": own, "received_by": chosen})
    return rows


def _payments(rows: list[dict[str, Any]]) -> list[Payment]:
    payments = []
    for row in rows:
        try:
            amount = ledger.money(row["amount"], field="beneficiaries")
        except ServiceError:
            raise ServiceError(
                _("Enter the amount paid to %(name)s in yuan, e.g. 2000.") % {"name": row["worker"].name},
                field="beneficiaries",
            ) from None
        payments.append(Payment(row["worker"], amount, row["received_by"]))
    return payments


@access.scoped(Fund, "record", lookup="pk", kwarg="fund_pk", queryset=_funds)
@require_http_methods(["GET", "POST"])
@idempotency.form
def expenditure_create(request, fund: Fund):
    """Record an expenditure: amount, category (the fund's), date, payee, goods bought,
    receipts, and the beneficiaries when people are paid."""
    posted = request.method == "POST"
    form = ExpenditureForm(request.POST if posted else None, request.FILES if posted else None, fund=fund)
    picker = PickerForm(request.POST if posted else None, prefix="pick", units=selectors.units(request.user, fund))
    rows = _beneficiary_rows(request, fund) if posted else []
    action = request.POST.get("action", "save") if posted else ""
    if request.POST.get("add") or request.POST.get("remove"):
        action = "pick"
    results: list = []
    searched = posted and action in ("search", "pick")
    if searched:
        values = picker.values()
        if values.get("q") or values.get("unit") or values.get("team") or values.get("status"):
            chosen_ids = {r["worker"].pk for r in rows}
            qs = selectors.candidates(request.user, fund, **values).exclude(pk__in=chosen_ids)
            results = list(qs[:50])
    if posted and action == "save" and form.is_valid():
        try:
            payments = _payments(rows)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            ok, entry = run_service(
                form, services.record_expenditure, actor=request.user, fund=fund, **form.service_values(),
                beneficiaries=payments, files=form.cleaned_data.get("receipts") or [],
            )
            if ok:
                messages.success(request, _("Expenditure recorded: it awaits approval."))
                return redirect(_entry_url(entry))
    if posted and action == "save":
        _files_dropped(request, form)
    elif posted and request.FILES:
        messages.info(request, FILES_AGAIN)
    total = Decimal("0")
    for row in rows:
        try:
            total += ledger.money(row["amount"])
        except ServiceError:
            pass
    return render(
        request,
        "funds/expenditure_form.html",
        {
            "fund": fund, "form": form, "picker": picker, "rows": rows, "results": results, "searched": searched,
            "rows_total": total, "balance": ledger.balance(fund),
        },
    )


def _entry_url(entry: Entry) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("funds:entry_detail", kwargs={"pk": entry.pk})
    except NoReverseMatch:  # the entries' pages are another area's
        return reverse("funds:spending_list", kwargs={"fund_pk": entry.fund_id})


@access.scoped(Entry, "record", lookup="pk", queryset=_entries)
@require_http_methods(["GET", "POST"])
@idempotency.form
def receipt_add(request, entry: Entry):
    """Attach more receipts to an expenditure that awaits approval."""
    if entry.kind != EntryKind.EXPENDITURE:
        raise Http404
    form = ReceiptForm(request.POST if request.method == "POST" else None,
                       request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        ok, stored = run_service(
            form, receipts.add_receipts, actor=request.user, entry=entry, files=form.cleaned_data["receipts"]
        )
        if ok:
            messages.success(
                request,
                ngettext("%(n)d receipt attached.", "%(n)d receipts attached.", len(stored)) % {"n": len(stored)},
            )
            return redirect(_entry_url(entry))
    return render(
        request, "funds/receipt_form.html",
        {"entry": entry, "form": form, "receipts": receipts.receipts_of(entry)},
    )


# --- condolence rounds -----------------------------------------------------------------------


def _picker_context(request, fund: Fund, picker: PickerForm, checked: list, *, round_=None, select_all=False):
    """The candidates the filters give (the checked ones first), which are checked, and which
    are already paid in ``round_``."""
    values = picker.values() if picker.is_bound else {}
    qs = selectors.candidates(request.user, fund, **values)
    shown = list(qs[: selectors.MAX_CANDIDATES + 1])
    more = len(shown) > selectors.MAX_CANDIDATES
    shown = shown[: selectors.MAX_CANDIDATES]
    checked_ids = {w.pk for w in checked}
    if select_all:
        checked_ids |= {w.pk for w in shown}
    listed = [w for w in checked if w.pk not in {s.pk for s in shown}] + shown
    paid: set[int] = set()
    if round_ is not None:
        paid = set(
            round_.beneficiaries.filter(active=True, worker__in=[w.pk for w in listed]).values_list(
                "worker_id", flat=True
            )
        )
        checked_ids -= paid
    return {
        "candidates": listed,
        "checked_ids": checked_ids,
        "paid_ids": paid,
        "more": more,
        "max_candidates": selectors.MAX_CANDIDATES,
    }


def _people_from(request, fund: Fund, form) -> list | None:
    """The people checked and pasted (None when a pasted line matched nobody or several)."""
    checked = selectors.chosen(request.user, fund, request.POST.getlist("workers"))
    pasted = selectors.match_pasted(request.user, fund, form.cleaned_data.get("pasted") or "")
    if pasted.unmatched:
        form.add_error(
            "pasted",
            _("Nobody you may pay from this fund matches: %(lines)s.") % {"lines": "、".join(pasted.unmatched)},
        )
    if pasted.ambiguous:
        form.add_error(
            "pasted",
            _("Several people match: %(lines)s. Add the mobile's last four digits (张三 5678).")
            % {"lines": "、".join(pasted.ambiguous)},
        )
    if pasted.unmatched or pasted.ambiguous:
        return None
    # A person pasted twice is handed on twice: the round's plan pays them once and says so in
    # its one notice ("Listed twice, paid once"), with those checked and pasted too.
    return checked + pasted.workers + pasted.repeated_workers


def _left_out_messages(request, plan: rounds.RoundPlan) -> None:
    if plan.repeated:
        names = "、".join(dict.fromkeys(w.name for w in plan.repeated))
        messages.info(request, _("Listed twice, paid once: %(names)s.") % {"names": names})
    if plan.already_paid:
        names = "、".join(w.name for w in plan.already_paid)
        messages.warning(request, _("Already paid in this round, left out: %(names)s.") % {"names": names})


@access.scoped(Fund, "record", lookup="pk", kwarg="fund_pk", queryset=_funds)
@require_http_methods(["GET", "POST"])
@idempotency.form
def round_create(request, fund: Fund):
    """A condolence round: name, amount per person, date, and the people — picked from the
    register with filters (unit, frontline team, status, search) and "select all", or pasted."""
    posted = request.method == "POST"
    form = RoundForm(request.POST if posted else None)
    picker = PickerForm(request.POST if posted else request.GET or None, prefix="pick",
                        units=selectors.units(request.user, fund))
    action = request.POST.get("action", "save") if posted else ""
    checked = selectors.chosen(request.user, fund, request.POST.getlist("workers")) if posted else []
    if posted and action == "save" and form.is_valid():
        people = _people_from(request, fund, form)
        if people is not None:
            data = form.cleaned_data
            ok, result = run_service(
                form, rounds.create_round, actor=request.user, fund=fund, name=data["name"],
                amount_per_person=data["amount_per_person"], on=data["on"], workers=people,
                description=data.get("description") or "",
                on_error=lambda exc: add_service_error(form, _round_error(form, exc)),
            )
            if ok:
                round_, plan = result
                n = len(plan.workers)
                messages.success(
                    request,
                    ngettext(
                        "Condolence round recorded: %(n)d person, ¥%(total)s, awaiting approval.",
                        "Condolence round recorded: %(n)d people, ¥%(total)s, awaiting approval.",
                        n,
                    )
                    % {"n": n, "total": f"{round_.amount_per_person * n:,.2f}"},
                )
                _left_out_messages(request, plan)
                return redirect("funds:round_detail", pk=round_.pk)
    context = _picker_context(request, fund, picker, checked, select_all=action == "select_all")
    return render(
        request, "funds/round_form.html",
        {
            "fund": fund, "form": form, "picker": picker, "balance": ledger.balance(fund),
            "no_condolence": bool(fund.categories) and Category.CONDOLENCE not in fund.categories, **context,
        },
    )


def _round_error(form, exc: ServiceError) -> ServiceError:
    """The ledger names "workers" for the people: the form shows it above the list."""
    if exc.field == "workers" or exc.field == "beneficiaries":
        return ServiceError(exc.message, code=exc.code, field=None)
    return exc


@access.scoped(CondolenceRound, "detail", lookup="pk", queryset=_rounds)
@require_safe
def round_detail(request, round_: CondolenceRound):
    """The round: its people, the amount, the status of each of its entries."""
    people = rounds.people(round_)
    entries = list(round_.entries.order_by("id"))
    paid = [b for b in people if b.entry.status == EntryStatus.APPROVED]
    waiting = [b for b in people if b.entry.is_open]
    return render(
        request, "funds/round_detail.html",
        {
            "round": round_, "people": people, "entries": entries,
            "paid_total": sum((b.amount for b in paid), Decimal("0")),
            "waiting_total": sum((b.amount for b in waiting), Decimal("0")),
            "paid_count": len(paid), "waiting_count": len(waiting),
            "any_rejected": any(e.status == EntryStatus.REJECTED for e in entries),
            "may_add": CondolenceRound.policy.allows(request.user, "record", round_) and round_.fund.active,
        },
    )


@access.scoped(CondolenceRound, "record", lookup="pk", queryset=_rounds)
@require_http_methods(["GET", "POST"])
@idempotency.form
def round_add(request, round_: CondolenceRound):
    """Pay the round's sum to more people: nobody twice (those already paid are shown and
    left out)."""
    fund = round_.fund
    posted = request.method == "POST"
    form = RoundAddForm(request.POST if posted else None)
    picker = PickerForm(request.POST if posted else request.GET or None, prefix="pick",
                        units=selectors.units(request.user, fund))
    action = request.POST.get("action", "save") if posted else ""
    checked = selectors.chosen(request.user, fund, request.POST.getlist("workers")) if posted else []
    if posted and action == "save" and form.is_valid():
        people = _people_from(request, fund, form)
        if people is not None:
            ok, result = run_service(
                form, rounds.add_people, actor=request.user, round_=round_, workers=people,
                on=form.cleaned_data["on"],
                on_error=lambda exc: add_service_error(form, _round_error(form, exc)),
            )
            if ok:
                entry, plan = result
                n = len(plan.workers)
                messages.success(
                    request,
                    ngettext(
                        "%(n)d more person recorded in the round (¥%(total)s), awaiting approval.",
                        "%(n)d more people recorded in the round (¥%(total)s), awaiting approval.",
                        n,
                    )
                    % {"n": n, "total": f"{entry.amount:,.2f}"},
                )
                _left_out_messages(request, plan)
                return redirect("funds:round_detail", pk=round_.pk)
    context = _picker_context(request, fund, picker, checked, round_=round_, select_all=action == "select_all")
    return render(
        request, "funds/round_add.html",
        {"round": round_, "fund": fund, "form": form, "picker": picker, **context},
    )


# --- the spending list -----------------------------------------------------------------------


def _list_page(request, *, fund: Fund | None, organisation, export_url: str):
    categories = fund_categories(fund) if fund is not None else list(Category.choices)
    form = SpendingFilter(request.GET or None, categories=categories)
    values = form.values()
    qs = selectors.expenditures(request.user, fund=fund, organisation=organisation, **values)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    entries = list(page.object_list)
    detail = {e.pk for e in entries if selectors.detail_allowed(request.user, e)}
    counts = selectors.beneficiary_counts(entries)
    reversed_by = selectors.reversals_of(entries)
    for e in entries:
        e.reversed_by = reversed_by.get(e.pk)
        e.is_reversal = e.kind == EntryKind.REVERSAL
        e.shown_payee = selectors.shown_payee(request.user, e, detail=e.pk in detail)
        e.people = counts.get(e.pk, 0)
        e.show_detail = e.pk in detail
        round_name = e.round.name if e.round is not None else None
        e.detail_parts = [
            text for text in (e.shown_payee, e.description[:80]) if text and text != round_name
        ]
    totals = {row["status"]: row["total"] for row in _totals(qs)}
    query = request.GET.copy()
    query.pop("page", None)
    may_export = (
        Fund.policy.allows(request.user, "export", fund) if fund is not None
        else Entry.policy.allows_in(request.user, "export", organisation)
    )
    return render(
        request, "funds/spending_list.html",
        {
            "fund": fund, "organisation": organisation, "form": form, "page": page, "entries": entries,
            "approved_total": totals.get(EntryStatus.APPROVED, Decimal("0")),
            "open_total": totals.get(EntryStatus.PENDING, Decimal("0")) + totals.get(EntryStatus.PARENT, Decimal("0")),
            "may_export": may_export, "export_url": f"{export_url}?{query.urlencode()}" if query else export_url,
            "may_record": fund is not None and Fund.policy.allows(request.user, "record", fund) and fund.active,
            "organisations": selectors.picker_organisations(request.user, organisation) if fund is None else None,
        },
    )


def _totals(qs):
    from django.db.models import Sum

    return qs.order_by().values("status").annotate(total=Sum(selectors.signed_amount()))


@access.scoped(Fund, "view", lookup="pk", kwarg="fund_pk", queryset=_funds)
@require_safe
def spending_list(request, fund: Fund):
    """A fund's expenditures with filters (category, month, status). Names (a person paid,
    the description, beneficiaries) only for the detail roles: a viewer sees the figures."""
    from django.urls import reverse

    return _list_page(request, fund=fund, organisation=None,
                      export_url=reverse("funds:spending_export", kwargs={"fund_pk": fund.pk}))


def _organisation(request, action: str):
    """The organisation of ``?org=`` (a code) inside the user's scope for ``action``; without
    one, the user's shallowest. Outside the scope: 404."""
    orgs = selectors.spending_organisations(request.user)
    if action != "view":
        from nuanxin.orgs import scope

        q = scope.scope_q(request.user, Entry.policy.roles(action), "path")
        if q is None:
            raise PermissionDenied
        orgs = orgs.model.objects.filter(q).order_by("path")
    code = (request.GET.get("org") or "").strip()
    if code:
        found = orgs.filter(code=code).first()
        if found is None:
            raise Http404
        return found
    first = orgs.order_by("depth", "path").first()
    if first is None:
        raise Http404
    return first


@access.scoped(Entry, "view")
@require_safe
def spending_org(request):
    """The expenditures of an organisation's subtree (?org=code), with the same filters."""
    from django.urls import reverse

    organisation = _organisation(request, "view")
    return _list_page(
        request, fund=None, organisation=organisation, export_url=reverse("funds:spending_org_export")
    )


def _export(request, *, fund: Fund | None, organisation):
    categories = fund_categories(fund) if fund is not None else list(Category.choices)
    form = SpendingFilter(request.GET or None, categories=categories)
    values = form.values()
    try:
        result = services.export_spending(actor=request.user, fund=fund, organisation=organisation, **values)
    except ServiceError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        raise Http404 from exc
    return exports.file_response(result.content, result.filename)


@access.scoped(Fund, "export", lookup="pk", kwarg="fund_pk", queryset=_funds)
@require_safe
def spending_export(request, fund: Fund):
    """The fund's spending list as xlsx (the list's filters), audited with the row count."""
    return _export(request, fund=fund, organisation=None)


@access.scoped(Entry, "export")
@require_safe
def spending_org_export(request):
    """The subtree's spending list as xlsx (?org=code and the list's filters), audited."""
    organisation = _organisation(request, "export")
    return _export(request, fund=None, organisation=organisation)


urlpatterns: list = [
    path("<int:fund_pk>/expenditures/new/", expenditure_create, name="expenditure_create"),
    path("entries/<int:pk>/receipts/", receipt_add, name="receipt_add"),
    path("<int:fund_pk>/rounds/new/", round_create, name="round_create"),
    path("rounds/<int:pk>/", round_detail, name="round_detail"),
    path("rounds/<int:pk>/add/", round_add, name="round_add"),
    path("<int:fund_pk>/spending/", spending_list, name="spending_list"),
    path("<int:fund_pk>/spending/export/", spending_export, name="spending_export"),
    path("spending/", spending_org, name="spending_org"),
    path("spending/export/", spending_org_export, name="spending_org_export"),
]
MENU: list = []  # the spending list is a tab of the funds' pages (templatetags/funds_nav.py)
COUNTERS: list = []
HOME_PANELS: list = []
