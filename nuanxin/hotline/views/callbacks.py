"""The callback and crisis case pages (phone-first): the callback queue of the user's hotlines
(overdue first, crisis first, filters), a callback with its attempts (claim, record an attempt,
put back, note; a supervisor closes an untried one), the crisis cases and a crisis case with its
risk assessment, first contact, hand-over, status and notes.

Only the counsellors and supervisors of a hotline reach its records (``access.scoped``: any
other record is the same 404 as a missing one); every list and detail shown is audited as a
read (``hotline.callback.read`` / ``hotline.crisis.read``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from nuanxin.core import access, idempotency
from nuanxin.core.manifest import Counter, MenuEntry
from nuanxin.core.pages import run_service
from nuanxin.hotline import scales
from nuanxin.hotline.choices import AttemptResult, CallbackStatus, CrisisStatus
from nuanxin.hotline.forms import cases as forms
from nuanxin.hotline.models import Callback, CrisisCase
from nuanxin.hotline.selectors import cases as selectors
from nuanxin.hotline.services import cases as services

PER_PAGE = 30


def _callbacks(request: HttpRequest) -> Any:
    return Callback.objects.select_related(
        "hotline__organisation", "organisation", "owner", "preferred_counsellor", "crisis", "call", "assessment"
    )


def _crises(request: HttpRequest) -> Any:
    return CrisisCase.objects.select_related("hotline__organisation", "organisation", "owner", "call", "assessment")


def _submit(
    request: HttpRequest,
    form: Any,
    call: Callable[..., Any],
    values: Callable[[dict[str, Any]], dict[str, Any]],
    *,
    done: str | Callable[[Any], str],
    to: str,
) -> HttpResponse | None:
    """A valid POST calls the service (``run_service``): its message and a redirect to ``to``;
    ``None`` when the form or the service refused (the page shows the form again)."""
    if not (form.is_bound and form.is_valid()):
        return None
    ok, result = run_service(form, call, actor=request.user, **values(form.cleaned_data))
    if not ok:
        return None
    messages.success(request, done(result) if callable(done) else done)
    return redirect(to)


def _hotline_filter(request: HttpRequest, hotlines: list[Any]) -> None:
    """A hotline named in the query that is not one of the user's: the same 404 as a missing one."""
    wanted = request.GET.get("hotline")
    if wanted and wanted.isdigit() and int(wanted) not in {h.pk for h in hotlines}:
        raise Http404


# --- the callback queue ---------------------------------------------------------------------


@access.scoped(Callback, "view")
def callback_list(request: HttpRequest) -> HttpResponse:
    """The queue of the user's hotlines: overdue first, crisis first, then by the time next due."""
    user = request.user
    hotlines = selectors.record_hotlines(user)
    _hotline_filter(request, hotlines)
    form = forms.callback_filter(request.GET or None, hotlines)
    values = form.values()
    now = timezone.now()
    qs = selectors.callbacks(user, hotline=values.get("hotline"), status=values["status"],
                             overdue=bool(values.get("overdue")), now=now)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    items = selectors.labelled(page.object_list)
    selectors.record_callback_reads(user, items, page="callback_list")
    return render(
        request,
        "hotline/callback_list.html",
        {"form": form, "page": page, "items": items, "now": now, "user_pk": user.pk},
    )


def _callback_url(callback: Callback) -> str:
    return reverse("hotline:callback_detail", args=[callback.pk])


