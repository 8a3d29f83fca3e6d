"""Pages of the care work (精准关爱联系制度).

- a care contact (phone first): this week's families with one-tap call links, the visit form
  (two taps from the list), each family's timeline, excusing a week;
- admins: the weekly overview with the missed list, unassigned families, open difficulties
  by age and category, and the completion chart; the difficulty pages; the assignments;
- city admins: the campaigns (start, cadence per team, declared end);
- viewers (reports only): the overview and the chart as aggregates, no personal detail.

Thin: forms check shapes, services decide and write, every lookup goes through ``for_user``
(out of scope = 404) and every view carries its access mark (wrong role = 403).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from nuanxin.care import forms, pages, selectors, services, weeks
from nuanxin.care.choices import DifficultyStatus, DutyStatus, VisitMode
from nuanxin.care.models import Campaign, CareAssignment, Difficulty, Visit, VisitDuty
from nuanxin.cases import services as cases
from nuanxin.core import access, idempotency, roles
from nuanxin.core.errors import Conflict, NotAllowed, ServiceError
from nuanxin.core.pages import run_service
from nuanxin.registry.choices import TeamType
from nuanxin.registry.filters import WorkerFilter
from nuanxin.registry.models import Worker

CARE_ROLES = roles.REGISTER_VIEW  # admins and care contacts: families, visits, difficulties
ADMIN_ROLES = roles.REGISTER_CHANGE  # city and org admins: assignments, owners
REPORT_ROLES = roles.CARE_REPORT  # admins and viewers: aggregate figures
PER_PAGE = 50


def _data(request):
    return request.POST if request.method == "POST" else None


def _next(request, default: str) -> str:
    """Where to go after a form: a local ``next`` if given, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _page(request, template: str, context: dict):
    # Invalid forms come back with 200 like the other pages (browsers log a 4xx as an error).
    return render(request, template, context)


def _week_nav(week):
    this_week = weeks.current_week()
    return {
        "week": week,
        "week_label": weeks.label(week),
        "week_sunday": weeks.sunday(week),
        "is_current_week": week == this_week,
        "prev_week": weeks.label(week - weeks.WEEK),
        "next_week": weeks.label(week + weeks.WEEK) if week < this_week else None,
        "this_week_label": weeks.label(this_week),
    }


# --- a care contact's week ------------------------------------------------------------------


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
            **_week_nav(week),
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


def _workers(request):
    return Worker.objects.select_related("organisation")


def _may_care_for(user, worker: Worker) -> bool:
    """Whether ``user`` may log and change the family's visits (the visit policy's "change")."""
    return Visit.policy.allows(user, "change", Visit(worker=worker))


@access.scoped(Worker, "view", lookup="pk", queryset=_workers)
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
    shown = {e.obj.pk: e.obj for e in timeline if e.kind == "difficulty"}
    shown.update((e.obj.difficulty_id, e.obj.difficulty) for e in timeline if e.kind == "note")
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
            "can_care": _may_care_for(user, worker),
            "is_admin": CareAssignment.policy.allows_in(user, "change", worker.organisation),
        },
    )


# --- visits ---------------------------------------------------------------------------------


def _add_row(request, formsets: dict) -> bool:
    """Without JavaScript the "add a row" buttons post the form: give the formset one more
    row and show the form again (nothing saved). Returns whether that happened."""
    prefix = request.POST.get("add_row")
    if request.method != "POST" or prefix not in formsets:
        return False
    data = request.POST.copy()
    key = f"{prefix}-TOTAL_FORMS"
    value = data.get(key) or ""
    total = int(value) if value.isascii() and value.isdigit() else 0
    formset = formsets[prefix]
    data[key] = str(min(total + 1, formset.max_num))
    formsets[prefix] = type(formset)(data, prefix=prefix, initial=formset.initial)
    return True


def _visit_formsets(data, *, items_initial=None, with_difficulties=True) -> dict:
    formsets = {"items": forms.ItemFormSet(data, prefix="items", initial=items_initial)}
    if with_difficulties:
        formsets["diffs"] = forms.DifficultyFormSet(data, prefix="diffs")
    return formsets


