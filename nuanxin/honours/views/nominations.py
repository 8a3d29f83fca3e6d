"""The nomination pages (phone first): a call's board per level (what each level in the user's
reach has to review, quotas used and left, counts by status, frontline nominees marked), a new
nomination (a unit union: the award type, then the nominee by the award's recipient kind, the
story, photos and documents), the nomination's page (nominee, frontline facts beside the story,
files, timeline, objections, and the actions this user may take at its level), its edit, and the
certificate as PDF.

Who may do what is ``Nomination.policy`` (administrators of the unit and every level above;
auditors read) and the services' rules (the level a nomination is at, quotas, the notice);
a nomination outside the user's reach is the same 404 as a missing one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from nuanxin.core import access, attachments, idempotency, pdf
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.pages import posted, run_service
from nuanxin.honours.choices import CallStatus, NominationStatus, RecipientKind
from nuanxin.honours.forms import nominations as forms
from nuanxin.honours.models import STORY_MAX, AwardType, Call, Nomination, Objection
from nuanxin.honours.selectors import figures as figure_selectors
from nuanxin.honours.selectors import nominations as selectors
from nuanxin.honours.services import certificates
from nuanxin.honours.services import nominations as services
from nuanxin.orgs import scope
from nuanxin.orgs.choices import OrgKind
from nuanxin.orgs.models import Organisation
from nuanxin.registry.models import Worker
from nuanxin.registry.selectors import search_workers

SEARCH_RESULTS = 20

# The buttons of the actions, in the order shown: (label, Bootstrap style).
ACTION_LABELS: dict[str, tuple[Any, str]] = {
    services.SUBMIT: (gettext_lazy("Submit for review"), "primary"),
    services.RECOMMEND: (gettext_lazy("Recommend to the next level"), "success"),
    services.NOTICE: (gettext_lazy("Start the public notice"), "success"),
    services.AWARD: (gettext_lazy("Award"), "success"),
    services.RETURN: (gettext_lazy("Return for changes"), "warning"),
    services.NOT_AWARD: (gettext_lazy("Do not award"), "danger"),
    services.REJECT: (gettext_lazy("Reject"), "danger"),
    services.WITHDRAW: (gettext_lazy("Withdraw"), "secondary"),
}
NOTE_LABELS: dict[str, Any] = {
    services.RETURN: gettext_lazy("What should be changed"),
    services.REJECT: gettext_lazy("Why it is rejected"),
    services.WITHDRAW: gettext_lazy("Why it is withdrawn"),
    services.NOT_AWARD: gettext_lazy("Why it is not awarded"),
}


def _nominations(request: HttpRequest) -> Any:
    return Nomination.objects.select_related(
        "call", "award_type", "worker__organisation", "nominee_organisation", "organisation", "at_organisation"
    )


def _url(nomination: Nomination) -> str:
    return reverse("honours:nomination_detail", kwargs={"pk": nomination.pk})


def _call(request: HttpRequest, pk: Any) -> Call:
    call = cast(Call, access.get_scoped_or_404(Call, request.user, "view", pk=pk))
    if call.status == CallStatus.DRAFT and not Call.policy.allows(request.user, "manage", call):
        raise Http404
    return call


# --- the board ------------------------------------------------------------------------------


@access.scoped(Nomination, "view")
def call_board(request: HttpRequest, pk: int) -> HttpResponse:
    """A call's nominations board at one level (``?level=<code>``, one of the user's reviewing
    levels; the highest by default)."""
    user = request.user
    call = _call(request, pk)
    levels = selectors.levels_for(user)
    wanted = request.GET.get("level")
    level = None
    if wanted:
        level = next((org for org in levels if org.code == wanted), None)
        if level is None:
            raise Http404
    elif levels:
        level = levels[0]
    board = selectors.board(user, call, level) if level is not None else None
    listed = None if board is not None else list(selectors.nominations_for(user, call))
    return render(
        request,
        "honours/call_board.html",
        {
            "call": call,
            "levels": levels,
            "level": level,
            "board": board,
            "listed": listed,
            "manage": Call.policy.allows(user, "manage", call),
            "may_nominate": call.status == CallStatus.OPEN and Nomination.policy.may(user, "nominate"),
            "may_report": Nomination.policy.may(user, "report"),
            "statuses": NominationStatus.choices,
            "version_form": _version_form(call),
        },
    )


def _version_form(call: Call) -> Any:
    from nuanxin.honours.forms.catalogue import VersionForm

    return VersionForm(version=call.version)


# --- a new nomination ------------------------------------------------------------------------


def _units(user: Any) -> Any:
    """The unit unions ``user`` may nominate for (the organisations of kind unit union in their
    scope for "nominate"; any organisation below the root when there is none)."""
    q = scope.scope_q(user, Nomination.policy.roles("nominate"), "path")
    if q is None:
        return Organisation.objects.none()
    below_root = Organisation.objects.filter(q, depth__gt=1).order_by("path")
    units = below_root.filter(kind=OrgKind.UNIT_UNION)
    return units if units.exists() else below_root


def _workers(user: Any) -> Any:
    return Worker.objects.for_user(user, "view").select_related("organisation").order_by("name_pinyin", "id")


@access.scoped(Nomination, "nominate")
@require_http_methods(["GET", "POST"])
@idempotency.form
def nomination_create(request: HttpRequest, call_id: int) -> HttpResponse:
    """Step 1: the award type (``?award_type=``); step 2: the nominee as its recipient kind says
    (a worker found by ``?q=``, a unit or a team), the story, photos and documents."""
    user = request.user
    call = _call(request, call_id)
    award_types = list(call.award_types.order_by("level", "name", "id"))
    chosen = request.POST.get("award_type") or request.GET.get("award_type")
    award_type = next((at for at in award_types if str(at.pk) == chosen), None)
    context: dict[str, Any] = {"call": call, "award_types": award_types, "award_type": award_type,
                               "open": call.status == CallStatus.OPEN, "story_max": STORY_MAX}
    if award_type is None:
        return render(request, "honours/nomination_create.html", context)
    units = _units(user)
    workers = _workers(user)
    searching = _searching(request)
    q = _query(request)
    found: list[Worker] = []
    if award_type.recipient == RecipientKind.PERSON:
        if q:
            found = list(search_workers(workers, q)[:SEARCH_RESULTS])
        picked = request.POST.get("worker")
        if picked and picked.isascii() and picked.isdigit() and all(str(w.pk) != picked for w in found):
            found = [*workers.filter(pk=int(picked)), *found]
    initial: dict[str, Any] = {}
    if units.count() == 1:
        initial["organisation"] = units.first()
    if searching:  # the search button of the form: everything typed comes back, nothing is checked yet
        initial.update(_kept(request, ("organisation", "worker", "nominee_organisation", "team_name", "story")))
        _files_not_kept(request)
    form = forms.NominationCreateForm(
        None if searching else posted(request), None if searching else request.FILES or None, initial=initial,
        recipient=award_type.recipient, units=units,
        workers=workers.filter(pk__in=[w.pk for w in found]) if request.method == "GET" or searching else workers,
        organisations=units,
    )
    context.update({"form": form, "q": q, "found": found, "searched": bool(q)})
    if form.is_bound and form.is_valid():
        nomination = _create(request, form, call, award_type)
        if nomination is not None:
            messages.success(
                request, _("Nomination saved as a draft. Check it, then submit it for review.")
            )
            return redirect(_url(nomination))
    if form.is_bound and "worker" in form.fields:  # the worker chosen stays offered when the form comes back
        worker_field: Any = form.fields["worker"]
        worker_field.queryset = workers.filter(pk__in=[w.pk for w in found])
    return render(request, "honours/nomination_create.html", context)


def _searching(request: HttpRequest) -> bool:
    """Whether the form's own search button (``action=search``) sent it: the worker search is a
    button of the nomination form, so a search keeps the story and everything else typed."""
    return request.method == "POST" and request.POST.get("action") == "search"


def _query(request: HttpRequest) -> str:
    """The worker search's text: from the form (POST) or the address (``?q=``, GET)."""
    source = request.POST if request.method == "POST" else request.GET
    return (source.get("q") or "").replace("\x00", "").strip()


