"""The family produce supply: the pickup page (a keeper's phone page at the point).

The keeper chooses the point (remembered in the session; one point is chosen by itself), types
the family's code and sees the parcel's contents and the family (masked: 张*明 and the mobile's
last four digits), then confirms handing it over. Every refusal (not a code, unknown, another
point's, another day's, cancelled, still taking orders, settled, already collected at HH:MM) is
said above the code, nothing changed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from nuanxin.core import access
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.manifest import HomePanel
from nuanxin.core.pages import add_service_error
from nuanxin.produce.choices import OrderStatus
from nuanxin.produce.forms.pickup import CodeForm
from nuanxin.produce.models import Offer, Order, PickupPoint
from nuanxin.produce.selectors import weeks as week_selectors
from nuanxin.produce.services import pickup

SESSION_KEY = "produce_pickup_point"

MENU: list = []  # the app's one menu entry is the hub's (catalogue); keepers start from the home card


def home_panel(request: HttpRequest) -> dict | None:
    """The home page's card of a point keeper: today's parcels at their points, the button."""
    user = request.user
    if not PickupPoint.policy.may(user, "pickup") or PickupPoint.policy.may(user, "change"):
        return None
    today = timezone.localdate()
    orders = Order.objects.filter(offer__in=Offer.objects.for_user(user, "pickup").filter(pickup_on=today))
    return {
        "waiting": orders.filter(status=OrderStatus.PLACED).count(),
        "collected": orders.filter(status=OrderStatus.COLLECTED).count(),
    }


COUNTERS: list = []
HOME_PANELS: list = [HomePanel("produce/pickup_home.html", home_panel, order=120)]


def _point(request: HttpRequest, points: list[PickupPoint]) -> PickupPoint | None:
    by_id = {str(p.pk): p for p in points}
    wanted = request.GET.get("point") or request.POST.get("point") or request.session.get(SESSION_KEY)
    chosen = by_id.get(str(wanted)) if wanted else None
    if chosen is None and len(points) == 1:
        chosen = points[0]
    if chosen is not None:
        request.session[SESSION_KEY] = chosen.pk
    return chosen


def _lines(order: Any) -> list[tuple[str, str, int]]:
    return [
        (line.item.name, line.item.unit, line.quantity)
        for line in order.lines.select_related("item").order_by("item__position", "id")
    ]


@access.scoped(PickupPoint, "pickup")
@require_http_methods(["GET", "POST"])
def pickup_page(request: HttpRequest) -> HttpResponse:
    points = list(pickup.points_for(request.user))
    point = _point(request, points)
    form = CodeForm(request.POST if request.method == "POST" and point is not None else None)
    found = None
    if request.method == "POST" and point is not None and form.is_valid():
        code = form.cleaned_data["code"]
        try:
            if request.POST.get("confirm") == "1":
                order = pickup.collect(actor=request.user, point=point, code=code)
                messages.success(
                    request,
                    _("Handed over: the parcel of %(family)s (mobile …%(tail)s), code %(code)s.")
                    % {
                        "family": pickup.mask_name(order.worker.name),
                        "tail": pickup.mobile_tail(order.worker.mobile),
                        "code": order.code,
                    },
                )
                return redirect(reverse("produce:pickup") + f"?point={point.pk}")
            found = pickup.find(actor=request.user, point=point, code=code)
        except NotAllowed:
            raise
        except ServiceError as exc:
            add_service_error(form, exc)
    parcel = None
    if found is not None:
        parcel = {
            "order": found,
            "code": found.code,
            "family": pickup.mask_name(found.worker.name),
            "tail": pickup.mobile_tail(found.worker.mobile),
            "lines": _lines(found),
            "late": pickup.days_late(found),
            "number": week_selectors.parcel_number(found),
        }
    return render(
        request,
        "produce/pickup.html",
        {
            "points": points,
            "point": point,
            "form": form,
            "parcel": parcel,
        },
    )


urlpatterns = [
    path("pickup/", pickup_page, name="pickup"),
]