@access.scoped(Worker, "view", lookup="pk", queryset=_workers)
@require_http_methods(["GET", "POST"])
@idempotency.form
def visit_create(request, worker: Worker):
    """Log a visit: date (today), mode, visitors, necessities, state of mind, opinions, notes
    and new difficulties, in one form and one request."""
    user = request.user
    if not _may_care_for(user, worker):
        raise PermissionDenied
    data = _data(request)
    form = forms.VisitForm(
        data, initial={"on": timezone.localdate(), "mode": VisitMode.HOME, "visitors": user.display_name}
    )
    formsets = _visit_formsets(data)
    if _add_row(request, formsets):
        return render(request, "care/visit_form.html", _visit_context(request, worker, form, formsets))
    if data is not None and form.is_valid() and all(fs.is_valid() for fs in formsets.values()):
        try:
            services.record_visit(
                actor=user,
                worker=worker,
                **form.service_values(),
                items=forms.item_rows(formsets["items"]),
                difficulties=formsets["diffs"].rows(),
            )
        except NotAllowed as exc:
            raise PermissionDenied from exc
        except ServiceError as exc:
            forms.add_formset_error(form, formsets, exc)
        else:
            messages.success(request, _("Visit to %(name)s's family recorded.") % {"name": worker.name})
            recent = services.visits.recent_visits(worker)
            if len(recent) > 1:
                messages.warning(request, _(
                    "%(count)s visits to this family were logged in the last %(minutes)s minutes. If one was "
                    "logged twice by mistake, delete it on the family's page."
                ) % {"count": len(recent), "minutes": services.visits.RECENT_MINUTES})
            return redirect(_next(request, reverse("care:family", args=[worker.pk])))
    return render(request, "care/visit_form.html",
                  _visit_context(request, worker, form, formsets, recent_visits=services.visits.recent_visits(worker)))


def _visit_context(request, worker, form, formsets, **extra) -> dict:
    return {
        "worker": worker,
        "form": form,
        "items": formsets["items"],
        "diffs": formsets.get("diffs"),
        "next": _next(request, ""),
        **extra,
    }


@access.scoped(
    Visit,
    "change",
    lookup="pk",
    queryset=lambda request: Visit.objects.select_related("worker__organisation", "recorded_by"),
)
@require_http_methods(["GET", "POST"])
def visit_update(request, visit: Visit):
    """Edit a visit. The form carries the version it was opened at: if someone saved the
    visit since, nothing is saved, their version is shown beside the user's input (which is
    kept), and saving again replaces theirs deliberately."""
    user = request.user
    worker = visit.worker
    saved_items = list(visit.items.all())
    initial = {f: getattr(visit, f) for f in ("on", "mode", "visitors", "state_of_mind", "opinions", "notes")}
    initial["version"] = visit.version
    items_initial = [{"item": i.item, "quantity": i.quantity, "unit": i.unit, "value": i.value} for i in saved_items]
    data = _data(request)
    form = forms.VisitForm(data, initial=initial)
    formsets = _visit_formsets(data, items_initial=items_initial, with_difficulties=False)
    context = {"visit": visit}
    if _add_row(request, formsets):
        return render(request, "care/visit_form.html", _visit_context(request, worker, form, formsets, **context))
    if data is not None:
        if form.is_valid() and all(fs.is_valid() for fs in formsets.values()):
            try:
                services.update_visit(
                    actor=user,
                    visit=visit,
                    version=form.cleaned_data["version"] or 0,
                    items=forms.item_rows(formsets["items"]),
                    **form.service_values(),
                )
            except NotAllowed as exc:
                raise PermissionDenied from exc
            except Conflict as exc:
                # Keep the user's input; show theirs; the next save starts from their version.
                current = Visit.objects.select_related("recorded_by").get(pk=visit.pk)
                data = data.copy()
                data["version"] = str(current.version)
                form = forms.VisitForm(data, initial=initial)
                form.is_valid()
                form.add_error(None, exc.message)
                formsets = _visit_formsets(data, items_initial=items_initial, with_difficulties=False)
                context.update(conflict=current, conflict_items=list(current.items.all()))
            except ServiceError as exc:
                forms.add_formset_error(form, formsets, exc)
            else:
                messages.success(request, _("Visit saved."))
                return redirect(_next(request, reverse("care:family", args=[worker.pk])))
    return render(request, "care/visit_form.html", _visit_context(request, worker, form, formsets, **context))


