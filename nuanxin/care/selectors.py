"""Reads of the care work, for the pages, the API and the reminders. Every function that
takes a ``user`` applies the user's scope (``for_user``) itself, so a page can be thin.

Aggregates for admins and viewers (``week_overview``, ``completion_series``,
``difficulty_summary``) are one query each and show no personal detail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Substr
from django.utils import timezone

from nuanxin.care import weeks
from nuanxin.care.choices import DIFFICULTY_ACTIVE, DifficultyCategory, DutyStatus
from nuanxin.care.models import (
    Campaign,
    CareAssignment,
    Difficulty,
    DifficultyNote,
    UnassignedFamily,
    Visit,
    VisitDuty,
)
from nuanxin.orgs import scope
from nuanxin.orgs.choices import Role
from nuanxin.orgs.models import Organisation
from nuanxin.orgs.scope import STEPLEN
from nuanxin.registry.choices import WorkerStatus
from nuanxin.registry.models import FamilyMember, Worker

# --- campaigns ------------------------------------------------------------------------------


def current_campaign(today: date | None = None) -> Campaign | None:
    """The campaign the pages show by default: the most recently started running one, else
    the most recently started one."""
    today = today or timezone.localdate()
    return (
        Campaign.objects.running(today).order_by("-starts_on", "-pk").first()
        or Campaign.objects.filter(starts_on__lte=today).order_by("-starts_on", "-pk").first()
    )


def campaign_weeks(campaign: Campaign, today: date | None = None) -> list[date]:
    """The weeks of a campaign so far (start week to this week or the declared end)."""
    this_week = weeks.current_week(today)
    last = this_week if campaign.last_week is None else min(this_week, campaign.last_week)
    return weeks.weeks_between(campaign.starts_on, last) if campaign.start_week <= last else []


# --- a care contact's week ------------------------------------------------------------------


def _primary_family():
    return Prefetch(
        "worker__family",
        queryset=FamilyMember.objects.filter(is_primary=True).order_by("id"),
        to_attr="primary_family",
    )


def _last_visit_on():
    return Subquery(Visit.objects.filter(worker=OuterRef("worker_id")).order_by("-on", "-id").values("on")[:1])


def my_week(user, week: date | None = None, campaign: Campaign | None = None):
    """The duties of ``week`` (default this week) of the families assigned to ``user`` now:
    due first, then missed, excused and done, by name. Each row has ``worker`` (with
    ``organisation``), ``worker.primary_family`` (a list of at most one FamilyMember),
    ``visit`` (the visit that fulfilled it) and ``last_visit_on`` (the family's latest visit
    date, any week). A few queries, whatever the number of families."""
    week = weeks.monday(week) if week else weeks.current_week()
    assigned = CareAssignment.objects.current().filter(contact=user, worker=OuterRef("worker_id"))
    assigned = assigned.filter(campaign=OuterRef("campaign_id"))
    qs = (
        VisitDuty.objects.for_user(user)
        .filter(week=week)
        .filter(Exists(assigned))
        .select_related("worker__organisation", "visit", "campaign")
        .prefetch_related(_primary_family())
        .annotate(
            last_visit_on=_last_visit_on(),
            status_order=Case(
                When(status=DutyStatus.DUE, then=Value(0)),
                When(status=DutyStatus.MISSED, then=Value(1)),
                When(status=DutyStatus.EXCUSED, then=Value(2)),
                default=Value(3),
                output_field=IntegerField(),
            ),
        )
        .order_by("status_order", "worker__name_pinyin", "worker_id")
    )
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs


def my_families(user, campaign: Campaign | None = None):
    """The workers whose families are assigned to ``user`` now, with ``primary_family``
    prefetched and ``last_visit_on`` annotated, by name."""
    assignments = CareAssignment.objects.current().filter(contact=user)
    if campaign is not None:
        assignments = assignments.filter(campaign=campaign)
    return (
        Worker.objects.for_user(user)
        .filter(pk__in=assignments.values("worker_id"))
        .select_related("organisation")
        .prefetch_related(
            Prefetch("family", queryset=FamilyMember.objects.filter(is_primary=True), to_attr="primary_family")
        )
        .annotate(
            last_visit_on=Subquery(Visit.objects.filter(worker=OuterRef("pk")).order_by("-on", "-id").values("on")[:1])
        )
        .order_by("name_pinyin", "pk")
    )


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


def week_overview(
    user, org: Organisation, week: date | None = None, campaign: Campaign | None = None, *, by: str = "unit"
) -> Overview:
    """This week's duties in ``org``'s subtree, counted by status per unit (``by="unit"``,
    the organisation that owed the visit) or per child organisation of ``org``
    (``by="child"``, e.g. per district for the city). One aggregate query, read from the
    (campaign, week, organisation, status) index; ``for_user(user, "report")`` keeps it
    inside the user's scope (admins and viewers; a care contact sees only their families)."""
    week = weeks.monday(week) if week else weeks.current_week()
    qs = _report_duties(user, org, campaign).filter(week=week)
    rows: list[DutyCounts] = []
    if by == "child":
        prefix_len = len(org.path) + STEPLEN
        data = (
            qs.annotate(prefix=Substr("organisation__path", 1, prefix_len))
            .values("prefix")
            .annotate(**_COUNTS)
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
                    **{k: r[k] for k in _COUNTS},
                )
            )
    else:
        data = (
            qs.values("organisation_id", "organisation__code", "organisation__name")
            .annotate(**_COUNTS)
            .order_by("organisation__code")
        )
        rows = [
            DutyCounts(
                r["organisation_id"], r["organisation__code"], r["organisation__name"], **{k: r[k] for k in _COUNTS}
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
    "percent": [int|None, ...]}, ...]}``. One aggregate query over the campaign's duties."""
    week_list = campaign_weeks(campaign, today)
    prefix_len = len(org.path) + STEPLEN
    data = (
        _report_duties(user, org, campaign)
        .filter(week__in=week_list)
        .annotate(prefix=Substr("organisation__path", 1, prefix_len))
        .values("prefix", "week")
        .annotate(
            done=Count("pk", filter=Q(status=DutyStatus.DONE)),
            owed=Count("pk", filter=~Q(status=DutyStatus.EXCUSED)),
        )
        .order_by("prefix", "week")
    )
    index = {w: i for i, w in enumerate(week_list)}
    by_prefix: dict[str, dict] = {}
    for r in data:
        entry = by_prefix.setdefault(r["prefix"], {"done": [0] * len(week_list), "owed": [0] * len(week_list)})
        entry["done"][index[r["week"]]] = r["done"]
        entry["owed"][index[r["week"]]] = r["owed"]
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
    return {"weeks": [weeks.label(w) for w in week_list], "series": series}


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
    be assigned its families), by name."""
    from nuanxin.accounts.models import User
    from nuanxin.orgs.models import Grant

    ancestors = [organisation.path[:i] for i in range(STEPLEN, len(organisation.path) + 1, STEPLEN)]
    grants = (
        Grant.objects.active()
        .filter(role=Role.CARE_CONTACT)
        .filter(Q(organisation__path__in=ancestors) | Q(group__members__path__in=ancestors))
    )
    return User.objects.filter(is_active=True, grants__in=grants).distinct().order_by("full_name", "username")


def _name_key(value: str) -> str:
    return "".join((value or "").split()).lower()


def suggest_contacts(campaign: Campaign, workers: list[Worker]) -> list[tuple[Worker, list]]:
    """For each worker, the care contacts whose full name (or username) matches the imported
    工会联系人 name and who may look after the family: ``[(worker, [user, ...]), ...]``."""
    result = []
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


# --- difficulties ---------------------------------------------------------------------------


def difficulties(
    user,
    org: Organisation | None = None,
    *,
    status: str | None = None,
    category: str | None = None,
    overdue: bool | None = None,
    worker: Worker | None = None,
):
    """Difficulties in the user's scope, optionally in ``org``'s subtree, by status (or
    ``"active"`` for open and in progress), category, overdue; oldest due first."""
    qs = Difficulty.objects.for_user(user).select_related("worker__organisation", "owner")
    if org is not None:
        qs = qs.filter(worker__organisation__path__startswith=org.path)
    if status == "active":
        qs = qs.filter(status__in=DIFFICULTY_ACTIVE)
    elif status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if worker is not None:
        qs = qs.filter(worker=worker)
    if overdue:
        qs = qs.filter(status__in=DIFFICULTY_ACTIVE, due_on__lt=timezone.localdate())
    return qs.order_by(F("due_on").asc(nulls_last=True), "pk")


AGE_BUCKETS = (("0-7", 0, 7), ("8-30", 8, 30), ("31+", 31, None))


def difficulty_summary(user, org: Organisation, today: date | None = None) -> dict:
    """Open and in-progress difficulties in ``org``'s subtree by category and age (days
    since opened: 0–7, 8–30, 31+), plus how many are overdue. One aggregate query:
    ``{"buckets": [...], "rows": [{"category", "label", "0-7", "8-30", "31+", "total",
    "overdue"}], "total": n, "overdue": n}``."""
    today = today or timezone.localdate()
    qs = Difficulty.objects.for_user(user, "report").filter(
        organisation__path__startswith=org.path, status__in=DIFFICULTY_ACTIVE
    )
    aggregates = {}
    for key, low, high in AGE_BUCKETS:
        cond = Q(created_at__lt=weeks.start_of(today - timedelta(days=low - 1))) if low else Q()
        if high is not None:
            cond &= Q(created_at__gte=weeks.start_of(today - timedelta(days=high)))
        aggregates[key] = Count("pk", filter=cond) if cond else Count("pk")
    aggregates["overdue"] = Count("pk", filter=Q(due_on__lt=today))
    data = {r["category"]: r for r in qs.values("category").annotate(**aggregates).order_by("category")}
    rows = []
    for category in DifficultyCategory:
        r = data.get(category.value)
        if r is None:
            continue
        row = {"category": category.value, "label": str(category.label), "overdue": r["overdue"]}
        row.update({key: r[key] for key, _low, _high in AGE_BUCKETS})
        row["total"] = sum(r[key] for key, _low, _high in AGE_BUCKETS)
        rows.append(row)
    return {
        "buckets": [key for key, _low, _high in AGE_BUCKETS],
        "rows": rows,
        "total": sum(r["total"] for r in rows),
        "overdue": sum(r["overdue"] for r in rows),
    }


def difficulty_timeline(user, difficulty: Difficulty):
    """The notes of a difficulty, oldest first (the difficulty must be in the user's scope)."""
    return DifficultyNote.objects.for_user(user).filter(difficulty=difficulty).select_related("author")


# --- a family's timeline --------------------------------------------------------------------


@dataclass
class TimelineEntry:
    at: object  # a date or an aware datetime
    kind: str  # visit, duty, difficulty, note, assignment
    obj: object


def family_timeline(user, worker: Worker, campaign: Campaign | None = None) -> list[TimelineEntry]:
    """Everything about a family's care, newest first: visits (with items), missed and
    excused weeks, difficulties and their notes, care-contact changes. ``worker`` must come
    from ``Worker.objects.for_user(user)``; the parts are read through ``for_user`` too."""
    if not Worker.objects.for_user(user).filter(pk=worker.pk).exists():
        return []
    visits = Visit.objects.for_user(user).filter(worker=worker).prefetch_related("items").select_related("recorded_by")
    duties = VisitDuty.objects.for_user(user).filter(worker=worker, status__in=[DutyStatus.MISSED, DutyStatus.EXCUSED])
    diffs = Difficulty.objects.for_user(user).filter(worker=worker).select_related("owner", "worker__organisation")
    notes = (
        DifficultyNote.objects.for_user(user)
        .filter(difficulty__worker=worker)
        .exclude(kind="opened")
        .select_related("author", "difficulty__worker__organisation")
    )
    assignments = CareAssignment.objects.filter(worker=worker).select_related("contact")
    if campaign is not None:
        visits = visits.filter(Q(campaign=campaign) | Q(campaign__isnull=True))
        duties = duties.filter(campaign=campaign)
        assignments = assignments.filter(campaign=campaign)
    if not scope.has_role(user, {Role.CITY_ADMIN, Role.ORG_ADMIN}):
        assignments = assignments.filter(contact=user)
    entries = [TimelineEntry(v.on, "visit", v) for v in visits]
    entries += [TimelineEntry(weeks.sunday(d.week), "duty", d) for d in duties]
    entries += [TimelineEntry(timezone.localtime(d.created_at).date(), "difficulty", d) for d in diffs]
    entries += [TimelineEntry(timezone.localtime(n.at).date(), "note", n) for n in notes]
    entries += [TimelineEntry(timezone.localtime(a.started_at).date(), "assignment", a) for a in assignments]
    order = {"visit": 0, "difficulty": 1, "note": 2, "duty": 3, "assignment": 4}
    entries.sort(key=lambda e: (e.at, -order[e.kind]), reverse=True)
    return entries


# --- duties on a past day (the API's as_of) -------------------------------------------------


def with_status_as_of(qs, day: date):
    """Annotate ``status_as_of``: the duty's status as it stood at the end of ``day``, from
    the timestamps of each state (a duty marked missed on Monday was due on the Sunday
    before; one whose visit was logged late was missed until then). Duties of weeks that
    had not begun by ``day`` are left out."""
    t = weeks.end_of(day)
    done = (
        Q(done_at__lt=t)
        & (Q(excused_at__isnull=True) | Q(excused_at__gte=t) | Q(excused_at__lte=F("done_at")))
        & (Q(missed_at__isnull=True) | Q(missed_at__gte=t) | Q(missed_at__lte=F("done_at")))
    )
    excused = (
        Q(excused_at__lt=t)
        & (Q(missed_at__isnull=True) | Q(missed_at__gte=t) | Q(missed_at__lte=F("excused_at")))
        & (Q(done_at__isnull=True) | Q(done_at__gte=t) | Q(done_at__lte=F("excused_at")))
    )
    return qs.filter(week__lte=day).annotate(
        status_as_of=Case(
            When(done, then=Value(DutyStatus.DONE.value)),
            When(excused, then=Value(DutyStatus.EXCUSED.value)),
            When(missed_at__lt=t, then=Value(DutyStatus.MISSED.value)),
            default=Value(DutyStatus.DUE.value),
            output_field=CharField(),
        )
    )


def duties(
    user,
    *,
    org: Organisation | None = None,
    week: date | None = None,
    status: str | None = None,
    as_of: date | None = None,
    campaign: Campaign | None = None,
    worker: Worker | None = None,
):
    """Duties in the user's scope, filtered; with ``as_of`` the status is the one on that
    day (annotated ``status_as_of`` and filtered on it). Ordered by week, unit, name."""
    qs = VisitDuty.objects.for_user(user).select_related("worker", "organisation", "campaign")
    if org is not None:
        qs = qs.filter(organisation__path__startswith=org.path)
    if week is not None:
        qs = qs.filter(week=weeks.monday(week))
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    if worker is not None:
        qs = qs.filter(worker=worker)
    if as_of is not None:
        qs = with_status_as_of(qs, as_of)
        if status:
            qs = qs.filter(status_as_of=status)
    elif status:
        qs = qs.filter(status=status)
    return qs.order_by("-week", "organisation__path", "worker__name_pinyin", "pk")


def latest_week_with_duties(campaign: Campaign) -> date | None:
    return VisitDuty.objects.filter(campaign=campaign).aggregate(m=Max("week"))["m"]
