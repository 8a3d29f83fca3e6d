"""Admins' and viewers' overview: completion by unit and week (aggregates only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import (
    Aggregate,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    Sum,
)
from django.db.models.functions import Substr
from django.utils import timezone

from nuanxin.care import weeks
from nuanxin.care.choices import DutyStatus
from nuanxin.care.models import (
    Campaign,
    CareAssignment,
    UnassignedFamily,
    VisitDuty,
    WeekTotal,
)
from nuanxin.care.selectors.campaigns import campaign_weeks
from nuanxin.core.policy import is_system
from nuanxin.orgs.models import Organisation
from nuanxin.orgs.scope import STEPLEN
from nuanxin.registry.choices import WorkerStatus
from nuanxin.registry.models import Worker

# --- admins' overview -----------------------------------------------------------------------


@dataclass
class DutyCounts:
    """Duty counts of one organisation (or of a whole subtree) in one week."""

    organisation_id: int | None
    code: str
    name: str
    due: int = 0
    done: int = 0
    missed: int = 0
    excused: int = 0

    @property
    def total(self) -> int:
        return self.due + self.done + self.missed + self.excused

    @property
    def owed(self) -> int:
        """Visits owed: excused weeks do not count."""
        return self.due + self.done + self.missed

    @property
    def completion(self) -> float | None:
        """Share of owed visits made, 0–1 (None when nothing was owed)."""
        return self.done / self.owed if self.owed else None

    @property
    def completion_percent(self) -> int | None:
        return None if self.completion is None else round(self.completion * 100)


@dataclass
class Overview:
    week: date
    organisation: Organisation
    rows: list[DutyCounts] = field(default_factory=list)
    total: DutyCounts | None = None

    @property
    def week_label(self) -> str:
        return weeks.label(self.week)


# Counted on status (never null) rather than the key: care_duty_overview_idx holds it, so the
# counts are read from the index alone (an index-only scan) instead of visiting every row.
_COUNTS = {
    "due": Count("status", filter=Q(status=DutyStatus.DUE)),
    "done": Count("status", filter=Q(status=DutyStatus.DONE)),
    "missed": Count("status", filter=Q(status=DutyStatus.MISSED)),
    "excused": Count("status", filter=Q(status=DutyStatus.EXCUSED)),
}


def _report_duties(user, org: Organisation, campaign: Campaign | None):
    qs = VisitDuty.objects.for_user(user, "report").filter(organisation__path__startswith=org.path)
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs


def _report_totals(user, org: Organisation, campaign: Campaign | None):
    """The ``WeekTotal`` rows of ``org``'s subtree inside ``user``'s scope for the duties'
    "report" action: the same duties ``_report_duties`` reads, since that scope is a set of
    organisation subtrees and a total is one organisation's. ``None`` when the user reaches
    some duties only through a relation (a role narrowed to its own families counts rows, not
    organisations): then the duties are counted."""
    policy = VisitDuty.policy
    qs = WeekTotal.objects.filter(organisation__path__startswith=org.path)
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    if is_system(user):
        return qs
    if policy.roles("report") & set(policy.related):
        return None
    reach = policy.reach_q(user, "report", "organisation__path")
    return qs.none() if reach is None else qs.filter(reach)


# The four counts of a group of totals, and the condition that the group holds a duty at all
# (a total whose duties were all withdrawn stays as a row of zeros).
# (named apart from the totals' own columns, which an annotation may not shadow)
_SUMS: dict[str, Aggregate] = {f"n_{key}": Sum(key) for key in _COUNTS}
_AS_COUNTS: dict[str, Aggregate] = {f"n_{key}": value for key, value in _COUNTS.items()}
_ANY = Q(n__gt=0)
_N = Sum(F("due") + F("done") + F("missed") + F("excused"))


def week_overview(
    user, org: Organisation, week: date | None = None, campaign: Campaign | None = None, *, by: str = "unit"
) -> Overview:
    """This week's duties in ``org``'s subtree, counted by status per unit (``by="unit"``,
    the organisation that owed the visit) or per child organisation of ``org``
    (``by="child"``, e.g. per district for the city). One aggregate query over the weekly
    totals (``care.WeekTotal``: one row per unit, whatever its number of families), inside the
    user's scope for "report" (admins and viewers); counted from the duties, on the
    (campaign, week, organisation, status) index, for a scope the totals cannot follow."""
    week = weeks.monday(week) if week else weeks.current_week()
    totals = _report_totals(user, org, campaign)
    having: dict[str, Aggregate]
    if totals is not None:
        qs, counts, having = totals.filter(week=week), _SUMS, {"n": _N}
    else:
        qs, counts = _report_duties(user, org, campaign).filter(week=week), _AS_COUNTS
        having = {"n": Count("status")}
    rows: list[DutyCounts] = []
    if by == "child":
        prefix_len = len(org.path) + STEPLEN
        data = (
            qs.annotate(prefix=Substr("organisation__path", 1, prefix_len))
            .values("prefix")
            .annotate(**counts, **having)
            .filter(_ANY)
            .order_by("prefix")
        )
        data = list(data)
        names = {
            o.path: o
            for o in Organisation.objects.filter(path__in=[r["prefix"] for r in data if len(r["prefix"]) == prefix_len])
        }
        for r in data:
            target = names.get(r["prefix"], org)
            rows.append(
                DutyCounts(
                    target.pk,
                    target.code,
                    target.name,
                    **{k: r[f"n_{k}"] for k in _COUNTS},
                )
            )
    else:
        data = (
            qs.values("organisation_id", "organisation__code", "organisation__name")
            .annotate(**counts, **having)
            .filter(_ANY)
            .order_by("organisation__code")
        )
        rows = [
            DutyCounts(
                r["organisation_id"],
                r["organisation__code"],
                r["organisation__name"],
                **{k: r[f"n_{k}"] for k in _COUNTS},
            )
            for r in data
        ]
    total = DutyCounts(org.pk, org.code, org.name)
    for row in rows:
        for key in _COUNTS:
            setattr(total, key, getattr(total, key) + getattr(row, key))
    return Overview(week=week, organisation=org, rows=rows, total=total)


def completion_series(user, org: Organisation, campaign: Campaign, today: date | None = None) -> dict:
    """Weekly completion over the campaign per child organisation of ``org`` (the chart):
    ``{"weeks": ["2020-W05", ...], "series": [{"code", "name", "done": [...], "owed": [...],
    "percent": [int|None, ...]}, ...], "current": int|None, "days_so_far": int}``. One
    aggregate query over the campaign's weekly totals (``care.WeekTotal``; the duties for a
    scope the totals cannot follow). ``current`` is the index of this week when it
    is among the weeks: unfinished (``days_so_far`` of its 7 days have begun), its figure is
    a share of a week still going on, not a final one — the chart draws it so."""
    week_list = campaign_weeks(campaign, today)
    this_week = weeks.current_week(today)
    prefix_len = len(org.path) + STEPLEN
    totals = _report_totals(user, org, campaign)
    figures: dict[str, Aggregate]
    if totals is not None:
        qs = totals
        figures = {"n_done": Sum("done"), "n_owed": Sum(F("due") + F("done") + F("missed")), "n": _N}
    else:
        qs = _report_duties(user, org, campaign)
        figures = {
            "n_done": Count("pk", filter=Q(status=DutyStatus.DONE)),
            "n_owed": Count("pk", filter=~Q(status=DutyStatus.EXCUSED)),
            "n": Count("pk"),
        }
    data = (
        qs.filter(week__in=week_list)
        .annotate(prefix=Substr("organisation__path", 1, prefix_len))
        .values("prefix", "week")
        .annotate(**figures)
        .filter(_ANY)
        .order_by("prefix", "week")
    )
    index = {w: i for i, w in enumerate(week_list)}
    by_prefix: dict[str, dict] = {}
    for r in data:
        entry = by_prefix.setdefault(r["prefix"], {"done": [0] * len(week_list), "owed": [0] * len(week_list)})
        entry["done"][index[r["week"]]] = r["n_done"]
        entry["owed"][index[r["week"]]] = r["n_owed"]
    orgs = {o.path: o for o in Organisation.objects.filter(path__in=list(by_prefix))}
    series = []
    for prefix, entry in sorted(by_prefix.items()):
        target = orgs.get(prefix, org)
        series.append(
            {
                "code": target.code,
                "name": target.name,
                "done": entry["done"],
                "owed": entry["owed"],
                "percent": [
                    round(d * 100 / o) if o else None for d, o in zip(entry["done"], entry["owed"], strict=True)
                ],
            }
        )
    current = index.get(this_week)
    days_so_far = ((today or timezone.localdate()) - this_week).days + 1
    return {"weeks": [weeks.label(w) for w in week_list], "series": series, "current": current,
            "days_so_far": days_so_far}


def missed_duties(user, org: Organisation, week: date | None = None, campaign: Campaign | None = None):
    """Missed duties in ``org``'s subtree (one week, or all weeks when ``week`` is None),
    newest week first, with the worker, the unit and the current care contact's assignment
    prefetched as ``current_assignments``."""
    qs = VisitDuty.objects.for_user(user).filter(organisation__path__startswith=org.path, status=DutyStatus.MISSED)
    if week is not None:
        qs = qs.filter(week=weeks.monday(week))
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return (
        qs.select_related("worker", "organisation", "campaign")
        .prefetch_related(
            Prefetch(
                "worker__care_assignments",
                queryset=CareAssignment.objects.current().select_related("contact"),
                to_attr="current_assignments",
            )
        )
        .order_by("-week", "organisation__code", "worker__name_pinyin", "pk")
    )


def without_contact(qs, campaign: Campaign):
    """The rule of an unassigned family, on a worker queryset: a team the campaign visits,
    still in the register, no current assignment in the campaign. The one place it is
    written (``services.sync_unassigned`` keeps the rows by it, the readers apply it again)."""
    current = CareAssignment.objects.current().filter(campaign=campaign, worker=OuterRef("pk"))
    return (
        qs.filter(team__in=campaign.visited_teams()).exclude(status=WorkerStatus.ARCHIVED).exclude(Exists(current))
    )


def unassigned(qs, campaign: Campaign, org: Organisation | None = None):
    """The workers of ``qs`` whose family has no contact in ``campaign`` (in ``org``'s
    subtree): read from the ``UnassignedFamily`` rows, so that the lists cost what they show,
    and checked against the rule again, so that a row left behind never shows a family that
    has a contact."""
    rows = UnassignedFamily.objects.filter(campaign=campaign)
    if org is not None:
        rows = rows.filter(organisation__path__startswith=org.path)
        qs = qs.filter(organisation__path__startswith=org.path)
    return without_contact(qs.filter(pk__in=rows.values("worker_id")), campaign)


def unassigned_families(user, org: Organisation, campaign: Campaign):
    """Families in ``org``'s subtree that the campaign visits (their team has a cadence)
    but that have no care contact now. Admins only (care contacts get nothing)."""
    return (
        unassigned(Worker.objects.for_user(user, "change"), campaign, org)
        .select_related("organisation")
        .order_by("organisation__path", "name_pinyin", "pk")
    )


def contacts_for(organisation: Organisation):
    """Active users holding the care-contact role on ``organisation`` or above it (who may
    be assigned its families: the assignment policy's holders of "contact"), by name."""
    return CareAssignment.policy.holders("contact", organisation).order_by("full_name", "username")


def _name_key(value: str) -> str:
    return "".join((value or "").split()).lower()


def suggest_contacts(campaign: Campaign, workers: list[Worker]) -> list[tuple[Worker, list]]:
    """For each worker, the care contacts whose full name (or username) matches the imported
    工会联系人 name and who may look after the family: ``[(worker, [user, ...]), ...]``."""
    result: list[tuple[Worker, list]] = []
    cache: dict[int, dict[str, list]] = {}
    for worker in workers:
        hint = _name_key(worker.contact_name_hint)
        if not hint:
            result.append((worker, []))
            continue
        if worker.organisation_id not in cache:
            names: dict[str, list] = {}
            for user in contacts_for(worker.organisation):
                for key in {_name_key(user.full_name), _name_key(user.username)} - {""}:
                    names.setdefault(key, []).append(user)
            cache[worker.organisation_id] = names
        result.append((worker, cache[worker.organisation_id].get(hint, [])))
    return result