@access.scoped(
    VisitDuty,
    "change",
    lookup="pk",
    queryset=lambda request: VisitDuty.objects.select_related("worker__organisation", "campaign"),
)
@require_http_methods(["GET", "POST"])
def duty_excuse(request, duty: VisitDuty):
    """Excuse a family's visit of one week, with the reason."""
    form = forms.ExcuseForm(_data(request), initial={"reason": duty.excuse_reason})
    if form.is_bound and form.is_valid():
        ok, _duty = run_service(
            form, services.excuse_duty, actor=request.user, duty=duty, reason=form.cleaned_data["reason"]
        )
        if ok:
            messages.success(
                request,
                _("The visit of %(name)s's family in %(week)s is excused.")
                % {"name": duty.worker.name, "week": duty.week_label},
            )
            return redirect(_next(request, reverse("care:family", args=[duty.worker_id])))
    return _page(request, "care/duty_excuse.html", {"duty": duty, "form": form, "next": _next(request, "")})


# --- admins' overview and chart -------------------------------------------------------------


def _report_filters(request):
    """The organisation, campaign and week the report pages show (defaults: the root of the
    user's scope, the current campaign, this week)."""
    picker = pages.org_picker(request.user, REPORT_ROLES, request.GET.get("org"))
    all_campaigns = pages.campaigns()
    campaign = pages.pick_campaign(all_campaigns, request.GET.get("campaign"))
    week = pages.pick_week(request.GET.get("week"))
    return picker, all_campaigns, campaign, week


@access.scoped(VisitDuty, "report")
def overview(request):
    """This week's completion per sub-organisation, the missed and still-due lists,
    unassigned families and open difficulties by age and category. Viewers get the
    figures only (no names)."""
    user = request.user
    picker, all_campaigns, campaign, week = _report_filters(request)
    org = picker.selected
    by = "unit" if request.GET.get("by") == "unit" else "child"
    people = Worker.policy.may(user, "change")  # names: the register's admins, not the viewers
    context = {
        **_week_nav(week),
        "picker": picker,
        "org": org,
        "campaigns": all_campaigns,
        "campaign": campaign,
        "by": by,
        "people": people,
    }
    if org is not None:
        context["extra_query"] = urlencode(
            [("org", org.code), *([("campaign", campaign.pk)] if campaign else []), ("by", by)]
        )
        context.update(pages.overview_reads(user, org, week, campaign, by=by, people=people))
    return render(request, "care/overview.html", context)


@access.scoped(VisitDuty, "report")
def chart(request):
    """Weekly completion over the campaign per sub-organisation (Apache ECharts), fed from a
    JSON block; the same figures in a table for those without JavaScript."""
    user = request.user
    picker, all_campaigns, campaign, _week = _report_filters(request)
    org = picker.selected
    data = None
    rows = []
    if org is not None and campaign is not None:
        series = selectors.completion_series(user, org, campaign)
        for s in series["series"]:
            done, owed = sum(s["done"]), sum(s["owed"])
            rows.append(
                {"name": s["name"], "done": done, "owed": owed, "percent": round(done * 100 / owed) if owed else None}
            )
        data = {
            "locale": "ZH" if (get_language() or "").startswith("zh") else "EN",
            "weeks": series["weeks"],
            "current": series["current"],
            "series": [
                {"name": s["name"], "percent": s["percent"], "done": s["done"], "owed": s["owed"]}
                for s in series["series"]
            ],
            "labels": {
                "yAxis": _("Completion (%)"),
                "xAxis": _("Week"),
                "done": _("Visited"),
                "owed": _("Owed"),
                # this week is still going on: its figure is not a final one
                "inProgress": _("this week so far: day %(day)s of 7") % {"day": series["days_so_far"]},
            },
        }
    return render(
        request,
        "care/chart.html",
        {"picker": picker, "org": org, "campaigns": all_campaigns, "campaign": campaign, "chart": data, "rows": rows},
    )


# --- difficulties ---------------------------------------------------------------------------


def _difficulties(request):
    return Difficulty.objects.select_related("worker__organisation", "owner", "campaign", "visit", "created_by")