def _kept(request: HttpRequest, names: tuple[str, ...]) -> dict[str, str]:
    """What was typed into the form's fields ``names``, to show again after a search."""
    return {name: request.POST[name].replace("\x00", "") for name in names if request.POST.get(name)}


def _files_not_kept(request: HttpRequest) -> None:
    if request.FILES:
        messages.info(request, _("Files you had chosen were not kept: choose the photos and documents again "
                                 "before saving."))


def _create(request: HttpRequest, form: Any, call: Call, award_type: AwardType) -> Nomination | None:
    """The nomination and its files in one transaction: a refused file leaves nothing saved."""
    data = form.cleaned_data
    try:
        with transaction.atomic():
            ok, nomination = run_service(
                form, lambda: services.nominate(
                    actor=request.user, call=call, award_type=award_type, organisation=data["organisation"],
                    story=data["story"], **form.nominee_values(),
                ),
            )
            if not ok:
                return None
            for upload in data.get("uploads") or []:
                ok, _file = run_service(
                    form, services.add_file, nomination, actor=request.user, uploaded_file=upload,
                    on_error=_file_error(form, upload.name),
                )
                if not ok:
                    raise _Rollback
    except _Rollback:
        return None
    return nomination


class _Rollback(Exception):
    pass


def _file_error(form: Any, name: str) -> Callable[[ServiceError], None]:
    """A refused file's message on the form's file field, with the file's name."""

    def place(exc: ServiceError) -> None:
        form.add_error("uploads", f"{name}: {exc.message}")

    return place


