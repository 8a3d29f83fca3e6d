"""The arrangement pages: the list (review due soon, ending soon), referring one from a family's
visit or difficulty (the care contact's phone form: after saving it says so and goes back to the
family, since a care contact reads no arrangement back), an arrangement's page with agreeing,
changing and ending it. Every page that shows an arrangement audits the read."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from nuanxin.care.models import Difficulty, Visit
from nuanxin.core import access, idempotency
from nuanxin.core.manifest import Counter
from nuanxin.core.pages import posted, run_service
from nuanxin.labour.choices import MEASURES, ArrangementStatus
from nuanxin.labour.forms import arrangements as forms
from nuanxin.labour.models import Arrangement
from nuanxin.labour.selectors import arrangements as selectors
from nuanxin.labour.selectors import workers as find_workers
from nuanxin.labour.services import arrangements as services
from nuanxin.registry.choices import Gender
from nuanxin.registry.models import Worker

PAGE_SIZE = 50

MENU: list = []  # the one labour entry is the hub's (views/figures.py)


def _review_due(user: Any) -> int | None:
    """The home page's count of arrangements to review soon (a count: no read to audit), for
    who may read them; None (no counter) for everyone else."""
    if not Arrangement.policy.may(user, "view"):
        return None
    return selectors.review_due(Arrangement.objects.for_user(user, "view")).count()


COUNTERS: list = [
    Counter(
        key="labour_arrangements_review_due",
        label=gettext_lazy("Pregnancy and lactation arrangements to review soon"),
        count=_review_due,
        url_name="labour:arrangement_list",
        order=610,
    )
]
HOME_PANELS: list = []


def _rows(request: HttpRequest) -> Any:
    return Arrangement.objects.select_related("worker__organisation", "visit", "difficulty", "created_by")


def _detail_url(arrangement: Arrangement) -> str:
    return reverse("labour:arrangement_detail", kwargs={"pk": arrangement.pk})


def _int(value: Any) -> int | None:
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None


@access.scoped(Arrangement, "view")
@require_safe
def arrangement_list(request: HttpRequest) -> HttpResponse:
    """Open arrangements (or one status), "review due soon" or "ending soon"; read audited."""
    user = request.user
    status = request.GET.get("status") or ""
    if status not in ArrangementStatus.values:
        status = ""
    show = request.GET.get("show") or ""
    if show not in ("due", "ending"):
        show = ""
    rows = selectors.arrangements(user, status=status or None, due=show == "due", ending=show == "ending")
    if not status and not show:
        rows = rows.filter(status__in=selectors.OPEN_STATUSES)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.record_reads(user, page.object_list, page="arrangement_list")
    return render(
        request,
        "labour/arrangement_list.html",
        {
            "page": page,
            "status": status,
            "show": show,
            "counts": selectors.open_counts(user),
            "statuses": ArrangementStatus.choices,
            "today": timezone.localdate(),
            "remind_days": selectors.REVIEW_REMIND_DAYS,
            "ending_days": selectors.ENDING_SOON_DAYS,
            "tab": "arrangements",
        },
    )


def _source(request: HttpRequest, worker: Worker) -> tuple[Visit | None, Difficulty | None]:
    """The visit or difficulty the form was opened from (``?visit=`` / ``?difficulty=``, or the
    posted hidden fields): one of this family's that the user may read, else none."""
    data = request.POST if request.method == "POST" else request.GET
    visit = difficulty = None
    visit_id, difficulty_id = _int(data.get("visit")), _int(data.get("difficulty"))
    if visit_id is not None:
        visit = Visit.objects.for_user(request.user).filter(pk=visit_id, worker=worker).first()
    if difficulty_id is not None:
        difficulty = Difficulty.objects.for_user(request.user).filter(pk=difficulty_id, worker=worker).first()
    return visit, difficulty


def _visit_words(visit: Visit | None) -> list[tuple[str, str]]:
    """What the visit recorded (its notes, state of mind, opinions heard), shown beside the
    referral form and the starting text of its notes, so that a care contact types nothing twice."""
    if visit is None:
        return []
    fields = (
        (_("Notes"), visit.notes),
        (_("State of mind"), visit.state_of_mind),
        (_("Opinions heard"), visit.opinions),
    )
    return [(str(label), text.strip()) for label, text in fields if (text or "").strip()]


def _initial(heard: list[tuple[str, str]]) -> dict[str, Any]:
    """The referral form's starting values: the visit's words as its notes and, when they speak
    of night shifts, "no night shifts" ticked."""
    notes = "\n".join(text for _label, text in heard)[: services.NOTES_MAX]
    night = "夜班" in notes or "night shift" in notes.lower()
    return {"notes": notes, "measures": ["no_night_shifts"] if night else []}