@access.scoped(Difficulty, "view")
def difficulty_list(request):
    """Difficulties in scope, filtered by status, category, urgency, overdue, organisation;
    oldest due first."""
    user = request.user
    picker = pages.org_picker(user, CARE_ROLES, request.GET.get("org"))
    form = forms.DifficultyFilter(request.GET or None, organisations=picker.organisations)
    values = form.values()
    org = picker.selected if values.get("org") else None
    qs = pages.difficulty_list(
        user,
        org=org,
        status=values.get("status"),
        category=values.get("category"),
        urgency=values.get("urgency"),
        overdue=bool(values.get("overdue")),
    )
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    pages.record_sensitive_reads(user, page.object_list, page="difficulty_list")
    return render(
        request,
        "care/difficulty_list.html",
        {"form": form, "page": page, "today": timezone.localdate()},
    )


def _difficulty_page(request, difficulty: Difficulty, **bound):
    user = request.user
    pages.record_sensitive_reads(user, [difficulty], page="difficulty")
    transitions = pages.allowed_transitions(user, difficulty)
    is_admin = Difficulty.policy.allows(user, "manage", difficulty)
    owner_form = None
    if is_admin:
        owner_form = bound.get("owner_form") or forms.OwnerForm(
            candidates=pages.owner_candidates(difficulty.worker),
            initial={"owner": str(difficulty.owner_id or "")},
            version=difficulty.version,
        )
    return render(
        request,
        "care/difficulty_detail.html",
        {
            "difficulty": difficulty,
            "timeline": list(selectors.difficulty_timeline(user, difficulty)),
            "transitions": [(s, DifficultyStatus(s).label) for s in transitions],
            # A transition offered here needs a reason (a reopen): the note is not optional then.
            "reason_required": bool(Difficulty.lifecycle.reason_targets(difficulty.status, transitions)),
            "transition_form": bound.get("transition_form") or forms.TransitionForm(version=difficulty.version),
            "note_form": bound.get("note_form") or forms.NoteForm(),
            "owner_form": owner_form,
            "is_admin": is_admin,
            "can_care": Difficulty.policy.allows(user, "change", difficulty),
            "today": timezone.localdate(),
        },
    )


@access.scoped(Difficulty, "view", lookup="pk", queryset=_difficulties)
def difficulty_detail(request, difficulty: Difficulty):
    """A difficulty with its timeline, the allowed transitions, notes and (admins) the owner."""
    return _difficulty_page(request, difficulty)


@access.scoped(Difficulty, "change", lookup="pk", queryset=_difficulties)
@require_POST
def difficulty_transition(request, difficulty: Difficulty):
    form = forms.TransitionForm(request.POST)
    if form.is_valid():
        ok, _changed = run_service(
            form,
            services.change_difficulty_status,
            actor=request.user,
            difficulty=difficulty,
            to=form.cleaned_data["to"],
            note=form.cleaned_data["note"],
            version=form.cleaned_data["version"],
        )
        if ok:
            messages.success(
                request,
                _("The difficulty is now “%(status)s”.") % {"status": DifficultyStatus(form.cleaned_data["to"]).label},
            )
            return redirect("care:difficulty_detail", pk=difficulty.pk)
    return _difficulty_page(request, difficulty, transition_form=form)


@access.scoped(Difficulty, "change", lookup="pk", queryset=_difficulties)
@require_POST
@idempotency.form
def difficulty_note(request, difficulty: Difficulty):
    form = forms.NoteForm(request.POST)
    if form.is_valid():
        text = form.cleaned_data["text"]
        ok, _note = run_service(
            form, services.add_difficulty_note, actor=request.user, difficulty=difficulty, text=text
        )
        if ok:
            messages.success(request, _("Note added."))
            return redirect("care:difficulty_detail", pk=difficulty.pk)
    return _difficulty_page(request, difficulty, note_form=form)


@access.scoped(Difficulty, "manage", lookup="pk", queryset=_difficulties)
@require_POST
def difficulty_owner(request, difficulty: Difficulty):
    form = forms.OwnerForm(request.POST, candidates=pages.owner_candidates(difficulty.worker))
    if form.is_valid():
        ok, _changed = run_service(
            form,
            services.update_difficulty,
            actor=request.user,
            difficulty=difficulty,
            owner=form.cleaned_data["owner"],
            version=form.cleaned_data["version"],
        )
        if ok:
            messages.success(request, _("%(user)s now owns this difficulty.") % {"user": form.cleaned_data["owner"]})
            return redirect("care:difficulty_detail", pk=difficulty.pk)
    return _difficulty_page(request, difficulty, owner_form=form)