# --- the nomination's page ---------------------------------------------------------------------


def _action_forms(nomination: Nomination, actions: list[str], bound: Any = None) -> list[dict[str, Any]]:
    result = []
    for action in actions:
        label, style = ACTION_LABELS.get(action, (action, "secondary"))
        if bound is not None and bound.data.get("action") == action:
            form = bound
        else:
            form = forms.ActionForm(version=nomination.version, initial={"action": action})
        needs_note = action in services.NOTE_REQUIRED
        result.append({"action": action, "label": label, "style": style, "form": form, "needs_note": needs_note,
                       "note_label": NOTE_LABELS.get(action, gettext_lazy("Comment (optional)"))})
    return result


def _page(request: HttpRequest, nomination: Nomination, **bound: Any) -> HttpResponse:
    user = request.user
    actions = services.available_actions(user, nomination)
    may_edit = services.may_edit(user, nomination)
    may_object = services.may_object(user, nomination)
    quota_left = None
    if services.RECOMMEND in actions or services.NOTICE in actions:
        quota_left = selectors.quota_left(nomination.call, nomination.at_organisation, nomination.award_type)
    objections = list(nomination.objections.select_related("recorded_by", "answered_by"))
    return render(
        request,
        "honours/nomination_detail.html",
        {
            "nomination": nomination,
            "facts": figure_selectors.frontline_facts(nomination.worker) if nomination.worker_id else None,
            "files": list(attachments.for_owner(nomination).order_by("created_at", "id")),
            "timeline": list(nomination.notes.select_related("author", "level").order_by("at", "id")),
            "objections": objections,
            "actions": _action_forms(nomination, actions, bound.get("action_form")),
            "may_edit": may_edit,
            "may_object": may_object,
            "may_note": Nomination.policy.allows(user, "review", nomination),
            "quota_left": quota_left,
            "file_form": bound.get("file_form") or forms.FileForm(),
            "note_form": bound.get("note_form") or forms.NoteForm(),
            "objection_form": bound.get("objection_form") or forms.ObjectionForm(),
            "answer_forms": {o.pk: (bound.get("answer_form") if bound.get("answer_for") == o.pk else None)
                             or forms.AnswerForm(version=o.version) for o in objections},
            "awarded": nomination.status == NominationStatus.AWARDED,
            "story_max": STORY_MAX,
        },
    )


@access.scoped(Nomination, "view", lookup="pk", queryset=_nominations)
def nomination_detail(request: HttpRequest, nomination: Nomination) -> HttpResponse:
    return _page(request, nomination)


