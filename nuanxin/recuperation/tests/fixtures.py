"""Shared test data of recuperation (疗休养), built through the services where they exist.

On top of the personas of the root conftest (``p``: 甲 city admin, 乙 市南区 admin, 丙 市北区
admin, viewer, auditor, care): a unit union administrator at 市南区人民医院工会 (SN-H1) and one at
市北区人民医院工会 (SB-H1); a base (青岛湛山疗养院, 60 beds); an open programme
(抗疫一线医务人员免费疗休养, the default ranking rule, offers held 48 h, 1 800.00 yuan a place);
an open batch (第一期, 2 places, starting in 30 days, nominations closing in 20 days, every
frontline team); and registered workers with mobiles:

=============  ======  ====================  ==============================================
attribute      unit    team                  deployment (days deployed, both ends counted)
=============  ======  ====================  ==============================================
aid_long       SN-H1   Hubei aid             2020-01-26 .. 2020-03-31 (66 days)
aid_short      SN-H1   Hubei aid             2020-02-09 .. 2020-03-09 (30 days)
nurse          SN-H1   designated hospital   none
aid_b          SB-H1   Hubei aid             2020-01-26 .. 2020-03-31 (66 days: ties aid_long)
cdc_b          SB-H1   CDC                   2020-02-01 .. 2020-02-10 (10 days: a Wuhan trip)
=============  ======  ====================  ==============================================

The catalogue (base, programme, batch) is written straight to the database here: its services
(``services/catalogue.py``) belong to the pages' area and are tested there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.orgs import services as org_services
from nuanxin.recuperation.choices import DEFAULT_RANKING, BatchStatus, ProgrammeStatus
from nuanxin.recuperation.models import Base, Batch, Candidate, Programme
from nuanxin.registry import services as registry
from nuanxin.registry.choices import TeamType

PASSWORD = "Persona-pass-2020"


@dataclass
class RecupWorld:
    p: Any
    unit_admin: Any  # org_admin at SN-H1
    unit_admin_b: Any  # org_admin at SB-H1
    base: Base
    programme: Programme
    batch: Batch  # 第一期: 2 places, starts in 30 days
    aid_long: Any
    aid_short: Any
    nurse: Any
    aid_b: Any
    cdc_b: Any
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def workers(self) -> list[Any]:
        return [self.aid_long, self.aid_short, self.nurse, self.aid_b, self.cdc_b]

    def admin_of(self, worker: Any) -> Any:
        """The unit administrator who nominates ``worker`` (SN-H1's or SB-H1's)."""
        return self.unit_admin if worker.organisation_id == self.p.shinan_hospital.pk else self.unit_admin_b


def user(username: str, org: Any, role: str, full_name: str) -> Any:
    u, _ = org_services.create_user(
        actor=SYSTEM, username=username, organisation=org, role=role, password=PASSWORD, full_name=full_name
    )
    return u


def make_base(name: str = "青岛湛山疗养院", *, capacity: int = 60) -> Base:
    return Base.objects.create(name=name, address="青岛市市南区湛山路 1 号", capacity=capacity,
                               contact_name="王主任", contact_phone="0532-80000000")


def make_programme(p: Any, name: str = "抗疫一线医务人员免费疗休养", *, ranking: list[str] | None = None,
                   offer_hours: int = 48, cost: str = "1800.00") -> Programme:
    return Programme.objects.create(
        organisation=p.city, name=name, status=ProgrammeStatus.OPEN,
        ranking=list(ranking if ranking is not None else DEFAULT_RANKING), offer_hours=offer_hours,
        cost_per_place=Decimal(cost),
    )


def make_batch(programme: Programme, base: Base, name: str = "第一期", *, places: int = 2, starts_in: int = 30,
               days: int = 7, close_in: int | None = 20, teams: list[str] | None = None,
               status: str = BatchStatus.OPEN) -> Batch:
    """A batch starting ``starts_in`` days from today for ``days`` days, nominations closing
    ``close_in`` days from now (``None``: no closing time)."""
    today = timezone.localdate()
    starts = today + timedelta(days=starts_in)
    return Batch.objects.create(
        programme=programme, base=base, name=name, places=places, starts_on=starts,
        ends_on=starts + timedelta(days=days - 1), teams=list(teams or []), status=status,
        nominations_close_at=None if close_in is None else timezone.now() + timedelta(days=close_in),
    )


def make_worker(org: Any, name: str, team: str, mobile: str, *,
                deployed: tuple[date, date | None] | None = None) -> Any:
    worker = registry.create_worker(actor=SYSTEM, organisation=org, name=name, team=team, category="nurse",
                                    mobile=mobile, gender="female")
    if deployed is not None:
        registry.save_deployment(actor=SYSTEM, worker=worker, batch="青岛市第2批援鄂医疗队", destination="武汉",
                                 departed_on=deployed[0], returned_on=deployed[1])
    return worker


def build_recuperation(p: Any) -> RecupWorld:
    base = make_base()
    programme = make_programme(p)
    batch = make_batch(programme, base)
    return RecupWorld(
        p=p,
        unit_admin=user("sn_unit", p.shinan_hospital, Role.ORG_ADMIN, "市南医院工会"),
        unit_admin_b=user("sb_unit", p.shibei_hospital, Role.ORG_ADMIN, "市北医院工会"),
        base=base,
        programme=programme,
        batch=batch,
        aid_long=make_worker(p.shinan_hospital, "张援鄂", TeamType.HUBEI_AID, "13800000001",
                             deployed=(date(2020, 1, 26), date(2020, 3, 31))),
        aid_short=make_worker(p.shinan_hospital, "李短期", TeamType.HUBEI_AID, "13800000002",
                              deployed=(date(2020, 2, 9), date(2020, 3, 9))),
        nurse=make_worker(p.shinan_hospital, "王护士", TeamType.DESIGNATED_HOSPITAL, "13800000003"),
        aid_b=make_worker(p.shibei_hospital, "赵援鄂", TeamType.HUBEI_AID, "13900000004",
                          deployed=(date(2020, 1, 26), date(2020, 3, 31))),
        cdc_b=make_worker(p.shibei_hospital, "钱疾控", TeamType.CDC, "13900000005",
                          deployed=(date(2020, 2, 1), date(2020, 2, 10))),
    )


def nominate(w: RecupWorld, worker: Any, *, batch: Batch | None = None, at: datetime | None = None,
             note: str = "") -> Candidate:
    """``worker`` nominated for ``batch`` (the world's batch by default) by their unit's
    administrator, applying at ``at`` (now by default)."""
    from nuanxin.recuperation.services import candidates

    return candidates.nominate(actor=w.admin_of(worker), batch=batch or w.batch, worker=worker, note=note, now=at)


def nominate_all(w: RecupWorld, *, batch: Batch | None = None, start: datetime | None = None) -> list[Candidate]:
    """Every worker of the world nominated, one minute apart in the order of ``w.workers``
    (aid_long, aid_short, nurse, aid_b, cdc_b), from ``start`` (now − 1 hour by default)."""
    start = start or timezone.now() - timedelta(hours=1)
    return [nominate(w, worker, batch=batch, at=start + timedelta(minutes=i)) for i, worker in enumerate(w.workers)]