@access.scoped(Worker, "view", lookup="pk", queryset=lambda request: Worker.objects.select_related("organisation"))
@require_http_methods(["GET", "POST"])
@idempotency.form
def difficulty_create(request, worker: Worker):
    """Record a difficulty of a family outside a visit."""
    if not cases.may_open(request.user, Difficulty, worker):
        raise PermissionDenied
    form = forms.DifficultyCreateForm(_data(request))
    if form.is_bound and form.is_valid():
        ok, difficulty = run_service(
            form,
            services.open_difficulty,
            actor=request.user,
            worker=worker,
            campaign=selectors.current_campaign(),
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, _("Difficulty recorded."))
            return redirect("care:difficulty_detail", pk=difficulty.pk)
    return _page(request, "care/difficulty_form.html", {"worker": worker, "form": form})


# --- assignments ----------------------------------------------------------------------------


@access.scoped(CareAssignment, "change")
def assignments(request):
    """Families an admin may assign, filtered like the register, with their care contact
    and the suggestion from the imported 工会联系人 name; checkboxes for the bulk action;
    unassigned families counted per unit."""
    user = request.user
    all_campaigns = pages.campaigns()
    campaign = pages.pick_campaign(all_campaigns, request.GET.get("campaign"))
    form = WorkerFilter(request.GET or None, user=user)
    unassigned = request.GET.get("unassigned") == "1"
    qs = form.filter_queryset(pages.assignment_workers(user, campaign, unassigned=unassigned)).order_by(
        "organisation__path", "name_pinyin", "pk"
    )
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    workers = list(page.object_list)
    hints = pages.suggestions([w for w in workers if not w.current_assignments])
    for w in workers:
        w.suggested = hints.get(w.pk, [])
    counts = pages.unassigned_counts(user, campaign)
    return render(
        request,
        "care/assignments.html",
        {
            "form": form,
            "campaigns": all_campaigns,
            "campaign": campaign,
            "unassigned": unassigned,
            "page": page,
            "workers": workers,
            "contacts": pages.assignable_contacts(user),
            "counts": counts,
            "unassigned_total": sum(r["count"] for r in counts),
            "here": request.get_full_path(),
        },
    )


@access.scoped(CareAssignment, "change")
@require_POST
def assign(request):
    """The bulk action: assign or reassign the checked families to a care contact, remove
    their care contact, or apply the suggestions. All or nothing (the service)."""
    user = request.user
    campaign_id = pages.parse_id(request.POST.get("campaign"))
    campaign = get_object_or_404(Campaign, pk=campaign_id) if campaign_id is not None else None
    if campaign is None:
        raise Http404
    # A value that is no id (too large, "²", "-1") matches no family: 404 like one out of scope.
    ids = {pages.parse_id(v) for v in request.POST.getlist("workers")}
    workers = list(Worker.objects.for_user(user, "change").filter(pk__in=ids).select_related("organisation"))
    if len(workers) != len(ids):
        raise Http404  # a family outside the scope is the same as a missing one
    form = forms.AssignForm(request.POST, worker_ids=sorted(ids), contacts=pages.assignable_contacts(user))
    back = _next(request, reverse("care:assignments") + f"?campaign={campaign.pk}")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    action = form.cleaned_data["action"]
    try:
        if action == "suggest":
            result = services.assign_from_hints(actor=user, campaign=campaign, workers=workers)
            messages.success(
                request,
                ngettext(
                    "%(n)d family assigned from the suggestions.",
                    "%(n)d families assigned from the suggestions.",
                    result["assigned"],
                )
                % {"n": result["assigned"]},
            )
            left = len(result["ambiguous"]) + len(result["unmatched"])
            if left:
                messages.warning(
                    request,
                    ngettext(
                        "%(n)d family has no single matching care contact: assign it by hand.",
                        "%(n)d families have no single matching care contact: assign them by hand.",
                        left,
                    )
                    % {"n": left},
                )
        else:
            contact = form.contact_user if action == "assign" else None
            result = services.bulk_assign(actor=user, campaign=campaign, workers=workers, contact=contact)
            if contact is not None:
                n = len(result["assigned"])
                messages.success(
                    request,
                    ngettext("%(n)d family assigned to %(contact)s.", "%(n)d families assigned to %(contact)s.", n)
                    % {"n": n, "contact": contact.display_name},
                )
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(n)d family has no care contact now.",
                        "%(n)d families have no care contact now.",
                        result["ended"],
                    )
                    % {"n": result["ended"]},
                )
    except NotAllowed as exc:
        raise PermissionDenied from exc
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect(back)