@access.scoped(Nomination, "nominate", lookup="pk", queryset=_nominations)
@require_http_methods(["GET", "POST"])
def nomination_edit(request: HttpRequest, nomination: Nomination) -> HttpResponse:
    """A draft's or a returned nomination's nominee and story."""
    user = request.user
    if not services.may_edit(user, nomination):
        messages.error(request, _("This nomination can no longer be changed."))
        return redirect(_url(nomination))
    workers = _workers(user)
    units = _units(user)
    searching = _searching(request)
    q = _query(request)
    found = list(search_workers(workers, q)[:SEARCH_RESULTS]) if q else []
    current = [nomination.worker] if nomination.worker_id else []
    offered = [*current, *[w for w in found if w.pk != nomination.worker_id]]
    picked = request.POST.get("worker")
    if picked and picked.isascii() and picked.isdigit() and all(str(w.pk) != picked for w in offered):
        offered = [*workers.filter(pk=int(picked)), *offered]
    initial = {"worker": nomination.worker, "nominee_organisation": nomination.nominee_organisation,
               "team_name": nomination.team_name, "story": nomination.story}
    version = nomination.version
    if searching:  # the search button of the form: what was typed comes back, at the version it was opened at
        initial.update(_kept(request, ("worker", "nominee_organisation", "team_name", "story")))
        opened = request.POST.get("version") or ""
        version = int(opened) if opened.isascii() and opened.isdigit() else version
    form = forms.NominationEditForm(
        None if searching else posted(request), initial=initial, version=version,
        recipient=nomination.award_type.recipient, workers=workers.filter(pk__in=[w.pk for w in offered]),
        organisations=units,
    )
    if form.is_bound and form.is_valid():
        values = form.nominee_values()
        if nomination.award_type.recipient == RecipientKind.PERSON:
            values = {"worker": values["worker"]}
        elif nomination.award_type.recipient == RecipientKind.UNIT:
            values = {"nominee_organisation": values["nominee_organisation"]}
        else:
            values = {"team_name": values["team_name"]}
        ok, _saved = run_service(form, services.update_nomination, nomination, actor=user,
                                 story=form.cleaned_data["story"], version=form.cleaned_data["version"], **values)
        if ok:
            messages.success(request, _("Nomination saved."))
            return redirect(_url(nomination))
    return render(request, "honours/nomination_edit.html",
                  {"form": form, "nomination": nomination, "q": q, "searched": bool(q), "found": found,
                   "story_max": STORY_MAX})


@access.scoped(Nomination, "review", lookup="pk", queryset=_nominations)
@require_POST
def nomination_action(request: HttpRequest, nomination: Nomination) -> HttpResponse:
    """One of the actions (submit, recommend, return, reject, withdraw, notice, award, not award)."""
    form = forms.ActionForm(request.POST)
    if form.is_valid():
        action = form.cleaned_data["action"]
        if action not in services.ACTIONS:
            raise Http404
        note = (form.cleaned_data.get("note") or "").strip()
        if action in services.NOTE_REQUIRED and not note:
            form.add_error("note", _("Say why: this step needs a comment or a reason."))
        else:
            ok, saved = run_service(form, services.apply, nomination, actor=request.user, action=action, note=note,
                                    version=form.cleaned_data["version"])
            if ok:
                messages.success(request, _done(saved, action))
                return redirect(_url(saved))
    fresh = Nomination.objects.filter(pk=nomination.pk).first() or nomination
    return _page(request, fresh, action_form=form)


def _done(nomination: Nomination, action: str) -> str:
    status = NominationStatus(nomination.status).label
    if action in (services.SUBMIT, services.RECOMMEND):
        return _("Sent to %(level)s for review.") % {"level": nomination.at_organisation.name}
    if action == services.RETURN:
        return _("Returned to %(unit)s for changes.") % {"unit": nomination.organisation.name}
    if action == services.NOTICE:
        return _("On public notice from %(start)s to %(end)s.") % {
            "start": nomination.notice_starts_on, "end": nomination.notice_ends_on}
    if action == services.AWARD:
        return _("Awarded: certificate number %(number)s.") % {"number": nomination.certificate_no}
    return _("The nomination is now “%(status)s”.") % {"status": status}


@access.scoped(Nomination, "nominate", lookup="pk", queryset=_nominations)
@require_POST
@idempotency.form
def nomination_file_add(request: HttpRequest, nomination: Nomination) -> HttpResponse:
    form = forms.FileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            with transaction.atomic():
                for upload in form.cleaned_data["uploads"]:
                    ok, _file = run_service(
                        form, services.add_file, nomination, actor=request.user, uploaded_file=upload,
                        on_error=_file_error(form, upload.name),
                    )
                    if not ok:
                        raise _Rollback
        except _Rollback:
            pass
        else:
            messages.success(request, _("Files added: %(count)d.") % {"count": len(form.cleaned_data["uploads"])})
            return redirect(_url(nomination))
    return _page(request, nomination, file_form=form)


