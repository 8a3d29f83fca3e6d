"""Demo care work for ``nuanxin demo`` (runs after the register's demo).

Two campaigns, so that every care page shows something real on the day the demo is built:

- 关爱抗疫一线医护人员及其家庭成员暖心行动, started 2020-01-24 and declared over on 2020-05-08:
  sixteen weeks of weekly visits to the aid-team families, a few missed or excused weeks,
  necessities delivered, one reassignment of care contacts (history);
- 关爱一线医护人员家庭常态化暖心行动（演示）, still running: it starts on the Monday seven
  weeks before the week the demo is first built (aid-team families weekly, CDC teams
  fortnightly), so this week has due duties, some already done, and past weeks have visits,
  missed and excused weeks.

More care contacts (demo-care2 … demo-care6, password ``DEMO_PASSWORD``) look after the
units of their districts; the families of 即墨区, 胶州市, 平度市 and 莱西市 stay unassigned (the
即墨区 ones carry the imported 工会联系人 name 吴同心, so the assignment page suggests
demo-care6). Difficulties exist in every state, some overdue (the escalation job takes them
up the tree).

Assignments, campaigns, difficulties and the weekly turn go through the services
(``actor=SYSTEM``); visits and the states of past duties are written in bulk, with one audit
row for the load. Deterministic (``random.Random(2020)``) and idempotent: when the 2020
campaign exists, nothing is added.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from nuanxin.care import services, weeks
from nuanxin.care.choices import DUE_DAYS, DifficultySource, DifficultyStatus, DutyStatus, VisitMode
from nuanxin.care.models import Campaign, CareAssignment, Difficulty, DifficultyNote, Visit, VisitDuty, VisitItem
from nuanxin.core import audit
from nuanxin.core.policy import SYSTEM
from nuanxin.registry.choices import TeamType, WorkerStatus
from nuanxin.registry.models import Worker

CAMPAIGN_2020 = "关爱抗疫一线医护人员及其家庭成员暖心行动"
START_2020 = date(2020, 1, 24)
END_2020 = date(2020, 5, 8)
CAMPAIGN_NOW = "关爱一线医护人员家庭常态化暖心行动（演示）"
WEEKS_BEFORE_NOW = 7  # the running campaign starts seven Mondays before this week's

# (username, full name, organisation codes of the care-contact grants, units assigned to them)
CONTACTS = [
    ("demo-care", "张联络", ["QD-SN-01"], ["QD-SN-01"]),
    ("demo-care2", "李关爱", ["QD-SN"], ["QD-SN-02"]),
    ("demo-care3", "王暖心", ["QD-SB", "QD-LC"], ["QD-SB-01", "QD-SB-02", "QD-LC-01"]),
    ("demo-care4", "陈志愿", ["QD-YW"], ["QD-YW-01", "QD-YW-02", "QD-YW-03", "QD-YW-04", "QD-YW-05", "QD-YW-06"]),
    ("demo-care5", "赵帮扶", ["QD-LS", "QD-CY", "QD-XHA"], ["QD-LS-01", "QD-CY-01", "QD-XHA-01", "QD-XHA-02"]),
    ("demo-care6", "吴同心", ["QD-JM"], []),  # not assigned yet: suggested by the imported name
]
HINTS = {"QD-JM-01": "吴同心", "QD-JZ-01": "钱守护"}  # 工会联系人 as written in the tables

STATES_OF_MIND = [
    "情绪稳定，为家人感到骄傲",
    "有些担心在前线的亲人，每天视频联系",
    "老人身体尚可，孩子学习正常",
    "家属睡眠不好，已介绍心理辅导热线",
    "生活有序，邻里多有照应",
    "孩子想念父母，已安排志愿者陪伴",
]
OPINIONS = ["感谢工会的关心", "希望多了解前方的情况", "希望社区帮助采购生活物资", "希望孩子网课有人辅导", "", ""]
ITEMS = [
    ("大米", "袋", Decimal("60")),
    ("食用油", "桶", Decimal("80")),
    ("新鲜蔬菜", "份", Decimal("50")),
    ("水果", "箱", Decimal("100")),
    ("牛奶", "箱", Decimal("65")),
    ("鸡蛋", "盒", Decimal("30")),
    ("口罩", "包", Decimal("40")),
    ("消毒液", "瓶", Decimal("25")),
]
EXCUSES = ["家属外出探亲，要求本周不上门", "家中有人居家观察，改为下周", "家属工作繁忙，约定下周联系"]
DIFFICULTIES = [
    ("childcare", "孩子上网课无人辅导，老人不会操作电脑"),
    ("eldercare", "家中老人患慢性病，需要定期取药"),
    ("life", "家里水管漏水，一个人处理不了"),
    ("supplies", "口罩和消毒液快用完了"),
    ("medical", "母亲需要复诊，挂号困难"),
    ("employment", "爱人所在公司停工，收入减少"),
    ("psychological", "家属睡眠不好，总担心在前线的亲人"),
    ("legal", "租房合同到期，房东要求提前搬离"),
    ("work", "返岗后希望调整排班以便照顾孩子"),
    ("other", "希望帮忙联系社区办理出入证"),
]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _org(code: str):
    from nuanxin.orgs.models import Organisation

    return Organisation.objects.filter(code=code).first()


def _contacts(out) -> dict[str, object]:
    """The demo care contacts by username, created where missing."""
    from nuanxin.accounts.models import User
    from nuanxin.core.demo import DEMO_PASSWORD
    from nuanxin.core.roles import Role
    from nuanxin.orgs import services as org_services

    users = {}
    created = 0
    for i, (username, full_name, org_codes, _units) in enumerate(CONTACTS):
        user = User.objects.filter(username=username).first()
        if user is None:
            user, _pw = org_services.create_user(
                actor=SYSTEM,
                username=username,
                organisation=_org(org_codes[0]),
                role=Role.CARE_CONTACT,
                password=DEMO_PASSWORD,
                full_name=full_name,
                mobile=f"+861890000{i + 1:04d}",
            )
            for code in org_codes[1:]:
                org_services.grant_role(actor=SYSTEM, user=user, role=Role.CARE_CONTACT, organisation=_org(code))
            created += 1
        users[username] = user
    out(_("care: %(count)s care contacts (%(new)s new)") % {"count": len(users), "new": created})
    return users


def _families(team_filter) -> dict[str, list[Worker]]:
    """Families of the register by unit code (pk order), the demo's only."""
    from nuanxin.registry.demo import DEMO_NOTE

    result: dict[str, list[Worker]] = {}
    qs = (
        Worker.objects.filter(notes=DEMO_NOTE, team__in=team_filter)
        .exclude(status=WorkerStatus.ARCHIVED)
        .select_related("organisation")
        .order_by("pk")
    )
    for worker in qs:
        result.setdefault(worker.organisation.code, []).append(worker)
    return result