def _callback_page(request: HttpRequest, callback: Callback, **bound: Any) -> HttpResponse:
    user = request.user
    selectors.labelled([callback])
    selectors.record_callback_reads(user, [callback], page="callback")
    scale_name = ""
    if callback.assessment is not None:
        try:
            scale_name = str(scales.get(callback.assessment.scale).short_name)
        except KeyError:
            scale_name = callback.assessment.scale
    supervises = Callback.policy.allows(user, "supervise", callback)
    mine = callback.owner_id == user.pk
    claimed_by_other = callback.status == CallbackStatus.CLAIMED and not mine
    now = timezone.now()
    next_due = callback.retry_at or callback.due_at
    return render(
        request,
        "hotline/callback_detail.html",
        {
            "callback": callback,
            "scale_name": scale_name,
            "attempts": selectors.callback_attempts(callback),
            "timeline": selectors.callback_timeline(callback),
            "next_due": next_due,
            "late": callback.is_active and next_due < now,
            "mine": mine,
            "supervises": supervises,
            "can_claim": callback.status in (CallbackStatus.DUE, CallbackStatus.RETRY),
            "can_attempt": callback.is_active and (not claimed_by_other or supervises),
            "can_release": callback.status == CallbackStatus.CLAIMED and (mine or supervises),
            "can_close": supervises and callback.status == CallbackStatus.DUE,
            "claimed_by_other": claimed_by_other,
            "claim_form": forms.VersionForm(version=callback.version),
            "attempt_form": bound.get("attempt_form") or forms.AttemptForm(
                version=callback.version, initial={"result": AttemptResult.REACHED}
            ),
            "note_form": bound.get("note_form") or forms.NoteForm(),
            "close_form": bound.get("close_form") or forms.CloseForm(version=callback.version),
            "local_now": forms.local_now(),
        },
    )


@access.scoped(Callback, "view", lookup="pk", queryset=_callbacks)
def callback_detail(request: HttpRequest, callback: Callback) -> HttpResponse:
    """A callback: who to call and why, its attempts and timeline, and what may be done now."""
    return _callback_page(request, callback)


@access.scoped(Callback, "record", lookup="pk", queryset=_callbacks)
@require_POST
def callback_claim(request: HttpRequest, callback: Callback) -> HttpResponse:
    form = forms.VersionForm(request.POST)
    response = _submit(
        request, form, services.claim_callback,
        lambda data: {"callback": callback, "version": data["version"]},
        done=_("The callback is yours: call now."), to=_callback_url(callback),
    )
    if response is None:
        for error in form.non_field_errors():
            messages.error(request, str(error))
        return redirect(_callback_url(callback))
    return response


@access.scoped(Callback, "record", lookup="pk", queryset=_callbacks)
@require_POST
def callback_release(request: HttpRequest, callback: Callback) -> HttpResponse:
    form = forms.VersionForm(request.POST)
    response = _submit(
        request, form, services.release_callback,
        lambda data: {"callback": callback, "version": data["version"]},
        done=_("The callback is back in the queue."), to=reverse("hotline:callback_list"),
    )
    if response is None:
        for error in form.non_field_errors():
            messages.error(request, str(error))
        return redirect(_callback_url(callback))
    return response


@access.scoped(Callback, "record", lookup="pk", queryset=_callbacks)
@require_POST
@idempotency.form
def callback_attempt(request: HttpRequest, callback: Callback) -> HttpResponse:
    form = forms.AttemptForm(request.POST)

    def done(attempt: Any) -> str:
        return _("Attempt recorded: the callback is now “%(status)s”.") % {
            "status": CallbackStatus(attempt.callback.status).label
        }

    return _submit(
        request, form, services.record_attempt,
        lambda data: {
            "callback": callback, "result": data["result"], "channel": data["channel"],
            "retry_at": data["retry_at"], "note": data["note"], "version": data["version"],
        },
        done=done, to=_callback_url(callback),
    ) or _callback_page(request, callback, attempt_form=form)


@access.scoped(Callback, "record", lookup="pk", queryset=_callbacks)
@require_POST
@idempotency.form
def callback_note(request: HttpRequest, callback: Callback) -> HttpResponse:
    form = forms.NoteForm(request.POST)
    return _submit(
        request, form, services.add_callback_note, lambda data: {"callback": callback, "text": data["text"]},
        done=_("Note added."), to=_callback_url(callback),
    ) or _callback_page(request, callback, note_form=form)


@access.scoped(Callback, "supervise", lookup="pk", queryset=_callbacks)
@require_POST
def callback_close(request: HttpRequest, callback: Callback) -> HttpResponse:
    form = forms.CloseForm(request.POST)
    return _submit(
        request, form, services.close_callback,
        lambda data: {"callback": callback, "note": data["note"], "version": data["version"]},
        done=_("The callback is closed."), to=_callback_url(callback),
    ) or _callback_page(request, callback, close_form=form)


# --- crisis cases ---------------------------------------------------------------------------


