"""Recuperation's demo (``nuanxin demo``): two bases (青岛湛山疗养院, 青岛崂山疗养院), the open
programme 抗疫一线医务人员免费疗休养 (the default ranking rule, offers held 48 hours, 1 800 yuan a
place) and three batches:

- 第一期 (湛山, held a month ago): four places filled by rank, attended, one no-show, marked as
  held, its cost charged to the city's fund by the city's finance clerk (awaiting approval);
- 第二期 (湛山, in three weeks): eight candidates; four places offered two days ago, two
  accepted, two declines in a row (each passed to the next), one offer left unanswered that
  expired and passed on by the periodic job, one accepted place recorded as a no-show and
  offered to the next waiting (a replacement), one offer open now;
- 第三期 (崂山, aid-team members only, in seven weeks): taking nominations, three waiting.

Every step goes through the services with the demo administrators as actors (``demo-district``
for 市南区's units, ``demo-city`` for the others, attendance and filling; ``demo-city-clerk`` for
the cost), the clock driven by the services' ``now=`` arguments. Candidates are the register
demo's workers of 市南区's and 市北区's hospitals. Idempotent: when the programme exists, nothing
is added."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core.policy import SYSTEM
from nuanxin.recuperation.choices import CandidateStatus, OfferStatus
from nuanxin.recuperation.models import Batch, Candidate, Offer, Programme

PROGRAMME = "抗疫一线医务人员免费疗休养"
BASES = (
    ("青岛湛山疗养院", "青岛市市南区湛山路 1 号（演示）", 60, "王主任", "0532-80000001"),
    ("青岛崂山疗养院", "青岛市崂山区仰口路 8 号（演示）", 40, "李主任", "0532-80000002"),
)
UNITS = ("QD-SN-01", "QD-SN-02", "QD-SB-01", "QD-SB-02")
CITY_FUND = "疫情防控专项资金"


def _org(code: str) -> Any:
    from nuanxin.orgs.models import Organisation

    return Organisation.objects.filter(code=code).first()


def _user(username: str) -> Any:
    from nuanxin.accounts.models import User

    return User.objects.filter(username=username, is_active=True).first()


def build(*, out: Callable[[str], None] = print) -> None:
    existing = Programme.objects.filter(name=PROGRAMME).first()
    if existing is not None:
        out(_("recuperation: the programme “%(name)s” exists (%(batches)s batches, %(count)s candidates)")
            % {"name": PROGRAMME, "batches": Batch.objects.filter(programme=existing).count(),
               "count": Candidate.objects.filter(programme=existing).count()})
        return
    city, district = _user("demo-city"), _user("demo-district")
    if city is None or district is None:
        out(_("recuperation: skipped (the organisations demo is missing)"))
        return
    from nuanxin.registry.models import Worker

    workers = list(
        Worker.objects.filter(organisation__code__in=UNITS).exclude(status__in=["archived", "deceased"])
        .select_related("organisation").order_by("id")
    )
    if len(workers) < 20:
        out(_("recuperation: skipped (the register demo is missing)"))
        return
    _build(city, district, workers, out)


@transaction.atomic
def _build(city: Any, district: Any, workers: list[Any], out: Callable[[str], None]) -> None:
    from nuanxin.recuperation.services import candidates
    from nuanxin.recuperation.services import catalogue as services
    from nuanxin.registry.choices import TeamType

    now = timezone.now()
    today = timezone.localdate()
    zhanshan, laoshan = (
        services.create_base(actor=city, name=name, address=address, capacity=capacity, contact_name=contact,
                             contact_phone=phone)
        for name, address, capacity, contact, phone in BASES
    )
    programme = services.create_programme(
        actor=city, name=PROGRAMME, cost_per_place="1800", offer_hours=48,
        description="疫情过后，分批组织抗疫一线医务人员到工会疗休养基地免费疗休养，援鄂医疗队队员优先。（演示）",
    )
    programme = services.open_programme(programme, actor=city)

    def admin(worker: Any) -> Any:
        return district if worker.organisation.code.startswith("QD-SN") else city

    aid = [w for w in workers if w.team == TeamType.HUBEI_AID]
    others = [w for w in workers if w.team != TeamType.HUBEI_AID]
    pool = aid[:6] + others[:4] + aid[6:]  # a mix for the first two batches, aid-team members left for the third

    def take(n: int, source: list[Any]) -> list[Any]:
        chosen = source[:n]
        del source[:n]
        for w in chosen:
            if w in pool:
                pool.remove(w)
            if w in aid:
                aid.remove(w)
        return chosen

    def nominate(batch: Batch, chosen: list[Any], at: datetime) -> list[Candidate]:
        return [candidates.nominate(actor=admin(w), batch=batch, worker=w, now=at + timedelta(minutes=i))
                for i, w in enumerate(chosen)]

    def offers_of(batch: Batch) -> list[Offer]:
        return list(Offer.objects.filter(batch=batch, status=OfferStatus.OPEN).select_related(
            "candidate__worker__organisation").order_by("offered_at", "id"))

    def answer(offer: Offer, *, accept: bool, at: datetime, reason: str = "") -> None:
        actor = admin(offer.candidate.worker)
        if accept:
            candidates.accept(actor=actor, offer=offer, now=at)
        else:
            candidates.decline(actor=actor, offer=offer, reason=reason, now=at)

    # --- 第一期: held a month ago -----------------------------------------------------------------
    held_start = today - timedelta(days=30)
    first = services.create_batch(
        actor=city, programme=programme, base=zhanshan, name="第一期", starts_on=held_start,
        ends_on=held_start + timedelta(days=6), places=4,
        nominations_close_at=timezone.make_aware(datetime.combine(held_start - timedelta(days=10), time(17))),
        today=held_start - timedelta(days=40),  # planned before it was held
    )
    t0 = timezone.make_aware(datetime.combine(held_start - timedelta(days=20), time(9)))
    nominate(first, take(5, pool), t0)
    candidates.fill(actor=city, batch=first, now=t0 + timedelta(hours=2))
    for offer in offers_of(first):
        answer(offer, accept=True, at=t0 + timedelta(hours=5))
    on_day = timezone.make_aware(datetime.combine(held_start, time(10)))
    accepted = list(Candidate.objects.filter(batch=first, status=CandidateStatus.ACCEPTED).order_by("id"))
    for i, candidate in enumerate(accepted):
        candidates.record_attendance(actor=city, candidate=candidate, attended=i != len(accepted) - 1, now=on_day)
    first = services.finish_batch(Batch.objects.get(pk=first.pk), actor=city)
    charged = _charge(first, out)

    # --- 第二期: filling now, with declines, an expiry, a no-show replaced ------------------------
    start2 = today + timedelta(days=21)
    second = services.create_batch(
        actor=city, programme=programme, base=zhanshan, name="第二期", starts_on=start2,
        ends_on=start2 + timedelta(days=6), places=4,
        nominations_close_at=timezone.make_aware(datetime.combine(start2 - timedelta(days=7), time(17))),
    )
    t1 = now - timedelta(hours=51)  # offers held 48 h: the first round lapses an hour ago
    nominate(second, take(8, pool), t1)
    candidates.fill(actor=city, batch=second, now=t1 + timedelta(hours=1))
    first_offers = offers_of(second)
    # Two accept; the third declines, and the next one offered declines too (two in a row);
    # the fourth is never answered.
    answer(first_offers[0], accept=True, at=t1 + timedelta(hours=3))
    answer(first_offers[1], accept=True, at=t1 + timedelta(hours=4))
    answer(first_offers[2], accept=False, at=t1 + timedelta(hours=5), reason="科室排班紧张，本期无法脱岗。")
    passed = [o for o in offers_of(second) if o.pk not in {x.pk for x in first_offers}]
    if passed:
        answer(passed[0], accept=False, at=t1 + timedelta(hours=6), reason="家中老人需照顾。")
    passed = [o for o in offers_of(second) if o.pk not in {x.pk for x in first_offers}]
    if passed:
        answer(passed[0], accept=True, at=t1 + timedelta(hours=8))
    # The fourth offer lapses: the periodic job expires it and offers the place to the next.
    candidates.expire_due(actor=SYSTEM, now=now - timedelta(hours=1))
    # An accepted place turns out a no-show before the start (the person fell ill): replaced.
    no_show = Candidate.objects.filter(batch=second, status=CandidateStatus.ACCEPTED).order_by("id").first()
    if no_show is not None:
        candidates.record_attendance(actor=city, candidate=no_show, attended=False, now=now - timedelta(minutes=30))

    # --- 第三期: aid-team members only, taking nominations ---------------------------------------
    start3 = today + timedelta(days=49)
    third = services.create_batch(
        actor=city, programme=programme, base=laoshan, name="第三期", starts_on=start3,
        ends_on=start3 + timedelta(days=6), places=3, teams=[TeamType.HUBEI_AID],
        nominations_close_at=timezone.make_aware(datetime.combine(start3 - timedelta(days=10), time(17))),
    )
    nominate(third, take(3, aid), now - timedelta(hours=3))

    out(_("recuperation: the programme “%(name)s” with %(batches)s batches, %(count)s candidates, %(offers)s offers"
          "%(charged)s")
        % {"name": PROGRAMME, "batches": 3, "count": Candidate.objects.filter(programme=programme).count(),
           "offers": Offer.objects.filter(batch__programme=programme).count(),
           "charged": _("; the first batch's cost charged") if charged else ""})


def _charge(batch: Batch, out: Callable[[str], None]) -> bool:
    """The held batch's cost charged to the city's fund by the city's finance clerk (the funds
    demo's), when both exist and the fund can pay."""
    from nuanxin.core.errors import ServiceError
    from nuanxin.funds.models import Fund
    from nuanxin.recuperation.services import costs

    clerk = _user("demo-city-clerk")
    fund = Fund.objects.filter(organisation__code="QD", name=CITY_FUND).first()
    if clerk is None or fund is None:
        return False
    try:
        with transaction.atomic():
            costs.charge_cost(actor=clerk, batch=batch, fund=fund)
    except ServiceError as exc:
        out(_("recuperation: the first batch's cost was not charged: %(reason)s") % {"reason": exc.message})
        return False
    return True
