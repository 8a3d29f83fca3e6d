"""The family produce supply: the week's pages. An offer's week (status, parcels, the subsidy,
close / settle / charge), its pick list (printable, xlsx: for packing at the point), the
suppliers' totals of a week across the points in scope (printable, xlsx), the parcels nobody
came for (with the families' numbers, for their care contacts) and the check calls."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from nuanxin.core import access
from nuanxin.core.exports import build_xlsx, file_response
from nuanxin.core.manifest import Counter
from nuanxin.core.pages import run_service
from nuanxin.produce.choices import CallbackStatus, OfferStatus
from nuanxin.produce.forms.weeks import STATUS_FILTER, ActionForm, CallbackForm
from nuanxin.produce.models import Offer, Order, PickupCallback
from nuanxin.produce.selectors import weeks as selectors
from nuanxin.produce.services import callbacks, pickup, subsidy, weeks

PAGE_SIZE = 50

MENU: list = []


def _not_received(user: Any) -> int | None:
    if not PickupCallback.policy.may(user, "change"):
        return None
    return PickupCallback.objects.for_user(user, "change").filter(status=CallbackStatus.NOT_RECEIVED).count() or None


COUNTERS = [
    Counter(
        "produce_not_received",
        gettext_lazy("Families saying a parcel did not reach them"),
        _not_received,
        url_name="produce:callbacks",
        order=540,
    )
]
HOME_PANELS: list = []


def _offers(request: HttpRequest) -> Any:
    return Offer.objects.select_related("point__organisation", "fund")


def _week_url(offer: Offer) -> str:
    return reverse("produce:week", kwargs={"pk": offer.pk})


@access.scoped(Offer, "view", lookup="pk", queryset=_offers)
@require_safe
def week(request: HttpRequest, offer: Offer) -> HttpResponse:
    user = request.user
    now = timezone.now()
    if offer.status == OfferStatus.OPEN and offer.cutoff_at <= now and weeks.close_due(offers=[offer.pk]):
        offer.refresh_from_db()  # closed at its cut-off (the job's work, not waited for)
    picks = selectors.pick_list(offer)
    may_change = Offer.policy.allows(user, "change", offer)
    entry = subsidy.charged(offer)
    pending = subsidy.charge_of(offer) if offer.status == OfferStatus.SETTLED and entry is None else None
    return render(
        request,
        "produce/week.html",
        {
            "offer": offer,
            "picks": picks,
            "entry": entry,
            "pending": pending,
            "waiting": sum(1 for o in picks.orders if o.status == "placed"),
            "uncollected": sum(1 for o in picks.orders if o.status == "uncollected"),
            "may_close": may_change and offer.status == OfferStatus.OPEN and offer.cutoff_at <= now,
            "may_settle": may_change
            and offer.status in (OfferStatus.OPEN, OfferStatus.CLOSED)
            and now >= pickup.day_end(offer),
            "may_charge": pending is not None and pending.subsidy > 0 and subsidy.may_charge(user, offer),
            "may_pick": Offer.policy.allows(user, "pickup", offer),
            "day_end": pickup.DAY_END_HOUR,
            "callbacks": PickupCallback.objects.filter(order__offer=offer).count(),
            "form": ActionForm(),
        },
    )


def _act(request: HttpRequest, offer: Offer, call: Any, done: Any) -> HttpResponse:
    form = ActionForm(request.POST)
    ok, result = run_service(form, call, actor=request.user, offer=offer)
    if ok:
        messages.success(request, done(result))
    else:
        messages.error(request, result.message)
    return redirect(_week_url(offer))


@access.scoped(Offer, "change", lookup="pk", queryset=_offers)
@require_POST
def week_close(request: HttpRequest, offer: Offer) -> HttpResponse:
    return _act(request, offer, weeks.close_offer, lambda o: _("Closed for orders: the pick list is fixed."))


def _settled_message(result: weeks.Settlement) -> str:
    text = _("Settled: %(uncollected)d parcels not collected, %(callbacks)d check calls drawn.") % {
        "uncollected": result.uncollected,
        "callbacks": result.callbacks,
    }
    if result.charge_error:
        text += " " + _("The subsidy cannot be charged: %(reason)s") % {"reason": result.charge_error}
    elif result.subsidy > 0:
        text += " " + _("The subsidy of %(amount)s yuan awaits a finance clerk of the fund.") % {
            "amount": f"{result.subsidy:.2f}"
        }
    return text


@access.scoped(Offer, "change", lookup="pk", queryset=_offers)
@require_POST
def week_settle(request: HttpRequest, offer: Offer) -> HttpResponse:
    return _act(request, offer, weeks.settle_offer, _settled_message)


@access.scoped(Offer, "view", lookup="pk", queryset=_offers)
@require_POST
def week_charge(request: HttpRequest, offer: Offer) -> HttpResponse:
    return _act(
        request,
        offer,
        subsidy.charge_subsidy,
        lambda e: (
            _("The subsidy of %(amount)s yuan is charged to the fund (awaiting approval).")
            % {"amount": f"{e.amount:.2f}"}
        ),
    )


# --- the pick list and the supplier totals -------------------------------------------------------


def _picklist_xlsx(picks: selectors.PickList) -> bytes:
    offer = picks.offer
    headers = [
        _("Parcel no."),
        _("Code (last 2 digits)"),
        _("Family"),
        _("Mobile (last 4)"),
        _("Items"),
        _("Value (yuan)"),
        _("To pay (yuan)"),
        _("Status"),
    ]
    rows: list[list[Any]] = [
        [
            o.number,
            f"…{o.code_tail}",
            o.family,
            o.tail,
            "、".join(f"{name}×{qty}" for name, qty in o.lines),
            o.value,
            o.payable,
            o.status_label,
        ]
        for o in picks.orders
    ]
    rows.append([])
    rows.append([_("Item"), _("Supplier"), _("Unit"), _("Quantity"), _("Value (yuan)")])
    rows.extend([i.name, i.supplier, i.unit, i.quantity, i.value] for i in picks.items)
    return build_xlsx(headers, rows, sheet_name=f"{offer.point.name[:20]} {offer.week:%m-%d}")


@access.scoped(Offer, "pickup", lookup="pk", queryset=_offers)
@require_safe
def picklist(request: HttpRequest, offer: Offer) -> HttpResponse:
    picks = selectors.pick_list(offer)
    if request.GET.get("format") == "xlsx":
        weeks.audit_export(
            request.user,
            "produce.picklist.export",
            obj=offer,
            organisation=offer.point.organisation,
            detail={"format": "xlsx", "rows": len(picks.orders)},
        )
        name = _("pick list %(point)s %(week)s") % {"point": offer.point.name, "week": f"{offer.week:%Y-%m-%d}"}
        return file_response(_picklist_xlsx(picks), f"{name}.xlsx")
    return render(request, "produce/picklist.html", {"offer": offer, "picks": picks, "printed": timezone.now()})


def _week_of(request: HttpRequest) -> date:
    return selectors.parse_week(request.GET.get("week")) or selectors.monday(timezone.localdate())


@access.scoped(Offer, "view")
@require_safe
def supplier_totals(request: HttpRequest) -> HttpResponse:
    week_on = _week_of(request)
    totals, offers = selectors.supplier_totals(request.user, week_on)
    if request.GET.get("format") == "xlsx":
        weeks.audit_export(
            request.user,
            "produce.totals.export",
            obj=None,
            organisation=None,
            detail={"format": "xlsx", "week": f"{week_on:%Y-%m-%d}", "rows": len(totals)},
        )
        headers = [_("Supplier"), _("Item"), _("Unit"), _("Quantity"), _("Value (yuan)"), _("Points")]
        rows = [[t.supplier, i.name, i.unit, i.quantity, i.value, t.points] for t in totals for i in t.items]
        name = _("supplier totals %(week)s") % {"week": f"{week_on:%Y-%m-%d}"}
        return file_response(build_xlsx(headers, rows, sheet_name=f"{week_on:%Y-%m-%d}"), f"{name}.xlsx")
    return render(
        request,
        "produce/week_totals.html",
        {
            "week": week_on,
            "totals": totals,
            "offers": offers,
            "printed": timezone.now(),
            "previous": week_on.fromordinal(week_on.toordinal() - 7),
            "next": week_on.fromordinal(week_on.toordinal() + 7),
        },
    )


# --- the uncollected and the check calls --------------------------------------------------------


@access.scoped(Order, "view")
@require_safe
def uncollected(request: HttpRequest) -> HttpResponse:
    week_on = selectors.parse_week(request.GET.get("week"))
    page = Paginator(selectors.uncollected(request.user, week_on), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.to_call(list(page.object_list))
    selectors.record_contact_reads(request.user, rows, page="produce:uncollected")
    return render(request, "produce/uncollected.html", {"page": page, "rows": rows, "week": week_on})


@access.scoped(PickupCallback, "view")
@require_safe
def callback_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or ""
    if status not in CallbackStatus.values:
        status = ""
    page = Paginator(selectors.callbacks(request.user, status), PAGE_SIZE).get_page(request.GET.get("page"))
    calls = list(page.object_list)
    contacts = {r.order_id: r for r in selectors.to_call([c.order for c in calls])}
    selectors.record_contact_reads(request.user, list(contacts.values()), page="produce:callbacks")
    may_change = PickupCallback.policy.may(request.user, "change")
    items = [
        {
            "call": c,
            "contact": contacts[c.order_id],
            "form": CallbackForm(initial={"version": c.version}, prefix=f"c{c.pk}") if may_change else None,
        }
        for c in calls
    ]
    return render(
        request,
        "produce/callbacks.html",
        {
            "page": page,
            "items": items,
            "status": status,
            "filters": STATUS_FILTER,
            "may_change": may_change,
        },
    )


@access.scoped(PickupCallback, "change", lookup="pk")
@require_http_methods(["POST"])
def callback_record(request: HttpRequest, call: PickupCallback) -> HttpResponse:
    form = CallbackForm(request.POST, prefix=f"c{call.pk}")
    kept = request.POST.get("status_filter") or ""
    back = reverse("produce:callbacks") + ("?" + urlencode({"status": kept}) if kept in CallbackStatus.values else "")
    if form.is_valid():
        data = form.cleaned_data
        ok, result = run_service(
            form,
            callbacks.record_call,
            actor=request.user,
            callback=call,
            status=data["status"],
            note=data["note"],
            version=data.get("version"),
        )
        if ok:
            messages.success(request, _("Check call recorded: %(status)s.") % {"status": result.get_status_display()})
            return redirect(back)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))
    return redirect(back)


urlpatterns = [
    path("weeks/<int:pk>/", week, name="week"),
    path("weeks/<int:pk>/close/", week_close, name="week_close"),
    path("weeks/<int:pk>/settle/", week_settle, name="week_settle"),
    path("weeks/<int:pk>/charge/", week_charge, name="week_charge"),
    path("weeks/<int:pk>/picklist/", picklist, name="picklist"),
    path("weeks/totals/", supplier_totals, name="supplier_totals"),
    path("uncollected/", uncollected, name="uncollected"),
    path("callbacks/", callback_list, name="callbacks"),
    path("callbacks/<int:pk>/", callback_record, name="callback_record"),
]