@access.scoped(CrisisCase, "view")
def crisis_list(request: HttpRequest) -> HttpResponse:
    """The crisis cases of the user's hotlines: those without contact past due first."""
    user = request.user
    hotlines = selectors.record_hotlines(user)
    _hotline_filter(request, hotlines)
    form = forms.crisis_filter(request.GET or None, hotlines)
    values = form.values()
    now = timezone.now()
    qs = selectors.crises(user, hotline=values.get("hotline"), status=values["status"],
                          overdue=bool(values.get("overdue")), now=now)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    selectors.record_crisis_reads(user, page.object_list, page="crisis_list")
    for case in page.object_list:
        case.reason_label = services.reason_label(case.reason)
    return render(request, "hotline/crisis_list.html", {"form": form, "page": page, "now": now})


def _crisis_url(case: CrisisCase) -> str:
    return reverse("hotline:crisis_detail", args=[case.pk])


def _crisis_page(request: HttpRequest, case: CrisisCase, **bound: Any) -> HttpResponse:
    user = request.user
    selectors.record_crisis_reads(user, [case], page="crisis")
    now = timezone.now()
    targets = services.crisis_targets(user, case)
    active = case.is_active
    return render(
        request,
        "hotline/crisis_detail.html",
        {
            "case": case,
            "reason": services.reason_label(case.reason),
            "alerts": selectors.crisis_alerts(case),
            "timeline": selectors.crisis_timeline(case),
            "callbacks": list(case.callbacks.order_by("pk")),
            "late": active and case.first_contact_at is None and not case.handover_to and case.due_at is not None
            and case.due_at < now,
            "needs_handover": services.needs_handover(case),
            "active": active,
            "can_hand_over": active and case.status in (CrisisStatus.OPEN, CrisisStatus.CONTACTED),
            "transitions": [(t, CrisisStatus(t).label) for t in targets],
            "reason_required": bool(CrisisCase.lifecycle.reason_targets(case.status, targets)),
            "assess_form": bound.get("assess_form") or forms.RiskAssessmentForm(
                version=case.version,
                initial={
                    "ideation": forms.tristate_initial(case.ideation),
                    "plan": forms.tristate_initial(case.plan),
                    "means": forms.tristate_initial(case.means),
                    "past_attempts": forms.tristate_initial(case.past_attempts),
                    "protective_factors": case.protective_factors,
                    "note": case.assessment_note,
                    "risk": case.risk,
                },
            ),
            "contact_form": bound.get("contact_form") or forms.ContactForm(version=case.version),
            "handover_form": bound.get("handover_form") or forms.HandoverForm(
                version=case.version, initial={"at": forms.local_now()}
            ),
            "status_form": bound.get("status_form") or forms.CrisisStatusForm(version=case.version),
            "note_form": bound.get("note_form") or forms.NoteForm(),
        },
    )


@access.scoped(CrisisCase, "view", lookup="pk", queryset=_crises)
def crisis_detail(request: HttpRequest, case: CrisisCase) -> HttpResponse:
    """A crisis case: why and when it was opened, the risk assessment, the first contact, the
    hand-over, its callbacks and timeline, and the forms to go on."""
    return _crisis_page(request, case)


@access.scoped(CrisisCase, "record", lookup="pk", queryset=_crises)
@require_POST
def crisis_assess(request: HttpRequest, case: CrisisCase) -> HttpResponse:
    form = forms.RiskAssessmentForm(request.POST)
    return _submit(
        request, form, services.assess_crisis,
        lambda data: {
            "case": case, "ideation": data["ideation"], "plan": data["plan"], "means": data["means"],
            "past_attempts": data["past_attempts"], "protective_factors": data["protective_factors"],
            "note": data["note"], "risk": data["risk"], "version": data["version"],
        },
        done=_("Risk assessment recorded."), to=_crisis_url(case),
    ) or _crisis_page(request, case, assess_form=form)


@access.scoped(CrisisCase, "record", lookup="pk", queryset=_crises)
@require_POST
def crisis_contact(request: HttpRequest, case: CrisisCase) -> HttpResponse:
    form = forms.ContactForm(request.POST)
    return _submit(
        request, form, services.record_contact,
        lambda data: {"case": case, "at": data["at"], "note": data["note"], "version": data["version"]},
        done=_("Contact recorded."), to=_crisis_url(case),
    ) or _crisis_page(request, case, contact_form=form)


