"""The demo of the filling area: the weekly care reports (关爱慰问情况周报) of the demo campaign's
weeks and last month's funds report (专项资金使用月报), filled in and submitted by each
organisation's reporter through the services.

- Every past week but the last: every obliged organisation (the 22 unit unions and the 10
  district federations) submitted, most before the deadline (Monday 12:00), one in nine late.
- Last week: the units of 即墨区, 胶州市 and 平度市 and 平度市's federation have sent nothing; 莱西市's
  unit saved a draft and did not submit it (the rates page lists them as missing).
- This week (still open): drafts of 市南区 (its three units and its own) and of 市北区's first
  unit, with the cadres counted so far.
- Last month's funds report: the district federations, the medical union and the units of 市南区
  and 市北区 (the other units have not sent it).

The services write "now" as the submission's time (``reports.services.reports.submit`` takes no
time): the demo then dates each submission back to its place in the story with an UPDATE of
``submitted_at`` only (the audit rows keep the day the demo was built). Deterministic
(``random.Random(2020)``) and idempotent: when a weekly report exists, nothing is added.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core.errors import ServiceError
from nuanxin.core.policy import SYSTEM
from nuanxin.reports.demo.forms import demo_campaign, reporter_of
from nuanxin.reports.models import Report, ReportForm
from nuanxin.reports.services import obligations, periods
from nuanxin.reports.services import reports as services

CARE_WEEKLY = "care-weekly"
FUNDS_MONTHLY = "funds-monthly"
LAST_WEEK_MISSING = ("QD-JM-01", "QD-JZ-01", "QD-PD-01", "QD-PD")
LAST_WEEK_DRAFT = ("QD-LX-01",)
THIS_WEEK_DRAFTS = ("QD-SN", "QD-SN-01", "QD-SN-02", "QD-SN-03", "QD-SB-01")
FUNDS_UNITS = ("QD-SN-01", "QD-SN-02", "QD-SN-03", "QD-SB-01", "QD-SB-02", "QD-SB-03")
LATE_ONE_IN = 9

NOTES = [
    "本周按计划走访慰问一线医务人员家庭，家属情绪总体稳定",
    "重点走访援鄂医疗队员家庭，协调解决子女上网课辅导问题",
    "走访中发现老人就医不便，已联系社区志愿者代为取药",
    "本周以电话、视频慰问为主，个别家庭上门送去生活物资",
    "联合街道为困难家庭送去米面油等慰问物资",
]
DISTRICT_NOTES = [
    "汇总辖区各基层工会走访慰问情况，整体进展顺利",
    "督促未按时走访的单位补齐走访，下周重点跟进",
    "辖区困难问题已按程序转交相关部门协调解决",
]
FELL = "本周部分工会干部抽调支援核酸检测，走访慰问以电话为主，数量有所减少"
FUNDS_NOTES = "本月专项资金按计划使用，支出凭证齐全"


def _form(code: str) -> ReportForm | None:
    return ReportForm.objects.filter(code=code).first()


def stamp(report: Report, **moments: datetime) -> None:
    """Date a report's submission (or return, approval) back to the story: the services write
    "now" (they take no time of their own), the demo only moves the timestamp."""
    now = timezone.now()
    Report.objects.filter(pk=report.pk).update(**{k: min(v, now - timedelta(minutes=5)) for k, v in moments.items()})


def submit_with_comments(*, actor: Any, report: Report, values: dict, fell: str = FELL) -> Report:
    """Submit; when a figure fell by more than half from the previous period's, say why (the
    rule asks for it) and submit again."""
    comments: dict[str, str] = {}
    for _attempt in range(20):
        try:
            return services.submit(actor=actor, report=report, version=report.version, values=values, comments=comments)
        except ServiceError as exc:
            if exc.code != "comment_required" or not exc.field or exc.field in comments:
                raise
            comments[exc.field] = fell
            report.refresh_from_db()
    raise ServiceError("too many comments")  # pragma: no cover - a form has fewer fields


def _cadres(rng: random.Random, code: str) -> int:
    return rng.randint(12, 30) if code.count("-") == 1 else rng.randint(3, 8)


def _values(rng: random.Random, code: str) -> dict[str, Any]:
    district = code.count("-") == 1
    return {"cadres": _cadres(rng, code), "notes": rng.choice(DISTRICT_NOTES if district else NOTES)}


def weeks_of(form: ReportForm, today: date) -> list[tuple[date, date]]:
    """The form's weeks up to this one, oldest first."""
    return list(reversed(periods.periods(form, until=today)))


