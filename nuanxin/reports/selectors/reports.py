"""Which forms and reports a user sees: the forms of the organisations above or inside their
grants, the reports they may fill (their obliged organisations' current and past periods), the
reports waiting for their review (the level above) and those they may read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from nuanxin.core import roles
from nuanxin.core.policy import is_system
from nuanxin.orgs import scope
from nuanxin.orgs.models import Organisation
from nuanxin.reports.choices import FormSource, ReportStatus
from nuanxin.reports.models import Report, ReportForm
from nuanxin.reports.services import obligations, periods
from nuanxin.reports.services.reports import children_not_approved, may

READERS = roles.REPORTS_VIEW | roles.REPORTS_FILL | roles.REPORTS_APPROVE | roles.REPORTS_FORMS


def forms_for(user: Any, *, include_inactive: bool = False) -> QuerySet[ReportForm]:
    """The forms ``user`` sees: those of an organisation covering or inside one of their grants
    (a unit's administrator sees the city's forms; a city administrator every form)."""
    qs = ReportForm.objects.select_related("organisation", "campaign")
    if not include_inactive:
        qs = qs.filter(active=True)
    if is_system(user):
        return qs
    paths = scope.scope_paths(user, READERS)
    if not paths:
        return qs.none()
    q = Q(organisation__path__in={a for p in paths for a in scope.ancestor_paths(p)} | set(paths))
    for path in paths:
        q |= Q(organisation__path__startswith=path)
    return qs.filter(q)


def readable(user: Any) -> QuerySet[Report]:
    """Every report ``user`` may read (REPORTS_VIEW over its organisation)."""
    return Report.objects.for_user(user, "view").select_related("form", "organisation")


@dataclass
class Duty:
    """One obliged organisation's report of one period: the report when it was opened."""

    form: ReportForm
    organisation: Organisation
    period_start: date
    period_end: date
    due_at: Any
    report: Report | None

    @property
    def status(self) -> str:
        return self.report.status if self.report is not None else ReportStatus.DRAFT


def _fill_paths(user: Any) -> list[str]:
    return scope.scope_paths(user, roles.REPORTS_FILL)


def fillable_organisations(user: Any, form: ReportForm) -> list[Organisation]:
    """The obliged organisations of ``form`` whose reports ``user`` may fill (the ones their own
    grants sit on, not every one below: a district's administrator fills the district's)."""
    if form.source != FormSource.FILLED:
        return []
    obliged = obligations.obliged(form)
    if is_system(user):
        return list(obliged)
    paths = set(_fill_paths(user))
    if not paths:
        return []
    return [o for o in obliged.filter(path__in=paths)]


def to_fill(user: Any, *, form: ReportForm | None = None, day: date | None = None) -> list[Duty]:
    """The reports ``user`` has to fill for the period containing ``day`` (default: the last
    period that has ended, or the once-off one): their grants' obliged organisations per form."""
    day = day or timezone.localdate()
    out: list[Duty] = []
    for f in [form] if form is not None else list(forms_for(user).filter(source=FormSource.FILLED)):
        orgs = fillable_organisations(user, f)
        if not orgs:
            continue
        start, end = current_period(f, day)
        found = {r.organisation_id: r for r in Report.objects.filter(form=f, period_start=start, organisation__in=orgs)}
        for org in orgs:
            out.append(Duty(f, org, start, end, periods.due_at(f, start, end), found.get(org.pk)))
    return out


def current_period(form: ReportForm, day: date) -> tuple[date, date]:
    """The period being reported on ``day``: the last one that ended before it (the week before
    for a weekly form), or the one containing it when none has ended yet / for a one-off form."""
    start, end = periods.period_of(form, day)
    previous = periods.previous_period(form, start)
    return previous if previous is not None else (start, end)


def children_reports(form: ReportForm, organisation: Organisation, period_start: date) -> list[Duty]:
    """The obliged children of ``organisation`` with their reports of the period (none: not
    opened yet): what its reviewers look at."""
    start, end = periods.parse_period(form, period_start)
    children = obligations.obliged_children(form, organisation)
    found = {
        r.organisation_id: r for r in Report.objects.filter(form=form, period_start=start, organisation__in=children)
    }
    return [Duty(form, c, start, end, periods.due_at(form, start, end), found.get(c.pk)) for c in children]


def to_review(user: Any, *, form: ReportForm | None = None, period_start: date | None = None) -> QuerySet[Report]:
    """Submitted reports waiting for ``user``'s decision: those of organisations whose parent
    their approval grants cover, and their own organisation's that roll up children once every
    obliged child's report is approved (the decision itself: ``may`` and the services)."""
    qs = Report.objects.filter(status=ReportStatus.SUBMITTED).select_related("form", "organisation")
    if form is not None:
        qs = qs.filter(form=form)
    if period_start is not None:
        qs = qs.filter(period_start=period_start)
    if is_system(user):
        return qs
    paths = scope.scope_paths(user, roles.REPORTS_APPROVE)
    if not paths:
        return qs.none()
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(organisation__path__startswith=path)
    keep = []
    for report in qs.filter(q):
        if may(user, "return", report):  # the level above: every submitted report
            keep.append(report.pk)
        elif may(user, "approve", report) and not children_not_approved(report):
            keep.append(report.pk)  # its own, once every obliged child's is approved
    return qs.filter(pk__in=keep)