@access.scoped(CrisisCase, "record", lookup="pk", queryset=_crises)
@require_POST
def crisis_handover(request: HttpRequest, case: CrisisCase) -> HttpResponse:
    form = forms.HandoverForm(request.POST)
    return _submit(
        request, form, services.hand_over,
        lambda data: {
            "case": case, "to": data["to"], "at": data["at"], "person": data["person"], "note": data["note"],
            "version": data["version"],
        },
        done=_("Hand-over recorded."), to=_crisis_url(case),
    ) or _crisis_page(request, case, handover_form=form)


@access.scoped(CrisisCase, "record", lookup="pk", queryset=_crises)
@require_POST
def crisis_status(request: HttpRequest, case: CrisisCase) -> HttpResponse:
    form = forms.CrisisStatusForm(request.POST)
    return _submit(
        request, form, services.change_crisis_status,
        lambda data: {"case": case, "to": data["to"], "note": data["note"], "version": data["version"]},
        done=lambda changed: _("The crisis case is now “%(status)s”.") % {"status": CrisisStatus(changed.status).label},
        to=_crisis_url(case),
    ) or _crisis_page(request, case, status_form=form)


@access.scoped(CrisisCase, "record", lookup="pk", queryset=_crises)
@require_POST
@idempotency.form
def crisis_note(request: HttpRequest, case: CrisisCase) -> HttpResponse:
    form = forms.NoteForm(request.POST)
    return _submit(
        request, form, services.add_crisis_note, lambda data: {"case": case, "text": data["text"]},
        done=_("Note added."), to=_crisis_url(case),
    ) or _crisis_page(request, case, note_form=form)


urlpatterns: list[Any] = [
    path("callbacks/", callback_list, name="callback_list"),
    path("callbacks/<int:pk>/", callback_detail, name="callback_detail"),
    path("callbacks/<int:pk>/claim/", callback_claim, name="callback_claim"),
    path("callbacks/<int:pk>/release/", callback_release, name="callback_release"),
    path("callbacks/<int:pk>/attempt/", callback_attempt, name="callback_attempt"),
    path("callbacks/<int:pk>/note/", callback_note, name="callback_note"),
    path("callbacks/<int:pk>/close/", callback_close, name="callback_close"),
    path("crisis/", crisis_list, name="crisis_list"),
    path("crisis/<int:pk>/", crisis_detail, name="crisis_detail"),
    path("crisis/<int:pk>/assess/", crisis_assess, name="crisis_assess"),
    path("crisis/<int:pk>/contact/", crisis_contact, name="crisis_contact"),
    path("crisis/<int:pk>/handover/", crisis_handover, name="crisis_handover"),
    path("crisis/<int:pk>/status/", crisis_status, name="crisis_status"),
    path("crisis/<int:pk>/note/", crisis_note, name="crisis_note"),
]


def _count_queue(user: Any) -> int | None:
    if not Callback.policy.may(user, "view"):
        return None
    return selectors.callbacks(user).count()


def _count_crises(user: Any) -> int | None:
    if not CrisisCase.policy.may(user, "view"):
        return None
    return selectors.crises(user).count()


MENU: list[MenuEntry] = [
    MenuEntry(
        gettext_lazy("Callbacks"), "hotline:callback_list", order=252, element_id="nx-nav-callbacks",
        visible=lambda user: Callback.policy.may(user, "view"), start=40, start_style="primary",
    ),
    MenuEntry(
        gettext_lazy("Crisis cases"), "hotline:crisis_list", order=254, element_id="nx-nav-crises",
        visible=lambda user: CrisisCase.policy.may(user, "view"),
    ),
]
COUNTERS: list[Counter] = [
    Counter("hotline_callbacks", gettext_lazy("Callbacks waiting"), _count_queue, "hotline:callback_list", order=620),
    Counter("hotline_crises", gettext_lazy("Active crisis cases"), _count_crises, "hotline:crisis_list", order=630),
]
HOME_PANELS: list[Any] = []

