"""The demo of the pickup area: the point keeper ``demo-keeper`` (提货点值守 of 市南区, password
``core.demo.DEMO_PASSWORD``) who checks codes at 市南区's point on a phone; this week's pickup
day is the day the demo is built (see ``catalogue.current_dates``): once past the cut-off, this
week's offers are closed and two parcels in three handed over, the rest waiting for their code.
Last week's parcels (collected and not) are the weeks area's demo.
Idempotent."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core.demo import DEMO_PASSWORD
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.produce.choices import OfferStatus, OrderStatus
from nuanxin.produce.demo.catalogue import POINTS
from nuanxin.produce.models import Offer, Order
from nuanxin.produce.services import pickup, weeks

KEEPER = ("demo-keeper", "周站长", "QD-SN")


def keeper() -> object | None:
    from nuanxin.accounts.models import User
    from nuanxin.orgs import services as org_services
    from nuanxin.orgs.models import Organisation

    username, full_name, code = KEEPER
    user = User.objects.filter(username=username).first()
    org = Organisation.objects.filter(code=code).first()
    if user is None and org is not None:
        user, _password = org_services.create_user(
            actor=SYSTEM,
            username=username,
            organisation=org,
            role=Role.POINT_KEEPER,
            password=DEMO_PASSWORD,
            full_name=full_name,
        )
    return user


def build(*, out: Callable[[str], None] = print) -> None:
    user = keeper()
    if user is None:
        out(_("produce: the demo organisations are missing; no point keeper"))
        return
    today = timezone.localdate()
    offers = Offer.objects.filter(point__name__in=[p[0] for p in POINTS], pickup_on=today).select_related("point")
    handed = 0
    for offer in offers:
        if offer.status == OfferStatus.OPEN and offer.cutoff_at <= timezone.now():
            weeks.close_offer(actor=SYSTEM, offer=offer)
        offer.refresh_from_db()
        if (
            offer.status != OfferStatus.CLOSED
            or Order.objects.filter(offer=offer, status=OrderStatus.COLLECTED).exists()
        ):
            continue  # still taking orders (a Monday morning), or handed over by an earlier run
        codes = list(
            Order.objects.filter(offer=offer, status=OrderStatus.PLACED).order_by("pk").values_list("code", flat=True)
        )
        for code in codes[: len(codes) * 2 // 3]:
            pickup.collect(actor=SYSTEM, point=offer.point, code=code)
            handed += 1
    out(
        _("produce: point keeper %(username)s; %(count)s parcels handed over today")
        % {"username": KEEPER[0], "count": handed}
    )


def logins() -> list[tuple[str, str, str, str]]:
    """(username, password, role, scope) of the demo point keeper, when it exists."""
    from nuanxin.accounts.models import User
    from nuanxin.orgs.models import Organisation

    username, _full_name, code = KEEPER
    user = User.objects.filter(username=username, is_active=True).first()
    org = Organisation.objects.filter(code=code).first()
    if user is None or org is None or not user.check_password(DEMO_PASSWORD):
        return []
    return [(username, DEMO_PASSWORD, str(Role(Role.POINT_KEEPER).label), org.name)]