def _assign_all(campaign, families, users, started_at, rng, *, leave_out=0.08, instead=None) -> int:
    """Assign each unit's families to its contact (a few left without one); ``instead``
    maps a unit code to another contact's username."""
    by_contact: dict[str, list[Worker]] = {}
    for username, _name, _org_code, units in CONTACTS:
        for code in units:
            chosen = [w for w in families.get(code, []) if rng.random() >= leave_out]
            by_contact.setdefault((instead or {}).get(code, username), []).extend(chosen)
    count = 0
    for username, chosen in by_contact.items():
        if chosen:
            services.bulk_assign(
                actor=SYSTEM, campaign=campaign, workers=chosen, contact=users[username], started_at=started_at
            )
            count += len(chosen)
    return count


def _contact_at(assignments: list[CareAssignment], moment: datetime):
    for a in assignments:
        if a.started_at <= moment and (a.ended_at is None or a.ended_at > moment):
            return a.contact
    return assignments[-1].contact if assignments else None


def _live_weeks(campaign, rng: random.Random, today: date) -> dict:
    """Visits for the campaign's duties in bulk: most weeks done, some missed or excused;
    this week's duties partly done. The duties' timestamps follow the story (opened on
    Monday, missed on the next Monday), so the API's ``as_of`` tells the past right."""
    this_week = weeks.current_week(today)
    duties = list(VisitDuty.objects.filter(campaign=campaign).order_by("week", "worker_id"))
    by_worker: dict[int, list[CareAssignment]] = {}
    for a in CareAssignment.objects.filter(campaign=campaign).select_related("contact").order_by("started_at", "pk"):
        by_worker.setdefault(a.worker_id, []).append(a)
    visits, plans = [], []
    stats = {"done": 0, "missed": 0, "excused": 0, "due": 0}
    for duty in duties:
        duty.created_at = _at(duty.week, 0, 10)
        duty.missed_at = None
        roll = rng.random()
        last_day = min(weeks.sunday(duty.week), today)
        current = duty.week == this_week
        if current and (roll < 0.55 or (last_day == duty.week and roll < 0.8)):
            duty.status = DutyStatus.DUE
            stats["due"] += 1
            continue
        if not current and roll < 0.09:
            duty.status = DutyStatus.MISSED
            duty.missed_at = _at(duty.week + weeks.WEEK, 0, 10)
            stats["missed"] += 1
            continue
        if not current and roll < 0.13:
            duty.status = DutyStatus.EXCUSED
            duty.excuse_reason = rng.choice(EXCUSES)
            duty.excused_at = _at(duty.week, 9)
            stats["excused"] += 1
            continue
        on = duty.week + timedelta(days=rng.randint(0, (last_day - duty.week).days))
        moment = _at(on, rng.randint(9, 19), rng.choice([0, 15, 30, 45]))
        contact = _contact_at(by_worker.get(duty.worker_id, []), moment)
        mode = rng.choices(VisitMode.values, weights=[50, 30, 15, 5])[0]
        visit = Visit(
            worker_id=duty.worker_id,
            campaign=campaign,
            on=on,
            mode=mode,
            visitors=contact.full_name if contact else "",
            state_of_mind=rng.choice(STATES_OF_MIND),
            opinions=rng.choice(OPINIONS),
            recorded_by=contact,
        )
        items = []
        if mode == VisitMode.HOME:
            for item, unit, price in rng.sample(ITEMS, k=rng.randint(1, 3)):
                quantity = Decimal(rng.randint(1, 3))
                items.append(VisitItem(item=item, unit=unit, quantity=quantity, value=price * quantity))
        visits.append(visit)
        plans.append((duty, visit, items, moment))
        duty.status = DutyStatus.DONE
        stats["done"] += 1
    bulk_create_with_history(visits, Visit, batch_size=500)
    if any(v.pk is None for v in visits):  # backends that do not return keys
        keys = {(v.worker_id, v.on): v.pk for v in Visit.objects.filter(campaign=campaign)}
        for v in visits:
            v.pk = v.id = keys[(v.worker_id, v.on)]
    all_items = []
    for duty, visit, items, moment in plans:
        duty.visit = visit
        duty.done_at = moment
        for visit_item in items:
            visit_item.visit = visit
            all_items.append(visit_item)
    bulk_create_with_history(all_items, VisitItem, batch_size=500)
    # The duties the weekly turn opened, written again with their story in one bulk insert
    # (an UPDATE per row would take longer than the rest of the demo).
    VisitDuty.objects.filter(campaign=campaign).delete()
    VisitDuty.objects.bulk_create(duties, batch_size=500)
    stats["visits"] = len(visits)
    stats["items"] = len(all_items)
    return stats