# --- campaigns ------------------------------------------------------------------------------


# Campaigns belong to the whole city: the campaign policy's "manage" needs a grant covering
# the root (a city administrator over the city).


@access.scoped(Campaign, "manage")
def campaign_list(request):
    this_week = weeks.current_week()
    campaigns = Campaign.objects.annotate(
        families=Count("assignments", filter=Q(assignments__ended_at__isnull=True), distinct=True),
    ).order_by("-starts_on", "-pk")
    running = set(Campaign.objects.running().values_list("pk", flat=True))
    rows = [
        {
            "campaign": c,
            "running": c.pk in running,
            "cadence": [(label, c.cadence_for(team)) for team, label in TeamType.choices],
        }
        for c in campaigns
    ]
    return render(request, "care/campaign_list.html", {"rows": rows, "this_week": weeks.label(this_week)})


@access.scoped(Campaign, "manage")
@require_http_methods(["GET", "POST"])
@idempotency.form
def campaign_create(request):
    form = forms.CampaignCreateForm(_data(request), initial={"starts_on": timezone.localdate()})
    if form.is_bound and form.is_valid():
        ok, campaign = run_service(
            form,
            services.create_campaign,
            actor=request.user,
            name=form.cleaned_data["name"],
            starts_on=form.cleaned_data["starts_on"],
            cadence=form.cadence(),
        )
        if ok:
            messages.success(request, _("Campaign “%(name)s” created.") % {"name": campaign.name})
            return redirect("care:campaign_list")
    return _page(request, "care/campaign_form.html", {"form": form, "title": _("New campaign")})


@access.scoped(Campaign, "manage", lookup="pk")
@require_http_methods(["GET", "POST"])
def campaign_edit(request, campaign: Campaign):
    """The visit cadence per frontline team (from this week on)."""
    form = forms.CampaignEditForm(_data(request), campaign=campaign, version=campaign.version)
    if form.is_bound and form.is_valid():
        ok, _campaign = run_service(
            form,
            services.set_cadence,
            actor=request.user,
            campaign=campaign,
            cadence=form.cadence(),
            version=form.cleaned_data["version"],
        )
        if ok:
            messages.success(request, _("Visit cadence saved; it applies from this week on."))
            return redirect("care:campaign_list")
    return _page(request, "care/campaign_form.html", {"form": form, "campaign": campaign, "title": campaign.name})


@access.scoped(Campaign, "manage", lookup="pk")
@require_http_methods(["GET", "POST"])
def campaign_declare_end(request, campaign: Campaign):
    """Declare the epidemic over: no duty opens after the week of that date."""
    form = forms.DeclareEndForm(
        _data(request), initial={"on": campaign.declared_end_on or timezone.localdate()}, version=campaign.version
    )
    if form.is_bound and form.is_valid():
        ok, _campaign = run_service(
            form,
            services.declare_end,
            actor=request.user,
            campaign=campaign,
            on=form.cleaned_data["on"],
            version=form.cleaned_data["version"],
        )
        if ok:
            if form.cleaned_data["on"]:
                messages.success(
                    request,
                    _("The end of “%(name)s” is declared: the week %(week)s is its last with visits.")
                    % {"name": campaign.name, "week": weeks.label(weeks.monday(form.cleaned_data["on"]))},
                )
            else:
                messages.success(request, _("The declared end of “%(name)s” is withdrawn.") % {"name": campaign.name})
            return redirect("care:campaign_list")
    return _page(request, "care/campaign_end.html", {"form": form, "campaign": campaign})
