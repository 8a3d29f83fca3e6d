"""A care contact's pages (phone first): this week's families with one-tap call links, a
family's timeline, excusing a week."""

from __future__ import annotations

from datetime import timedelta

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from nuanxin.care import forms, hooks, pages, selectors, services, weeks
from nuanxin.care.choices import DutyStatus
from nuanxin.care.models import CareAssignment, Difficulty, DifficultyNote, Visit, VisitDuty
from nuanxin.care.views.common import next_url, posted, submit, week_nav, workers
from nuanxin.core import access
from nuanxin.registry.models import Worker


@access.scoped(VisitDuty, "visit")
def my_week(request):
    """This week's families of the care contact: due first, then missed, excused and done,
    each with one-tap call links and the last visit; "Log a visit" on every row."""
    user = request.user
    week = pages.pick_week(request.GET.get("week"))
    rows, others = pages.my_week_rows(user, week)
    groups = [
        (status, label, [r for r in rows if r.status == status])
        for status, label in (
            (DutyStatus.DUE, _("To visit")),
            (DutyStatus.MISSED, _("Missed")),
            (DutyStatus.EXCUSED, _("Excused")),
            (DutyStatus.DONE, _("Visited")),
        )
    ]
    pages.record_call_links(user, [r.worker for r in rows] + others, page="my_week")
    counts = {status: len(items) for status, _label, items in groups}
    return render(
        request,
        "care/my_week.html",
        {
            **week_nav(week),
            "groups": groups,
            "counts": counts,
            "total": len(rows),
            "others": others,
            "here": request.get_full_path(),
            # named once above the cards, not on each (a card names its campaign only when the
            # week's duties come from more than one)
            "campaigns": list({r.campaign_id: r.campaign for r in rows if r.campaign_id}.values()),
        },
    )


def may_care_for(user, worker: Worker) -> bool:
    """Whether ``user`` may log and change the family's visits (the visit policy's "change")."""
    return Visit.policy.allows(user, "change", Visit(worker=worker))


@access.scoped(Worker, "view", lookup="pk", queryset=workers)
def family(request, worker: Worker):
    """A family's care timeline: visits, weeks, difficulties and notes, care contacts."""
    user = request.user
    primary = worker.family.filter(is_primary=True).first()
    duties = pages.family_duties(user, worker)
    this_week = weeks.current_week()
    current = next((d for d in duties if d.week == this_week and d.status == DutyStatus.DUE), None)
    contacts = CareAssignment.objects.current().filter(worker=worker).select_related("contact", "campaign")
    pages.record_call_links(user, [worker], page="family")
    timeline = selectors.family_timeline(user, worker)
    shown = {e.obj.pk: e.obj for e in timeline if isinstance(e.obj, Difficulty)}  # kind "difficulty"
    shown.update((e.obj.difficulty_id, e.obj.difficulty) for e in timeline if isinstance(e.obj, DifficultyNote))
    pages.record_sensitive_reads(user, shown.values(), page="family")
    return render(
        request,
        "care/family.html",
        {
            "worker": worker,
            "primary": primary,
            "timeline": timeline,
            "duties": duties,
            "current_duty": current,
            "contacts": list(contacts),
            "can_care": may_care_for(user, worker),
            "is_admin": CareAssignment.policy.allows_in(user, "change", worker.organisation),
            "followups": hooks.followup_links(user, worker),
            # Under the visits of the last four weeks only (the top of the page offers them too).
            "followup_since": timezone.localdate() - timedelta(days=28),
        },
    )


@access.scoped(
    VisitDuty,
    "change",
    lookup="pk",
    queryset=lambda request: VisitDuty.objects.select_related("worker__organisation", "campaign"),
)
@require_http_methods(["GET", "POST"])
def duty_excuse(request, duty: VisitDuty):
    """Excuse a family's visit of one week, with the reason."""
    form = forms.ExcuseForm(posted(request), initial={"reason": duty.excuse_reason})
    return submit(
        request,
        form,
        services.excuse_duty,
        lambda data: {"duty": duty, "reason": data["reason"]},
        done=_("The visit of %(name)s's family in %(week)s is excused.")
        % {"name": duty.worker.name, "week": duty.week_label},
        to=next_url(request, reverse("care:family", args=[duty.worker_id])),
    ) or render(request, "care/duty_excuse.html", {"duty": duty, "form": form, "next": next_url(request, "")})