@access.scoped(Arrangement, "refer")
@require_http_methods(["GET", "POST"])
@idempotency.form
def arrangement_create(request: HttpRequest) -> HttpResponse:
    """Refer an arrangement for a family's woman worker (``?worker=``, from a visit or a
    difficulty with ``&visit=`` / ``&difficulty=``)."""
    user = request.user
    worker_id = _int(request.POST.get("worker") if request.method == "POST" else request.GET.get("worker"))
    if worker_id is None:
        q = (request.GET.get("q") or "").strip()[:50]
        return render(
            request,
            "labour/find_worker.html",
            {
                "q": q,
                "found": find_workers.find(user, Arrangement, q),
                "title": _("Refer a pregnancy or lactation arrangement"),
                "create_url": reverse("labour:arrangement_create"),
            },
        )
    worker = find_workers.openable(user, Arrangement, worker_id)
    if worker is None:
        raise Http404
    visit, difficulty = _source(request, worker)
    heard = _visit_words(visit)
    form = forms.ReferForm(posted(request), initial=_initial(heard))
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        ok, arrangement = run_service(
            form,
            services.refer_arrangement,
            actor=user,
            worker=worker,
            stage=data["stage"],
            expected_on=data["expected_on"],
            lactating_until=data["lactating_until"],
            measures=data["measures"],
            notes=data["notes"],
            visit=visit,
            difficulty=difficulty,
        )
        if ok:
            if Arrangement.policy.allows(user, "view", arrangement):
                messages.success(request, _("The arrangement is referred: agree it with the employer below."))
                return redirect(_detail_url(arrangement))
            messages.success(
                request,
                _(
                    "Thank you: the arrangement for %(name)s is referred to the labour officers of %(unit)s, who will "
                    "agree it with her employer. It is kept apart from the register and is not shown here again."
                )
                % {"name": worker.name, "unit": worker.organisation.name},
            )
            return redirect(reverse("care:family", args=[worker.pk]))
    existing = services.open_arrangement_of(worker)
    return render(
        request,
        "labour/arrangement_form.html",
        {
            "worker": worker,
            "heard": heard,
            "existing": existing is not None,
            "existing_message": services.already_open_message() if existing is not None else "",
            "existing_url": _detail_url(existing)
            if existing is not None and Arrangement.policy.allows(user, "view", existing)
            else "",
            "form": form,
            "visit": visit,
            "difficulty": difficulty,
            "male": worker.gender == Gender.MALE,
            "gender_unknown": not worker.gender,
            "back": reverse("care:family", args=[worker.pk]),
            "tab": "arrangements",
        },
    )


def _detail_page(
    request: HttpRequest, arrangement: Arrangement, *, agree_form: Any = None, end_form: Any = None, status: int = 200
) -> HttpResponse:
    user = request.user
    selectors.record_reads(user, [arrangement], page="arrangement_detail")
    may_change = arrangement.status != ArrangementStatus.ENDED and Arrangement.policy.allows(
        user, "change", arrangement
    )
    if may_change and agree_form is None:
        agree_form = forms.AgreeForm(
            version=arrangement.version,
            initial={
                "stage": arrangement.stage,
                "expected_on": arrangement.expected_on,
                "lactating_until": arrangement.lactating_until,
                "measures": services.measures_of(arrangement),
                "starts_on": arrangement.starts_on
                or (timezone.localdate() if arrangement.status == ArrangementStatus.REFERRED else None),
                "ends_on": arrangement.ends_on or arrangement.expected_on or arrangement.lactating_until,
                "confirmed_by": arrangement.confirmed_by,
                "confirmed_on": arrangement.confirmed_on,
                "review_on": arrangement.review_on,
                "notes": arrangement.notes,
            },
        )
    if may_change and end_form is None and arrangement.status == ArrangementStatus.AGREED:
        end_form = forms.EndForm(version=arrangement.version)
    labels = dict(MEASURES)
    return render(
        request,
        "labour/arrangement_detail.html",
        {
            "a": arrangement,
            "measures": [labels[m] for m in services.measures_of(arrangement)],
            "may_change": may_change,
            "agree_form": agree_form,
            "end_form": end_form,
            "today": timezone.localdate(),
            "review_due_by": selectors.review_due_by(),
            "tab": "arrangements",
        },
        status=status,
    )


@access.scoped(Arrangement, "view", lookup="pk", queryset=_rows)
@require_safe
def arrangement_detail(request: HttpRequest, arrangement: Arrangement) -> HttpResponse:
    return _detail_page(request, arrangement)


@access.scoped(Arrangement, "change", lookup="pk", queryset=_rows)
@require_POST
def arrangement_agree(request: HttpRequest, arrangement: Arrangement) -> HttpResponse:
    """Agree (or change) the arrangement with the employer."""
    form = forms.AgreeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        agreeing = arrangement.status == ArrangementStatus.REFERRED
        ok, saved = run_service(
            form,
            services.agree_arrangement,
            actor=request.user,
            arrangement=arrangement,
            stage=data["stage"],
            expected_on=data["expected_on"],
            lactating_until=data["lactating_until"],
            measures=data["measures"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            confirmed_by=data["confirmed_by"],
            confirmed_on=data["confirmed_on"],
            review_on=data["review_on"],
            notes=data["notes"],
            version=data["version"],
        )
        if ok:
            messages.success(
                request,
                _("Agreed with the employer: the labour officers will be reminded before %(date)s.")
                % {"date": saved.review_on.isoformat()}
                if agreeing
                else _("Saved."),
            )
            return redirect(_detail_url(saved))
    fresh = _rows(request).get(pk=arrangement.pk)
    return _detail_page(request, fresh, agree_form=form)


@access.scoped(Arrangement, "change", lookup="pk", queryset=_rows)
@require_POST
def arrangement_end(request: HttpRequest, arrangement: Arrangement) -> HttpResponse:
    form = forms.EndForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        ok, saved = run_service(
            form,
            services.end_arrangement,
            actor=request.user,
            arrangement=arrangement,
            on=data["on"],
            reason=data["reason"],
            version=data["version"],
        )
        if ok:
            messages.success(request, _("The arrangement has ended."))
            return redirect(_detail_url(saved))
    fresh = _rows(request).get(pk=arrangement.pk)
    return _detail_page(request, fresh, end_form=form)


urlpatterns = [
    path("arrangements/", arrangement_list, name="arrangement_list"),
    path("arrangements/new/", arrangement_create, name="arrangement_create"),
    path("arrangements/<int:pk>/", arrangement_detail, name="arrangement_detail"),
    path("arrangements/<int:pk>/agree/", arrangement_agree, name="arrangement_agree"),
    path("arrangements/<int:pk>/end/", arrangement_end, name="arrangement_end"),
]
