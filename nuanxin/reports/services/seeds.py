"""The standard report forms of the reporting chain of notice 001 and documents 002–004, created
once (by code) under the city's root:

- 关爱慰问情况周报 (``care-weekly``): weekly, due Monday 12:00 (0.5 day), from the unit unions and
  district federations: the care figures, the hotline calls and an entered number and a text;
- 专项资金使用月报 (``funds-monthly``): monthly, the funds received, allocated and spent by
  category;
- 志愿服务情况 (``volunteers-monthly``): monthly, the volunteers' figures and the online
  live-stream audience entered by hand;
- 疫情防控工作总结 (``epidemic-summary``): once, the key figures and a text;
- 三张表报送 (``tables-<campaign>``): the campaign's official tables 1–3 (source = tables), once,
  by the tables' deadline.

The labels are the Chinese of the documents: a form's field labels are data, not interface text.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from nuanxin.orgs.choices import OrgKind
from nuanxin.reports.choices import FieldKind, FormSource, PeriodType
from nuanxin.reports.models import ReportForm
from nuanxin.reports.services import forms as form_services

UNITS_AND_DISTRICTS = [OrgKind.UNIT_UNION, OrgKind.DISTRICT_FEDERATION]
ALL_LEVELS_BELOW = [OrgKind.UNIT_UNION, OrgKind.DISTRICT_FEDERATION, OrgKind.INDUSTRY_UNION]
TABLES_WEEKS = 4  # the tables are due four weeks after the campaign starts unless told otherwise


def _computed(key: str, label: str, metric: str) -> dict[str, Any]:
    return {"key": key, "label": label, "kind": FieldKind.COMPUTED, "metric": metric}


CARE_WEEKLY = [
    _computed("families", "应走访慰问家庭数", "families"),
    _computed("families_visited", "已按时走访慰问家庭数", "families_visited"),
    _computed("families_missed", "未按时走访家庭数", "families_missed"),
    _computed("visits", "走访慰问次数", "visits"),
    _computed("difficulties_opened", "新发现困难数", "difficulties_opened"),
    _computed("difficulties_solved", "已解决困难数", "difficulties_solved"),
    _computed("hotline_calls", "心理援助热线接听数", "hotline_calls"),
    {
        "key": "cadres",
        "label": "参与走访的工会干部人次",
        "kind": FieldKind.NUMBER,
        "required": True,
        "help_text": "本周参与走访慰问的工会干部人次",
    },
    {"key": "notes", "label": "工作情况及存在问题", "kind": FieldKind.TEXT, "required": True},
]

FUNDS_MONTHLY = [
    _computed("funds_received", "收到资金（含上级下拨）", "funds_received"),
    _computed("funds_allocated", "下拨下级资金", "funds_allocated"),
    _computed("funds_spent", "投入资金合计", "funds_spent"),
    _computed("spent_protective", "其中：防护物资", "funds_spent_protective"),
    _computed("spent_condolence", "其中：慰问金", "funds_spent_condolence"),
    _computed("spent_living", "其中：生活补助", "funds_spent_living"),
    _computed("spent_comfort", "其中：慰问物资", "funds_spent_comfort"),
    _computed("spent_recuperation", "其中：疗休养", "funds_spent_recuperation"),
    _computed("spent_mutual_aid", "其中：互助保障", "funds_spent_mutual_aid"),
    _computed("spent_volunteer", "其中：志愿服务", "funds_spent_volunteer"),
    _computed("spent_other", "其中：其他", "funds_spent_other"),
    {"key": "notes", "label": "资金使用说明", "kind": FieldKind.TEXT},
]

VOLUNTEERS_MONTHLY = [
    _computed("volunteer_teams", "志愿服务队数", "volunteer_teams"),
    _computed("volunteers", "志愿者人数", "volunteers"),
    _computed("volunteers_active", "活跃志愿者人数", "volunteers_active"),
    _computed("volunteer_hours", "志愿服务时长（小时）", "volunteer_hours"),
    _computed("people_served", "服务人次", "people_served"),
    {
        "key": "live_audience",
        "label": "线上直播观看人次",
        "kind": FieldKind.NUMBER,
        "required": True,
        "help_text": "线上直播、讲座的观看人次（平台数据）",
    },
    {"key": "notes", "label": "志愿服务亮点", "kind": FieldKind.TEXT},
]

EPIDEMIC_SUMMARY = [
    {"key": "summary", "label": "工作总结", "kind": FieldKind.TEXT, "required": True},
    _computed("families_visited", "已按时走访慰问家庭数", "families_visited"),
    _computed("difficulties_solved", "解决困难数", "difficulties_solved"),
    _computed("funds_spent", "投入资金", "funds_spent"),
    _computed("hotline_calls", "心理援助热线接听数", "hotline_calls"),
    _computed("volunteers", "志愿者人数", "volunteers"),
    _computed("volunteer_hours", "志愿服务时长（小时）", "volunteer_hours"),
    _computed("recuperation_places", "疗休养人数", "recuperation_places"),
    _computed("produce_parcels", "平价蔬菜包发放数", "produce_parcels"),
    _computed("nominations", "推荐表彰数", "nominations"),
    {"key": "experience", "label": "经验做法", "kind": FieldKind.TEXT},
]


def _ensure(actor: Any, root: Any, *, code: str, fields: list[dict[str, Any]] | None, **settings: Any) -> ReportForm:
    form = ReportForm.objects.filter(code=code).first()
    if form is not None:
        return form
    form = form_services.create_form(actor=actor, organisation=root, code=code, **settings)
    if fields:
        form = form_services.set_fields(actor=actor, form=form, fields=fields, version=form.version)
    return form


@transaction.atomic
def ensure_standard_forms(
    *, actor: Any, root: Any, campaign: Any = None, starts_on: date | None = None, tables_due_on: date | None = None
) -> list[ReportForm]:
    """The standard forms (created when missing, left as they are otherwise), in the order above.
    ``starts_on``: the first period (default: the campaign's start, else today); the tables'
    form only with a ``campaign`` (due ``tables_due_on``, default four weeks after its start)."""
    first = starts_on or (campaign.starts_on if campaign is not None else timezone.localdate())
    made = [
        _ensure(
            actor,
            root,
            code="care-weekly",
            fields=CARE_WEEKLY,
            name="关爱慰问情况周报",
            description="每周一中午12时前报送上周关爱慰问情况",
            campaign=campaign,
            period_type=PeriodType.WEEKLY,
            starts_on=first,
            deadline_days=Decimal("0.5"),
            obliged_kinds=UNITS_AND_DISTRICTS,
        ),
        _ensure(
            actor,
            root,
            code="funds-monthly",
            fields=FUNDS_MONTHLY,
            name="专项资金使用月报",
            description="每月5日前报送上月专项资金收支及使用情况",
            campaign=campaign,
            period_type=PeriodType.MONTHLY,
            starts_on=first,
            deadline_days=Decimal("5"),
            obliged_kinds=ALL_LEVELS_BELOW,
        ),
        _ensure(
            actor,
            root,
            code="volunteers-monthly",
            fields=VOLUNTEERS_MONTHLY,
            name="志愿服务情况",
            description="每月3日前报送上月工会志愿服务情况",
            campaign=campaign,
            period_type=PeriodType.MONTHLY,
            starts_on=first,
            deadline_days=Decimal("3"),
            obliged_kinds=ALL_LEVELS_BELOW,
        ),
        _ensure(
            actor,
            root,
            code="epidemic-summary",
            fields=EPIDEMIC_SUMMARY,
            name="疫情防控工作总结",
            description="疫情防控期间工会工作总结及主要数据",
            campaign=campaign,
            period_type=PeriodType.ONCE,
            starts_on=first,
            once_on=max(first, timezone.localdate()),
            deadline_days=Decimal("7"),
            obliged_kinds=[OrgKind.DISTRICT_FEDERATION, OrgKind.INDUSTRY_UNION],
        ),
    ]
    if campaign is not None:
        due = tables_due_on or campaign.starts_on + timedelta(weeks=TABLES_WEEKS)
        made.append(
            _ensure(
                actor,
                root,
                code=f"tables-{campaign.pk}",
                fields=None,
                name="三张表报送",
                description="各单位报送一线医务人员家庭信息表、走访慰问情况表、困难问题情况表（表1–3），导入即视为报送",
                source=FormSource.TABLES,
                campaign=campaign,
                period_type=PeriodType.ONCE,
                starts_on=min(campaign.starts_on, due),
                once_on=due,
                deadline_days=Decimal("0"),
                obliged_kinds=[OrgKind.UNIT_UNION],
            )
        )
    return made
