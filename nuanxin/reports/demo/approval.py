"""The demo of the approval area, on the weekly care reports the filling demo submitted:

- 青岛大学附属医院工会's report of the week before last is returned by 市南区's administrator
  (``demo-district``) with a comment, corrected by the unit's reporter (``demo-reporter``) and
  submitted again the next day (late);
- 市南区: every week but the last, the three units' reports approved by the district, and then
  (all its units' being approved) the district's own, by its own administrator — in this order,
  through the services, which refuse a district's before its units'. Last week's wait for review.

As in the filling demo, the services write "now" and the demo dates the return, the resubmission
and the approvals back to the story (an UPDATE of their timestamps only). Idempotent: when a
weekly report was approved or returned, nothing is done.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.orgs.models import Organisation
from nuanxin.reports.choices import ReportStatus
from nuanxin.reports.demo.filling import CARE_WEEKLY, stamp, submit_with_comments, weeks_of
from nuanxin.reports.demo.forms import reporter_of
from nuanxin.reports.models import Report, ReportForm
from nuanxin.reports.services import periods
from nuanxin.reports.services import reports as services

DISTRICT = "QD-SN"
RETURNED_UNIT = "QD-SN-01"
RETURN_COMMENT = "参与走访的工会干部人次与走访慰问次数对不上，请核实后重新报送"
CORRECTED = {"cadres": 6, "notes": "已核实：本周参与走访的工会干部6人次，走访慰问家庭情况见系统数据"}


def _report(form: ReportForm, code: str, start: Any) -> Report | None:
    return (
        Report.objects.filter(form=form, organisation__code=code, period_start=start)
        .select_related("organisation", "form")
        .first()
    )


def _return_and_resubmit(form: ReportForm, start: Any, end: Any) -> bool:
    report = _report(form, RETURNED_UNIT, start)
    reviewer, reporter = reporter_of(DISTRICT), reporter_of(RETURNED_UNIT)
    if report is None or report.status != ReportStatus.SUBMITTED or reviewer is None or reporter is None:
        return False
    due = periods.due_at(form, start, end)
    report = services.return_report(actor=reviewer, report=report, comment=RETURN_COMMENT, version=report.version)
    stamp(report, returned_at=due + timedelta(hours=4))
    report.refresh_from_db()
    report = submit_with_comments(actor=reporter, report=report, values=CORRECTED)
    stamp(report, submitted_at=due + timedelta(days=1, hours=3))
    return True


def _approve_district(form: ReportForm, start: Any, end: Any) -> int:
    """The units' reports of the week, then the district's own (all its units' being approved)."""
    approver = reporter_of(DISTRICT)
    due = periods.due_at(form, start, end)
    approved = 0
    units = list(
        Report.objects.filter(form=form, period_start=start, organisation__code__startswith=f"{DISTRICT}-")
        .select_related("organisation", "form")
        .order_by("organisation__path")
    )
    for hours, report in enumerate(units, start=2):
        if report.status == ReportStatus.SUBMITTED:
            report = services.approve(actor=approver, report=report, version=report.version)
            stamp(report, approved_at=due + timedelta(days=2, hours=hours))
            approved += 1
    own = _report(form, DISTRICT, start)
    if own is not None and own.status == ReportStatus.SUBMITTED:
        own = services.approve(actor=approver, report=own, version=own.version)
        stamp(own, approved_at=due + timedelta(days=3, hours=1))
        approved += 1
    return approved


@transaction.atomic
def build(*, out: Callable[[str], None] = print) -> None:
    form = ReportForm.objects.filter(code=CARE_WEEKLY).first()
    if form is None or reporter_of(DISTRICT) is None:
        return
    reviewed = Report.objects.filter(form=form).filter(Q(status=ReportStatus.APPROVED) | Q(returned_at__isnull=False))
    if reviewed.exists() or not Report.objects.filter(form=form).exists():
        return
    past = [w for w in weeks_of(form, timezone.localdate()) if w[1] < timezone.localdate()]
    if len(past) < 2:
        return
    district = Organisation.objects.filter(code=DISTRICT).first()
    returned = _return_and_resubmit(form, *past[-2])
    approved = sum(_approve_district(form, start, end) for start, end in past[:-1])
    out(
        _("reports: %(returned)s weekly report returned and resubmitted, %(approved)s approved in %(district)s")
        % {"returned": int(returned), "approved": approved, "district": district.name if district else DISTRICT}
    )
