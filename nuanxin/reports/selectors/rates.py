"""Reporting rates (DHIS2's completeness and timeliness): for a form and a period, per child of
an organisation (each rolled up over its subtree) and the organisation itself, how many reports
were expected, submitted, submitted on time, approved and are missing; and the missing
organisations with their contacts (the administrators holding a grant on them, who fill their
report).

A form of the official tables (``FormSource.TABLES``) counts an applied import of the
organisation's tables within the period (``registry.selectors.tables_sent``) as sent; such a
report is never approved.

A fixed number of queries whatever the size of the tree (20,000 organisations): the obliged
organisations, the reports (or the imports), the children, the parents of the missing and their
grants, each one query; the roll-up is done here by path prefix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.orgs import scope
from nuanxin.orgs.models import Grant, Organisation
from nuanxin.registry.selectors import tables_sent
from nuanxin.reports.choices import FormSource, ReportStatus
from nuanxin.reports.models import Report, ReportForm
from nuanxin.reports.services import obligations, periods

SENT = frozenset({ReportStatus.SUBMITTED, ReportStatus.APPROVED})
MAX_MISSING_SHOWN = 500  # the page lists this many of the missing; the xlsx lists them all


@dataclass
class Counts:
    expected: int = 0
    submitted: int = 0
    on_time: int = 0
    approved: int = 0

    @property
    def missing(self) -> int:
        return self.expected - self.submitted

    @property
    def late(self) -> int:
        return self.submitted - self.on_time

    def rate(self, part: int) -> int | None:
        return round(100 * part / self.expected) if self.expected else None

    @property
    def submitted_rate(self) -> int | None:
        return self.rate(self.submitted)

    @property
    def on_time_rate(self) -> int | None:
        return self.rate(self.on_time)

    @property
    def approved_rate(self) -> int | None:
        return self.rate(self.approved)

    def add(self, state: State) -> None:
        self.expected += 1
        self.submitted += state.submitted
        self.on_time += state.on_time
        self.approved += state.approved

    def as_dict(self) -> dict[str, int]:
        return {
            "expected": self.expected,
            "submitted": self.submitted,
            "on_time": self.on_time,
            "approved": self.approved,
            "missing": self.missing,
        }


@dataclass(frozen=True)
class State:
    """One obliged organisation's report of the period: its status ("" = none opened; for the
    tables "sent" or ""), and whether it counts as submitted, on time, approved."""

    status: str = ""
    submitted_at: datetime | None = None
    submitted: bool = False
    on_time: bool = False
    approved: bool = False


@dataclass
class Row:
    organisation: Organisation
    own: bool  # the organisation's own report (not a child's subtree)
    counts: Counts


@dataclass
class Missing:
    organisation: Organisation
    parent: Organisation | None
    status: str  # "" (not opened), "draft" or "returned"
    contacts: list[Any] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return status_label(self.status)


def status_label(status: str) -> str:
    if status == "sent":
        return _("Tables sent")
    if not status:
        return _("Not opened")
    return str(dict(ReportStatus.choices).get(status, status))


@dataclass
class RatesTable:
    form: ReportForm
    organisation: Organisation
    period_start: date
    period_end: date
    due_at: datetime
    rows: list[Row]
    total: Counts
    missing: list[Missing]
    missing_count: int

    @property
    def is_tables(self) -> bool:
        return self.form.source == FormSource.TABLES

    @property
    def overdue(self) -> bool:
        return timezone.now() > self.due_at


def local_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# --- who may see what -----------------------------------------------------------------------------


def visible_forms(user: Any):
    """The forms a holder of a reports role reads: those of an organisation above or below one
    their grants cover (a city form is read by the districts and units that report on it)."""
    paths = scope.scope_paths(user, Report.policy.roles("view"))
    if not paths:
        return ReportForm.objects.none()
    above = {a for p in paths for a in scope.ancestor_paths(p)}
    q = scope.scope_q(user, Report.policy.roles("view"), "organisation__path")
    assert q is not None
    return (
        ReportForm.objects.filter(q | Q(organisation__path__in=sorted(above)))
        .select_related("organisation")
        .order_by("name", "id")
    )


def organisation_for(user: Any, org_id: Any = None) -> Organisation:
    """The organisation of a rates page: ``org_id`` when the user's grants for reading reports
    cover it (else 404, as a missing one), or by default the one their grants cover."""
    roles = Report.policy.roles("view")
    if org_id not in (None, ""):
        try:
            pk = int(org_id)
        except (TypeError, ValueError):
            raise Http404 from None
        org = Organisation.objects.filter(pk=pk).first()
        if org is None or not scope.covers(user, roles, org):
            raise Http404
        return org
    org = scope.common_root(user, roles)
    if org is not None and scope.covers(user, roles, org):
        return org
    paths = scope.scope_paths(user, roles)
    org = Organisation.objects.filter(path=paths[0]).first() if paths else None
    if org is None:
        raise Http404
    return org


def form_for(user: Any, form_id: Any) -> ReportForm:
    try:
        pk = int(form_id)
    except (TypeError, ValueError):
        raise Http404 from None
    form = visible_forms(user).filter(pk=pk).first()
    if form is None:
        raise Http404
    return form


def default_period(form: ReportForm, today: date | None = None) -> tuple[date, date]:
    """The latest period that is over (its last day before today), else the current one."""
    today = today or timezone.localdate()
    found = periods.periods(form, until=today)
    for start, end in found:
        if end < today:
            return start, end
    if found:
        return found[0]
    return periods.period_of(form, form.starts_on)


# --- the states ---------------------------------------------------------------------------------


def states(form: ReportForm, start: date, end: date, under: str, due: datetime) -> dict[int, State]:
    """Organisation id -> the state of its report of the period, for the organisations whose
    path starts with ``under`` that have one (one query)."""
    if form.source == FormSource.TABLES:
        sent: dict[int, datetime] = tables_sent(under, local_start(start))
        return {
            org_id: State(status="sent", submitted_at=at, submitted=True, on_time=at <= due)
            for org_id, at in sent.items()
        }
    rows = Report.objects.filter(form=form, period_start=start, organisation__path__startswith=under).values_list(
        "organisation_id", "status", "submitted_at"
    )
    result: dict[int, State] = {}
    for org_id, status, submitted_at in rows:
        is_sent = status in SENT
        result[org_id] = State(
            status=status,
            submitted_at=submitted_at,
            submitted=is_sent,
            on_time=is_sent and submitted_at is not None and submitted_at <= due,
            approved=status == ReportStatus.APPROVED,
        )
    return result


def obliged_under(form: ReportForm, organisation: Organisation) -> list[Organisation]:
    """The obliged organisations in ``organisation``'s subtree, in tree order (one query)."""
    return list(
        obligations.obliged(form)
        .filter(path__startswith=organisation.path)
        .only("pk", "path", "depth", "name", "code", "kind")
        .order_by("path")
    )


