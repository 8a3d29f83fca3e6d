"""Authorization cases of recuperation's API operations (joined by ``authz_cases``).

A batch of its own (a base and an open programme made for these cases) with two candidates of
市南区人民医院工会 (SN-H1), both offered a place through the services: 乙 (市南区, whose grant
covers the unit) answers; 丙 (市北区) is the other organisation: the same 404 as a missing
offer, nothing changed."""

from datetime import date

from nuanxin.core.policy import SYSTEM
from nuanxin.orgs.models import Organisation
from nuanxin.recuperation.models import Batch, Offer
from nuanxin.recuperation.services import candidates as services
from nuanxin.recuperation.tests.fixtures import make_base, make_batch, make_programme
from nuanxin.registry import services as registry
from nuanxin.registry.choices import TeamType
from tests.authz import Case, standard_cases


def cases(p) -> list[Case]:
    unit = Organisation.objects.get(code="SN-H1")  # read back: other cases may have moved paths
    base = make_base("授权测试疗养院（接口）")
    programme = make_programme(p, "授权测试疗休养（接口）")
    batch = make_batch(programme, base, "接口期", places=2)
    for name in ("接口授权甲", "接口授权乙"):
        worker = registry.create_worker(actor=SYSTEM, organisation=unit, name=name, team=TeamType.HUBEI_AID)
        registry.save_deployment(actor=SYSTEM, worker=worker, batch="第一批", destination="武汉",
                                 departed_on=date(2020, 1, 26), returned_on=date(2020, 3, 31))
        services.nominate(actor=SYSTEM, batch=batch, worker=worker)
    offers = services.fill(actor=SYSTEM, batch=batch)
    to_accept, to_decline = offers
    return [
        *standard_cases(p, "GET /api/v1/recuperation/batches", model=Batch, action="view", allowed=p.yi),
        Case(
            "GET /api/v1/recuperation/batches/{batch_id}/candidates",
            allowed=p.yi,
            kwargs={"batch_id": batch.pk},
            denied=p.viewer,
            no_other_org_because=(
                "a batch belongs to the whole tree; another organisation sees none of these candidates "
                "(test_api_recuperation: a unit administrator sees only their own workers)"
            ),
        ),
        *standard_cases(
            p, "POST /api/v1/recuperation/offers/{offer_id}/accept", model=Offer, action="respond",
            obj=to_accept, lookup="offer_id", allowed=p.yi, data={"version": to_accept.version},
        ),
        *standard_cases(
            p, "POST /api/v1/recuperation/offers/{offer_id}/decline", model=Offer, action="respond",
            obj=to_decline, lookup="offer_id", allowed=p.yi, data={"reason": "工作安排", "version": to_decline.version},
        ),
    ]


