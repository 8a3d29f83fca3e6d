"""Demo register for ``nuanxin demo``: about 300 fictional frontline workers across the demo's
medical units, each with one to three family members (one primary), a third of them in the
Hubei aid team with a deployment (batch, dates in Feb–Apr 2020, the phone used in Wuhan and
its carrier), and a few sensitive rows.

Every name is made up from common characters; every phone is a clearly fictional but valid
number (1380000xxxx for workers, 1390000xxxx for families, 139/186/189 0001xxxx in Wuhan).
Deterministic (``random.Random(2020)``) and idempotent: when the demo workers exist, nothing
is added. Rows are written in bulk (with their history) and one audit row records the load.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from nuanxin.core import audit
from nuanxin.core.policy import SYSTEM
from nuanxin.registry import hooks, normalise
from nuanxin.registry.choices import MaternityStatus, PersonnelCategory, TeamType, WorkerStatus
from nuanxin.registry.models import Deployment, FamilyMember, Worker, WorkerSensitive

WORKERS = 300
DEMO_NOTE = "演示数据（虚构）"

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
    "顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彩春菊兰凤洁梅琳素"
    "云莲真环雪荣爱妹香月莺媛瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣"
    "婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭"
    "冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝丽阳"
)
POSTS = {
    PersonnelCategory.DOCTOR: ["住院医师", "主治医师", "副主任医师", "主任医师", "科主任"],
    PersonnelCategory.NURSE: ["护士", "护师", "主管护师", "副主任护师", "护士长"],
    PersonnelCategory.TECHNICIAN: ["技士", "技师", "主管技师", "检验师"],
    PersonnelCategory.MANAGEMENT: ["科员", "科长", "副院长"],
    PersonnelCategory.LOGISTICS: ["司机", "保障员", "物资管理员"],
}
CATEGORY_WEIGHTS = [
    (PersonnelCategory.DOCTOR, 35),
    (PersonnelCategory.NURSE, 45),
    (PersonnelCategory.TECHNICIAN, 10),
    (PersonnelCategory.MANAGEMENT, 5),
    (PersonnelCategory.LOGISTICS, 5),
]
# (batch, departed, returned or None while still deployed)
BATCHES = [
    ("第一批", datetime.date(2020, 2, 2), datetime.date(2020, 3, 21)),
    ("第二批", datetime.date(2020, 2, 9), datetime.date(2020, 3, 28)),
    ("第三批", datetime.date(2020, 2, 14), datetime.date(2020, 4, 2)),
    ("第四批", datetime.date(2020, 2, 19), datetime.date(2020, 4, 10)),
    ("第五批", datetime.date(2020, 2, 26), None),
]
WUHAN_SEGMENTS = ["1390001", "1860001", "1890001"]  # suggests 移动, 联通, 电信
ROADS = ["幸福路", "和平路", "团结路", "友谊路", "光明路", "长青路", "安康路", "春晖路"]
DISTRICT_NAMES = {
    "QD-SN": "市南区", "QD-SB": "市北区", "QD-LC": "李沧区", "QD-LS": "崂山区", "QD-CY": "城阳区",
    "QD-XHA": "西海岸新区", "QD-JM": "即墨区", "QD-JZ": "胶州市", "QD-PD": "平度市", "QD-LX": "莱西市",
}  # fmt: skip


def _name(rng: random.Random, taken: set[str]) -> str:
    while True:
        given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
        name = rng.choice(SURNAMES) + given
        if name not in taken:
            taken.add(name)
            return name


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _team(rng: random.Random, unit_name: str) -> str:
    if "疾病预防控制" in unit_name:
        return TeamType.CDC if rng.random() < 0.8 else TeamType.HUBEI_AID
    if "急救中心" in unit_name:
        return TeamType.AMBULANCE if rng.random() < 0.8 else TeamType.HUBEI_AID
    return _weighted(
        rng,
        [(TeamType.HUBEI_AID, 33), (TeamType.DESIGNATED_HOSPITAL, 40), (TeamType.OTHER, 15), (TeamType.CDC, 6),
         (TeamType.AMBULANCE, 6)],
    )  # fmt: skip


def _family(rng: random.Random, worker_name: str, gender: str, n: int, next_mobile: Callable[[], str], town: str):
    surname = worker_name[0]
    spouse = ("妻子" if gender == "male" else "丈夫", None)
    options = [spouse, ("父亲", surname), ("母亲", None), ("儿子", surname), ("女儿", surname)]
    chosen = [spouse, *rng.sample(options[1:], k=n - 1)] if rng.random() < 0.8 else rng.sample(options, k=n)
    members = []
    for i, (relation, family_surname) in enumerate(chosen):
        name = (family_surname or rng.choice(SURNAMES)) + rng.choice(GIVEN) + rng.choice(GIVEN)
        child = relation in ("儿子", "女儿")
        members.append(
            {
                "name": name,
                "relation": relation,
                "mobile": "" if child and rng.random() < 0.6 else next_mobile(),
                "address": f"青岛市{town}{rng.choice(ROADS)}{rng.randint(1, 299)}号",
                "is_primary": i == 0,
            }
        )
    return members


@transaction.atomic
def build(*, out: Callable[[str], None] = print) -> None:
    """Add the demo register once (looked up by its note); a second run changes nothing."""
    from nuanxin.orgs.demo import UNITS
    from nuanxin.orgs.models import Organisation

    existing = Worker.objects.filter(notes=DEMO_NOTE).count()
    if existing:
        out(_("register: %(count)s demo workers (0 new)") % {"count": existing})
        return
    codes = [code for code, _name, _parent, is_medical in UNITS if is_medical]
    units = {o.code: o for o in Organisation.objects.filter(code__in=codes)}
    if len(units) != len(codes):
        out("register: the demo units are missing; run the organisation demo first")
        return
    rng = random.Random(2020)  # noqa: S311 - demo data, not secrets
    taken = set(Worker.objects.values_list("name", flat=True))
    counters = {"worker": 0, "family": 0, "wuhan": 0}

    def numbered(kind: str, prefix: str) -> Callable[[], str]:
        def make() -> str:
            counters[kind] += 1
            return normalise.phone(f"{prefix}{counters[kind]:04d}")

        return make

    worker_mobile = numbered("worker", "1380000")
    family_mobile = numbered("family", "1390000")

    def wuhan_mobile() -> str:
        counters["wuhan"] += 1
        return normalise.phone(f"{WUHAN_SEGMENTS[counters['wuhan'] % 3]}{counters['wuhan']:04d}")

    workers, plans = [], []
    for i in range(WORKERS):
        code = codes[i % len(codes)]
        unit = units[code]
        category = _weighted(rng, CATEGORY_WEIGHTS)
        female = 0.85 if category == PersonnelCategory.NURSE else 0.45
        gender = "female" if rng.random() < female else "male"
        team = _team(rng, unit.name)
        batch = rng.choice(BATCHES) if team == TeamType.HUBEI_AID else None
        status = WorkerStatus.ON_DUTY
        if batch is not None:
            status = WorkerStatus.DEPLOYED if batch[2] is None else WorkerStatus.RETURNED
        worker = Worker(
            organisation=unit,
            name=_name(rng, taken),
            gender=gender,
            category=category,
            post_title=rng.choice(POSTS[category]),
            mobile=worker_mobile(),
            team=team,
            status=status,
            notes=DEMO_NOTE,
        )
        worker.refresh_derived()
        workers.append(worker)
        district = code.rsplit("-", 1)[0]
        town = DISTRICT_NAMES.get(district, "市南区")
        plans.append((batch, _family(rng, worker.name, gender, rng.choice([1, 2, 2, 3]), family_mobile, town)))
    workers = bulk_create_with_history(workers, Worker, batch_size=500)
    if any(w.pk is None for w in workers):  # backends that do not return keys
        by_name = dict(Worker.objects.filter(notes=DEMO_NOTE).values_list("name", "pk"))
        for w in workers:
            w.pk = w.id = by_name[w.name]

    family, deployments, sensitive = [], [], []
    for worker, (batch, members) in zip(workers, plans, strict=True):
        for member in members:
            row = FamilyMember(worker=worker, **member)
            row.refresh_derived()
            family.append(row)
        if batch is not None:
            name, departed, returned = batch
            mobile = wuhan_mobile()
            deployments.append(
                Deployment(
                    worker=worker,
                    batch=name,
                    destination="湖北省武汉市",
                    departed_on=departed,
                    returned_on=returned,
                    deployed_mobile=mobile,
                    carrier=normalise.suggest_carrier(mobile),
                )
            )
        roll = rng.random()
        if roll < 0.12:
            maternity = ""
            if worker.gender == "female" and rng.random() < 0.6:
                maternity = rng.choice([MaternityStatus.PREGNANT, MaternityStatus.LACTATING])
            sensitive.append(
                WorkerSensitive(
                    worker=worker,
                    maternity=maternity,
                    children_under_14=rng.choice([0, 1, 1, 2]),
                    health_notes=rng.choice(["", "", "曾有隔离观察记录（虚构）", "需定期复查（虚构）"]),
                )
            )
    bulk_create_with_history(family, FamilyMember, batch_size=500)
    bulk_create_with_history(deployments, Deployment, batch_size=500)
    bulk_create_with_history(sensitive, WorkerSensitive, batch_size=500)
    # The apps above catch up (care: the unassigned families of campaigns already there).
    hooks.workers_saved.fire(actor=SYSTEM, worker_ids=[w.pk for w in workers])
    root = Organisation.objects.filter(depth=1).order_by("path").first()
    audit.record(
        SYSTEM,
        "registry.demo_load",
        object_type="registry.worker",
        object_repr=DEMO_NOTE,
        organisation=root,
        detail={"workers": len(workers), "family": len(family), "deployments": len(deployments),
                "sensitive": len(sensitive)},
    )  # fmt: skip
    out(
        _("register: %(count)s demo workers (%(count)s new), %(family)s family members, %(deployments)s deployments")
        % {"count": len(workers), "family": len(family), "deployments": len(deployments)}
    )