def _difficulties(campaigns: dict, users: dict, rng: random.Random, today: date) -> int:
    """Difficulties in every state, through the services; then dated back (ages, due
    dates, timeline) so the overview's age buckets and the overdue list show something."""
    now_campaign, old_campaign = campaigns["now"], campaigns["2020"]
    current = list(
        CareAssignment.objects.current()
        .filter(campaign=now_campaign)
        .select_related("worker__organisation", "contact")
        .order_by("worker__organisation__code", "worker__name_pinyin", "worker_id")
    )
    if not current:
        return 0
    by_contact: dict[str, list[CareAssignment]] = {}
    for a in current:
        by_contact.setdefault(a.contact.username, []).append(a)
    # Four rounds, one difficulty per care contact in each, so that every contact's (and every
    # admin's) pages have one in each state: (status path, days ago opened, urgency) by
    # contact, in CONTACTS order. Overdue: opened longer ago than its urgency allows.
    rounds = [
        [(["open"], 3, "normal"), (["open"], 20, "normal"), (["open"], 2, "critical"), (["open"], 40, "normal"),
         (["open"], 9, "urgent")],
        [(["in_progress"], 10, "urgent"), (["in_progress"], 5, "normal"), (["in_progress"], 45, "normal"),
         (["in_progress"], 12, "normal"), (["in_progress"], 6, "normal")],
        [(["in_progress", "resolved"], 18, "normal"), (["resolved"], 25, "normal"),
         (["resolved", "open"], 30, "normal"), (["resolved"], 8, "urgent"),
         (["in_progress", "resolved"], 28, "normal")],
        [(["resolved", "closed"], 35, "urgent"), (["resolved", "closed"], 48, "normal"),
         (["in_progress", "resolved", "closed"], 33, "normal"), (["resolved", "closed"], 40, "normal"),
         (["resolved", "closed"], 50, "normal")],
    ]  # fmt: skip
    contacts = [username for username, *_rest in CONTACTS if username in by_contact]
    plan = []
    for r, row in enumerate(rounds):
        for c, username in enumerate(contacts):
            families = by_contact[username]
            plan.append((families[(r * 2) % len(families)], *row[c % len(row)]))
    made = 0
    for index, (assignment, path, days_ago, urgency) in enumerate(plan):
        category, text = DIFFICULTIES[index % len(DIFFICULTIES)]
        worker = assignment.worker
        visit = Visit.objects.filter(worker=worker, campaign=now_campaign).order_by("-on").first()
        from_visit = visit is not None and index % 3 == 0
        difficulty = services.open_difficulty(
            actor=SYSTEM,
            worker=worker,
            description=text,
            category=category,
            urgency=urgency,
            source=DifficultySource.VISIT if from_visit else DifficultySource.MANUAL,
            campaign=now_campaign,
            owner=assignment.contact,
            visit=visit if from_visit else None,
        )
        notes_text = {
            "in_progress": "已联系街道和社区，正在协调",
            "resolved": "已协调解决，家属表示满意",
            "closed": "回访确认已解决",
            "open": "家属反映问题再次出现",
        }
        for step in path:
            if step == "open" and difficulty.status == DifficultyStatus.OPEN:
                continue
            services.change_difficulty_status(actor=SYSTEM, difficulty=difficulty, to=step, note=notes_text[step])
            difficulty.refresh_from_db()
        opened = _at(today - timedelta(days=days_ago), 10)
        due_on = (today - timedelta(days=days_ago)) + timedelta(days=DUE_DAYS[urgency])
        if path[-1] == "open" and len(path) > 1:
            due_on = today + timedelta(days=DUE_DAYS[urgency] - 2)  # reopened two days ago
        Difficulty.objects.filter(pk=difficulty.pk).update(created_at=opened, due_on=due_on)
        notes = list(DifficultyNote.objects.filter(difficulty=difficulty).order_by("at", "pk"))
        step_days = max(1, days_ago // (len(notes) + 1))
        for n, note in enumerate(notes):
            note.at = opened + timedelta(days=n * step_days, hours=n)
        DifficultyNote.objects.bulk_update(notes, ["at"])
        if index % 4 == 1:
            services.add_difficulty_note(
                actor=assignment.contact, difficulty=difficulty, text="已电话联系家属，约定周末上门"
            )
        made += 1
    # Two closed difficulties of 2020, from the first campaign.
    for index, worker in enumerate(Worker.objects.filter(visits__campaign=old_campaign).distinct().order_by("pk")[:2]):
        category, text = DIFFICULTIES[(index + 3) % len(DIFFICULTIES)]
        difficulty = services.open_difficulty(
            actor=SYSTEM, worker=worker, description=text, category=category, campaign=old_campaign
        )
        for step in ("in_progress", "resolved", "closed"):
            services.change_difficulty_status(actor=SYSTEM, difficulty=difficulty, to=step, note="2020年已解决")
        opened = _at(date(2020, 2, 12 + index * 7), 10)
        Difficulty.objects.filter(pk=difficulty.pk).update(
            created_at=opened, due_on=opened.date() + timedelta(days=14), resolved_at=opened + timedelta(days=6),
            closed_at=opened + timedelta(days=9),
        )  # fmt: skip
        for n, note in enumerate(DifficultyNote.objects.filter(difficulty=difficulty).order_by("at", "pk")):
            DifficultyNote.objects.filter(pk=note.pk).update(at=opened + timedelta(days=n * 3))
        made += 1
    return made


@transaction.atomic
def build(*, out: Callable[[str], None] = print) -> None:
    """Add the demo care work once (looked up by the 2020 campaign's name)."""
    if Campaign.objects.filter(name=CAMPAIGN_2020).exists():
        out(_("care: the demo campaigns exist (%(count)s campaigns, 0 new)") % {"count": Campaign.objects.count()})
        return
    if _org("QD") is None:
        out("care: the demo organisations are missing; run the organisation demo first")
        return
    families = _families([TeamType.HUBEI_AID])
    if not families:
        out("care: the register has no demo aid-team families; run the register's demo first")
        return
    rng = random.Random(2020)  # noqa: S311 - demo data, not secrets
    today = timezone.localdate()
    users = _contacts(out)

    # The unassigned families' 工会联系人 as written in their imported tables.
    hinted = 0
    for code, hint in HINTS.items():
        hinted += Worker.objects.filter(pk__in=[w.pk for w in families.get(code, [])]).update(contact_name_hint=hint)

    # 2020: the real action, from 2020-01-24 until the epidemic was declared over.
    old = services.create_campaign(actor=SYSTEM, name=CAMPAIGN_2020, starts_on=START_2020)
    # A reassignment (history): the families of 青岛大学附属医院 first had the district's
    # contact (demo-care2 covers all of 市南区), their hospital's own from 2020-02-10.
    assigned_old = _assign_all(old, families, users, _at(date(2020, 1, 27), 9), rng, instead={"QD-SN-01": "demo-care2"})
    sn1 = [
        a.worker for a in CareAssignment.objects.current().filter(campaign=old, worker__organisation__code="QD-SN-01")
    ]
    if sn1:
        services.bulk_assign(
            actor=SYSTEM, campaign=old, workers=sn1, contact=users["demo-care"], started_at=_at(date(2020, 2, 10), 9)
        )
    services.declare_end(actor=SYSTEM, campaign=old, on=END_2020)

    # Now: a running campaign, so this week has duties.
    start = weeks.current_week(today) - WEEKS_BEFORE_NOW * weeks.WEEK
    now = services.create_campaign(
        actor=SYSTEM,
        name=CAMPAIGN_NOW,
        starts_on=start,
        cadence={TeamType.HUBEI_AID: "weekly", TeamType.CDC: "fortnightly"},
    )
    cdc = _families([TeamType.CDC])
    for code, workers in cdc.items():
        families.setdefault(code, [])
        families[code] = families[code] + workers
    assigned_now = _assign_all(now, families, users, _at(start, 9), rng, leave_out=0.05)

    services.open_duties(actor=SYSTEM, today=today)
    old_stats = _live_weeks(old, rng, today)
    now_stats = _live_weeks(now, rng, today)
    difficulties = _difficulties({"2020": old, "now": now}, users, rng, today)
    escalated = services.escalate_overdue_difficulties(actor=SYSTEM, today=today)
    audit.record(
        None,
        "care.demo_load",
        object_type="care.campaign",
        object_repr=CAMPAIGN_2020,
        organisation=_org("QD"),
        detail={
            "campaigns": [old.pk, now.pk],
            "assignments": {"2020": assigned_old, "now": assigned_now},
            "2020": old_stats,
            "now": now_stats,
            "difficulties": difficulties,
            "hints": hinted,
        },
    )
    out(
        _(
            "care: campaign 2020 (%(start)s–%(end)s): %(families)s families, %(visits)s visits, "
            "%(missed)s missed, %(excused)s excused weeks"
        )
        % {"start": START_2020, "end": END_2020, "families": assigned_old, **old_stats}
    )
    out(
        _(
            "care: running campaign since %(start)s: %(families)s families, %(visits)s visits, "
            "%(missed)s missed, %(excused)s excused, %(due)s due this week; "
            "%(difficulties)s difficulties (%(escalated)s escalated)"
        )
        % {"start": start, "families": assigned_now, "difficulties": difficulties, "escalated": escalated, **now_stats}
    )
