"""The family produce supply: the hub, suppliers, pickup points and weekly offers (kept by the
administrators of an organisation)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from nuanxin.core import access, idempotency, pages, roles
from nuanxin.core.manifest import MenuEntry
from nuanxin.orgs.scope import ancestor_paths
from nuanxin.produce.choices import OfferStatus, OrderStatus
from nuanxin.produce.forms import catalogue as forms
from nuanxin.produce.models import FamilyPoint, Offer, OfferItem, Order, PickupPoint, Supplier
from nuanxin.produce.selectors.catalogue import fund_choices
from nuanxin.produce.services import catalogue as services
from nuanxin.produce.services import offers as offer_services
from nuanxin.produce.services import weeks as week_services

# The hub's tabs: (URL name, label, model whose policy shows it, action). P2's pages are linked
# once their URL names exist.
TABS: list[tuple[str, Any, Any, str]] = [
    ("produce:home", gettext_lazy("This week"), Offer, "view"),
    ("produce:my_families", gettext_lazy("My families"), Order, "change"),
    ("produce:offer_list", gettext_lazy("Weekly offers"), Offer, "view"),
    ("produce:point_list", gettext_lazy("Pickup points"), PickupPoint, "view"),
    ("produce:supplier_list", gettext_lazy("Suppliers"), Supplier, "view"),
    ("produce:pickup", gettext_lazy("Pickup"), PickupPoint, "pickup"),
    ("produce:uncollected", gettext_lazy("Not collected"), Offer, "change"),
    ("produce:callbacks", gettext_lazy("Check calls"), Offer, "change"),
    ("produce:supplier_totals", gettext_lazy("Supplier totals"), Offer, "change"),
    ("produce:figures", gettext_lazy("Figures"), Offer, "figures"),
]


def tabs(user: Any, current: str) -> list[dict[str, Any]]:
    """The tabs ``user`` may open (each by its model's policy), the current one marked."""
    shown = []
    for name, label, model, action in TABS:
        if not model.policy.may(user, action):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        shown.append({"name": name, "label": label, "url": url, "active": name == current})
    return shown


def _ctx(request, current: str, **extra: Any) -> dict[str, Any]:
    return {"tabs": tabs(request.user, current), **extra}


@access.scoped(*sorted(roles.PRODUCE_VIEW | roles.PRODUCE_FIGURES))
def home(request):
    """This week's offers at the points in scope, with their order counts (none for those who
    see only the figures: their tab is there)."""
    week = offer_services.this_week()
    # offers past their cut-off are closed now (the job's work, not waited for): no status
    # "taking orders" after the cut-off
    week_services.close_due(offers=Offer.objects.for_user(request.user, "view").filter(week=week).values("pk"))
    rows = (
        Offer.objects.for_user(request.user, "view")
        .filter(week=week)
        .select_related("point__organisation")
        .annotate(
            placed=Count("orders", filter=~Q(orders__status=OrderStatus.CANCELLED)),
            collected=Count("orders", filter=Q(orders__status=OrderStatus.COLLECTED)),
        )
        .order_by("point__organisation__path", "point__name")
    )
    offers = list(rows)
    return render(
        request,
        "produce/home.html",
        _ctx(
            request, "produce:home", week=week, offers=offers, family_offers=_family_offers(request.user, week, offers)
        ),
    )


def _family_offers(user: Any, week: Any, shown: list[Offer]) -> list[Offer]:
    """For a care contact: this week's and later offers (not drafts) at the pickup points their
    families chose, those not listed already (the points are often out of their scope: a
    hospital union's volunteer, a district's point). They link to "My families"."""
    from nuanxin.care.models import CareAssignment

    workers = CareAssignment.objects.current().filter(contact=user).values("worker_id")
    points = FamilyPoint.objects.filter(worker_id__in=workers).values("point_id")
    return list(
        Offer.objects.filter(point_id__in=points, week__gte=week)
        .exclude(status=OfferStatus.DRAFT)
        .exclude(pk__in=[o.pk for o in shown])
        .select_related("point__organisation")
        .order_by("week", "point__name", "pk")[:12]
    )


@access.scoped(Supplier, "view")
@require_http_methods(["GET", "POST"])
@idempotency.form
def supplier_list(request):
    user = request.user
    may_add = forms.organisations(user, Supplier).exists()
    form = forms.SupplierForm(pages.posted(request), user=user) if may_add else None
    if form is not None and form.is_bound and form.is_valid():
        ok, supplier = pages.run_service(form, services.create_supplier, actor=user, **form.cleaned_data)
        if ok:
            messages.success(request, _("Supplier %(name)s added.") % {"name": supplier.name})
            return redirect("produce:supplier_list")
    rows = Supplier.objects.for_user(user, "view").select_related("organisation")
    return render(request, "produce/supplier_list.html", _ctx(request, "produce:supplier_list", rows=rows, form=form))


@access.scoped(Supplier, "change", lookup="pk")
@require_http_methods(["GET", "POST"])
def supplier_edit(request, supplier: Supplier):
    initial = {f: getattr(supplier, f) for f in services.SUPPLIER_FIELDS}
    form = forms.SupplierForm(pages.posted(request), user=request.user, with_org=False, initial=initial)
    if form.is_bound and form.is_valid():
        ok, result = pages.run_service(
            form,
            services.update_supplier,
            actor=request.user,
            supplier=supplier,
            version=request.POST.get("version"),
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, _("Supplier %(name)s saved.") % {"name": result.name})
            return redirect("produce:supplier_list")
    return render(
        request, "produce/supplier_edit.html", _ctx(request, "produce:supplier_list", obj=supplier, form=form)
    )


@access.scoped(PickupPoint, "view")
@require_http_methods(["GET", "POST"])
@idempotency.form
def point_list(request):
    user = request.user
    may_add = forms.organisations(user, PickupPoint).exists()
    form = forms.PointForm(pages.posted(request), user=user) if may_add else None
    if form is not None and form.is_bound and form.is_valid():
        ok, point = pages.run_service(form, services.create_point, actor=user, **form.cleaned_data)
        if ok:
            messages.success(request, _("Pickup point %(name)s added.") % {"name": point.name})
            return redirect("produce:point_list")
    rows = (
        PickupPoint.objects.for_user(user, "view")
        .select_related("organisation")
        .annotate(family_count=Count("families"))
    )
    return render(request, "produce/point_list.html", _ctx(request, "produce:point_list", rows=rows, form=form))


@access.scoped(PickupPoint, "change", lookup="pk")
@require_http_methods(["GET", "POST"])
def point_edit(request, point: PickupPoint):
    initial = {f: getattr(point, f) for f in services.POINT_FIELDS}
    form = forms.PointForm(pages.posted(request), user=request.user, with_org=False, initial=initial)
    if form.is_bound and form.is_valid():
        ok, result = pages.run_service(
            form,
            services.update_point,
            actor=request.user,
            point=point,
            version=request.POST.get("version"),
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, _("Pickup point %(name)s saved.") % {"name": result.name})
            return redirect("produce:point_list")
    return render(request, "produce/point_edit.html", _ctx(request, "produce:point_list", obj=point, form=form))


def _fund_options(user) -> list:
    seen: dict[int, Any] = {}
    for point in PickupPoint.objects.for_user(user, "change").filter(active=True).select_related("organisation"):
        for fund in fund_choices(point):
            seen.setdefault(fund.pk, fund)
    return list(seen.values())


@access.scoped(Offer, "view")
@require_http_methods(["GET", "POST"])
@idempotency.form
def offer_list(request):
    """The offers in scope, newest week first; administrators create one (a draft)."""
    user = request.user
    may_add = PickupPoint.objects.for_user(user, "change").exists()
    form = None
    if may_add:
        form = forms.OfferForm(
            pages.posted(request), user=user, funds=_fund_options(user), initial={"week": offer_services.this_week()}
        )
        if form.is_bound and form.is_valid():
            data = dict(form.cleaned_data)
            ok, offer = pages.run_service(form, offer_services.create_offer, actor=user, **data)
            if ok:
                messages.success(request, _("The offer is saved as a draft: add its items, then open it."))
                return redirect("produce:offer_detail", pk=offer.pk)
    rows = (
        Offer.objects.for_user(user, "view")
        .select_related("point__organisation")
        .annotate(placed=Count("orders", filter=~Q(orders__status=OrderStatus.CANCELLED)))
        .order_by("-week", "point__name")[:200]
    )
    return render(request, "produce/offer_list.html", _ctx(request, "produce:offer_list", rows=rows, form=form))


def _offers(request):
    return Offer.objects.select_related("point__organisation", "fund__organisation")


@access.scoped(Offer, "view", lookup="pk", queryset=_offers)
@require_http_methods(["GET", "POST"])
def offer_detail(request, offer: Offer):
    """An offer: its items (added while a draft), open, copy to next week, and its orders."""
    user = request.user
    may_change = Offer.policy.allows(user, "change", offer)
    item_form = None
    if may_change and offer.status == OfferStatus.DRAFT:
        point_path = offer.point.organisation.path
        suppliers = Supplier.objects.filter(active=True).filter(
            Q(organisation__path__startswith=point_path) | Q(organisation__path__in=ancestor_paths(point_path))
        )
        item_form = forms.ItemForm(pages.posted(request), suppliers=suppliers)
        if item_form.is_bound and item_form.is_valid():
            ok, item = pages.run_service(
                item_form, offer_services.add_item, actor=user, offer=offer, **item_form.cleaned_data
            )
            if ok:
                messages.success(request, _("%(item)s added.") % {"item": item.name})
                return redirect("produce:offer_detail", pk=offer.pk)
    elif request.method == "POST":
        return redirect("produce:offer_detail", pk=offer.pk)
    items = list(offer.items.select_related("supplier"))
    orders = (
        Order.objects.for_user(user, "view")
        .filter(offer=offer)
        .select_related("worker__organisation", "placed_by")
        .prefetch_related("lines__item")
        .order_by("status", "worker__name", "id")
    )
    live = [o for o in orders if o.status != OrderStatus.CANCELLED]
    return render(
        request,
        "produce/offer_detail.html",
        _ctx(
            request,
            "produce:offer_list",
            offer=offer,
            items=items,
            item_form=item_form,
            may_change=may_change,
            orders=list(orders),
            live=len(live),
            value=sum((o.value for o in live), 0),
            subsidy=sum((o.subsidy for o in live), 0),
        ),
    )


@access.scoped(Offer, "change", lookup="pk", queryset=_offers)
@require_http_methods(["GET", "POST"])
def offer_edit(request, offer: Offer):
    """Change an offer's title, cap (a draft's only), cut-off, pickup day and fund."""
    initial = {
        "title": offer.title,
        "cap": offer.cap,
        "cutoff_at": timezone.localtime(offer.cutoff_at),
        "pickup_on": offer.pickup_on,
        "fund": offer.fund_id,
    }
    form = forms.OfferForm(pages.posted(request), user=request.user, funds=fund_choices(offer.point), initial=initial)
    for name in ("point", "week"):
        del form.fields[name]
    if offer.status != OfferStatus.DRAFT:
        form.fields["cap"].disabled = True
    if form.is_bound and form.is_valid():
        ok, result = pages.run_service(
            form,
            offer_services.update_offer,
            actor=request.user,
            offer=offer,
            version=request.POST.get("version"),
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, _("The offer is saved."))
            return redirect("produce:offer_detail", pk=result.pk)
    return render(request, "produce/offer_edit.html", _ctx(request, "produce:offer_list", offer=offer, form=form))


@access.scoped(Offer, "change", lookup="pk", queryset=_offers)
@require_POST
def offer_open(request, offer: Offer):
    ok, result = pages.run_service(
        forms.BootstrapForm(),
        offer_services.open_offer,
        actor=request.user,
        offer=offer,
        version=request.POST.get("version"),
    )
    if ok:
        messages.success(
            request,
            _("The offer takes orders until %(time)s.")
            % {"time": result.cutoff_at.astimezone().strftime("%Y-%m-%d %H:%M")},
        )
    else:
        messages.error(request, result.message)
    return redirect("produce:offer_detail", pk=offer.pk)


@access.scoped(Offer, "change", lookup="pk", queryset=_offers)
@require_POST
@idempotency.form
def offer_copy(request, offer: Offer):
    ok, result = pages.run_service(forms.BootstrapForm(), offer_services.copy_offer, actor=request.user, offer=offer)
    if ok:
        messages.success(request, _("Copied to the week of %(week)s as a draft.") % {"week": f"{result.week:%Y-%m-%d}"})
        return redirect("produce:offer_detail", pk=result.pk)
    messages.error(request, result.message)
    return redirect("produce:offer_detail", pk=offer.pk)


@access.scoped(Offer, "change", lookup="pk", queryset=_offers)
@require_POST
def item_remove(request, offer: Offer, item: int):
    row = get_object_or_404(OfferItem, pk=item, offer=offer)
    ok, result = pages.run_service(forms.BootstrapForm(), offer_services.remove_item, actor=request.user, item=row)
    if not ok:
        messages.error(request, result.message)
    return redirect("produce:offer_detail", pk=offer.pk)


urlpatterns = [
    path("", home, name="home"),
    path("suppliers/", supplier_list, name="supplier_list"),
    path("suppliers/<int:pk>/", supplier_edit, name="supplier_edit"),
    path("points/", point_list, name="point_list"),
    path("points/<int:pk>/", point_edit, name="point_edit"),
    path("offers/", offer_list, name="offer_list"),
    path("offers/<int:pk>/", offer_detail, name="offer_detail"),
    path("offers/<int:pk>/edit/", offer_edit, name="offer_edit"),
    path("offers/<int:pk>/open/", offer_open, name="offer_open"),
    path("offers/<int:pk>/copy/", offer_copy, name="offer_copy"),
    path("offers/<int:pk>/items/<int:item>/remove/", item_remove, name="item_remove"),
]
MENU = [
    MenuEntry(
        pgettext_lazy("menu", "Produce supply"),
        "produce:home",
        order=298,  # the measures in their order: … recuperation (3), labour (5), produce (6), telecom (7)
        element_id="nx-nav-produce",
        visible=lambda u: Offer.policy.may(u, "view") or Offer.policy.may(u, "figures"),
    ),
]
COUNTERS: list = []
HOME_PANELS: list = []