@access.scoped(Nomination, "nominate", lookup="pk", queryset=_nominations)
@require_POST
def nomination_file_remove(request: HttpRequest, nomination: Nomination, file_id: int) -> HttpResponse:
    attachment = attachments.for_owner(nomination).filter(pk=file_id).first()
    if attachment is None:
        raise Http404
    try:
        services.remove_file(nomination, actor=request.user, attachment=attachment)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("File “%(name)s” removed.") % {"name": attachment.original_name})
    return redirect(_url(nomination))


@access.scoped(Nomination, "review", lookup="pk", queryset=_nominations)
@require_POST
@idempotency.form
def nomination_note(request: HttpRequest, nomination: Nomination) -> HttpResponse:
    form = forms.NoteForm(request.POST)
    if form.is_valid():
        ok, _note = run_service(form, services.comment, nomination, actor=request.user, text=form.cleaned_data["text"])
        if ok:
            messages.success(request, _("Note added."))
            return redirect(_url(nomination))
    return _page(request, nomination, note_form=form)


@access.scoped(Nomination, "decide", lookup="pk", queryset=_nominations)
@require_POST
@idempotency.form
def objection_create(request: HttpRequest, nomination: Nomination) -> HttpResponse:
    form = forms.ObjectionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        ok, _objection = run_service(form, services.record_objection, nomination, actor=request.user,
                                     text=data["text"], received_on=data.get("received_on"),
                                     raised_by=data.get("raised_by") or "")
        if ok:
            messages.success(request, _("Objection recorded. Answer it before the decision."))
            return redirect(_url(nomination))
    return _page(request, nomination, objection_form=form)


def _objections(request: HttpRequest) -> Any:
    return Objection.objects.select_related("nomination")


@access.scoped(Objection, "decide", lookup="pk", queryset=_objections)
@require_POST
def objection_answer(request: HttpRequest, objection: Objection) -> HttpResponse:
    form = forms.AnswerForm(request.POST)
    nomination = _nominations(request).get(pk=objection.nomination_id)
    if form.is_valid():
        data = form.cleaned_data
        ok, _saved = run_service(form, services.answer_objection, objection, actor=request.user,
                                 upheld=data["upheld"], answer=data["answer"], version=data["version"])
        if ok:
            messages.success(request, _("Objection answered."))
            return redirect(_url(nomination))
    return _page(request, nomination, answer_form=form, answer_for=objection.pk)


@access.scoped(Nomination, "view", lookup="pk", queryset=_nominations)
@require_safe
def nomination_certificate(request: HttpRequest, nomination: Nomination) -> HttpResponse:
    """The certificate (荣誉证书) of an awarded nomination as a PDF (audited by the service)."""
    try:
        content = certificates.certificate_pdf(actor=request.user, nomination=nomination)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except ServiceError as exc:  # not awarded, or the server cannot make PDFs
        messages.error(request, exc.message)
        return redirect(_url(nomination))
    return pdf.response(content, certificates.filename(nomination))


urlpatterns = [
    path("calls/<int:pk>/", call_board, name="call_board"),
    path("calls/<int:call_id>/nominate/", nomination_create, name="nomination_create"),
    path("nominations/<int:pk>/", nomination_detail, name="nomination_detail"),
    path("nominations/<int:pk>/edit/", nomination_edit, name="nomination_edit"),
    path("nominations/<int:pk>/action/", nomination_action, name="nomination_action"),
    path("nominations/<int:pk>/files/", nomination_file_add, name="nomination_file_add"),
    path("nominations/<int:pk>/files/<int:file_id>/remove/", nomination_file_remove, name="nomination_file_remove"),
    path("nominations/<int:pk>/notes/", nomination_note, name="nomination_note"),
    path("nominations/<int:pk>/objections/", objection_create, name="objection_create"),
    path("objections/<int:pk>/answer/", objection_answer, name="objection_answer"),
    path("nominations/<int:pk>/certificate.pdf", nomination_certificate, name="nomination_certificate"),
]