def contacts(organisations: list[Organisation], under: str) -> dict[int, list[Any]]:
    """Organisation id -> the active users holding a grant on it (not above it) for filling its
    reports, by name: who to call about a missing report (one query, on those organisations'
    grants only: a city's tree holds tens of thousands)."""
    wanted = {o.pk for o in organisations if o.path.startswith(under)}
    if not wanted:
        return {}
    grants = (
        Grant.objects.active()
        .filter(
            role__in=Report.policy.roles("fill"),
            user__is_active=True,
            organisation_id__in=sorted(wanted),
        )
        .select_related("user")
        .order_by("user__full_name", "user__username", "pk")
    )
    result: dict[int, list[Any]] = {}
    for grant in grants:
        if grant.organisation_id in wanted:
            users = result.setdefault(grant.organisation_id, [])
            if grant.user not in users:
                users.append(grant.user)
    return result


def rates(
    user: Any,
    form: ReportForm,
    period_start: date,
    *,
    organisation: Organisation | None = None,
    with_contacts: bool = True,
    all_missing: bool = False,
) -> RatesTable:
    """The rates of ``form``'s period containing ``period_start`` under ``organisation`` (by
    default the one the user's grants cover): a row for the organisation's own report when it is
    obliged, then one per child whose subtree holds an obliged organisation; the total; and the
    missing (at most ``MAX_MISSING_SHOWN`` unless ``all_missing``), with contacts when asked."""
    org = organisation or organisation_for(user)
    start, end = periods.period_of(form, period_start)
    due = periods.due_at(form, start, end)
    # The obliged as (id, path): a city's 20,000 organisations are counted, not shown; only the
    # missing shown are read whole (below).
    obliged = list(
        obligations.obliged(form).filter(path__startswith=org.path).order_by("path").values_list("pk", "path")
    )
    state_of = states(form, start, end, org.path, due)
    children = {
        c.path: c
        for c in Organisation.objects.filter(path__startswith=org.path, depth=org.depth + 1).only(
            "pk", "path", "depth", "name", "code", "kind"
        )
    }
    step = len(org.path) + scope.STEPLEN
    own = Counts()
    per_child: dict[str, Counts] = {}
    total = Counts()
    missing_ids: list[tuple[int, State]] = []
    for pk, path in obliged:
        state = state_of.get(pk, State())
        total.add(state)
        if path == org.path:
            own.add(state)
        else:
            per_child.setdefault(path[:step], Counts()).add(state)
        if not state.submitted:
            missing_ids.append((pk, state))
    rows: list[Row] = []
    if own.expected:
        rows.append(Row(organisation=org, own=True, counts=own))
    rows.extend(
        Row(organisation=children[path], own=False, counts=per_child[path])
        for path in sorted(per_child)
        if path in children
    )
    shown_ids = missing_ids if all_missing else missing_ids[:MAX_MISSING_SHOWN]
    whole = Organisation.objects.only("pk", "path", "depth", "name", "code", "kind").in_bulk(
        [pk for pk, _s in shown_ids]
    )
    shown = [(whole[pk], state) for pk, state in shown_ids]
    parent_paths = {o.path[: -scope.STEPLEN] for o, _s in shown if len(o.path) > scope.STEPLEN}
    parents = (
        {
            p.path: p
            for p in Organisation.objects.filter(path__in=sorted(parent_paths)).only("pk", "path", "name", "code")
        }
        if parent_paths
        else {}
    )
    found = contacts([o for o, _s in shown], org.path) if with_contacts else {}
    missing = [
        Missing(
            organisation=o,
            parent=parents.get(o.path[: -scope.STEPLEN]),
            status=state.status,
            contacts=found.get(o.pk, []),
        )
        for o, state in shown
    ]
    return RatesTable(
        form=form,
        organisation=org,
        period_start=start,
        period_end=end,
        due_at=due,
        rows=rows,
        total=total,
        missing=missing,
        missing_count=len(missing_ids),
    )


def reachable_parent(user: Any, organisation: Organisation) -> Organisation | None:
    """The organisation above ``organisation`` when the user reads its reports too (a page's
    "up" link), else None."""
    if len(organisation.path) <= scope.STEPLEN:
        return None
    parent = Organisation.objects.filter(path=organisation.path[: -scope.STEPLEN]).first()
    if parent is None or not scope.covers(user, Report.policy.roles("view"), parent):
        return None
    return parent


def reachable_children(user: Any, organisation: Organisation) -> list[Organisation]:
    return [
        c
        for c in Organisation.objects.filter(path__startswith=organisation.path, depth=organisation.depth + 1)
        .only("pk", "path", "depth", "name", "code")
        .order_by("path")
        if scope.covers(user, Report.policy.roles("view"), c)
    ]


def may_see_contacts(user: Any, organisation: Organisation) -> bool:
    """Contacts (names, mobiles) for those who review the organisation's reports; a viewer or
    an auditor sees counts and organisations only."""
    return Report.policy.allows_in(user, "approve", organisation)