@transaction.atomic
def _weekly(form: ReportForm, rng: random.Random, today: date) -> dict[str, int]:
    counts = {"submitted": 0, "late": 0, "drafts": 0}
    obliged = list(obligations.obliged(form))  # tree order: the units' before their district's
    obliged.sort(key=lambda o: -o.depth)  # the units first, then the districts (the sums are ready)
    weeks = weeks_of(form, today)
    for index, (start, end) in enumerate(weeks):
        due = periods.due_at(form, start, end)
        current = end >= today
        last = index == len(weeks) - 2
        for number, org in enumerate(obliged):
            actor = reporter_of(org.code) or SYSTEM
            if current:
                if org.code in THIS_WEEK_DRAFTS:
                    report = services.open_report(actor=actor, form=form, organisation=org, period_start=start)
                    services.save_values(
                        actor=actor, report=report, values={"cadres": rng.randint(1, 4)}, version=report.version
                    )
                    counts["drafts"] += 1
                continue
            if last and org.code in LAST_WEEK_MISSING:
                continue
            report = services.open_report(actor=actor, form=form, organisation=org, period_start=start)
            if last and org.code in LAST_WEEK_DRAFT:
                services.save_values(actor=actor, report=report, values=_values(rng, org.code), version=report.version)
                counts["drafts"] += 1
                continue
            submit_with_comments(actor=actor, report=report, values=_values(rng, org.code))
            late = (number * 7 + index * 3) % LATE_ONE_IN == 0
            if late:
                at = due + timedelta(hours=rng.randint(3, 30))
                counts["late"] += 1
            else:
                at = due - timedelta(hours=rng.randint(1, 20), minutes=rng.choice([0, 15, 30, 45]))
            stamp(report, submitted_at=at)
            counts["submitted"] += 1
    return counts


@transaction.atomic
def _funds(form: ReportForm, rng: random.Random, today: date) -> int:
    ended = [p for p in periods.periods(form, until=today) if p[1] < today]
    if not ended:
        return 0
    start, end = ended[0]
    due = periods.due_at(form, start, end)
    sent = 0
    for org in obligations.obliged(form).order_by("-depth", "path"):
        if org.kind == "unit_union" and org.code not in FUNDS_UNITS:
            continue
        actor = reporter_of(org.code) or SYSTEM
        report = services.open_report(actor=actor, form=form, organisation=org, period_start=start)
        submit_with_comments(actor=actor, report=report, values={"notes": FUNDS_NOTES}, fell="本月支出减少，按计划执行")
        stamp(report, submitted_at=due - timedelta(days=rng.randint(1, 4), hours=rng.randint(1, 8)))
        sent += 1
    return sent


def build(*, out: Callable[[str], None] = print) -> None:
    form, funds = _form(CARE_WEEKLY), _form(FUNDS_MONTHLY)
    if form is None or funds is None or demo_campaign() is None:
        return
    if Report.objects.filter(form=form).exists():
        out(
            _("reports: the demo's weekly reports exist (%(count)s)")
            % {"count": Report.objects.filter(form=form).count()}
        )
        return
    rng = random.Random(2020)  # noqa: S311 - demo data, not secrets
    today = timezone.localdate()
    counts = _weekly(form, rng, today)
    sent = _funds(funds, rng, today)
    out(
        _(
            "reports: %(submitted)s weekly care reports submitted (%(late)s late), %(drafts)s drafts; "
            "%(funds)s funds reports of last month"
        )
        % {**counts, "funds": sent}
    )
