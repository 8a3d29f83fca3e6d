"""The difficulty pages: the list with its filters, a difficulty with its timeline, status,
notes and owner, and recording one outside a visit. Health and psychological records shown
are audited as reads."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from nuanxin.care import forms, hooks, pages, selectors, services
from nuanxin.care.choices import DifficultyStatus
from nuanxin.care.models import Difficulty
from nuanxin.care.views.common import PER_PAGE, posted, submit, workers
from nuanxin.cases import services as cases
from nuanxin.core import access, idempotency, roles
from nuanxin.registry.models import Worker


def _difficulties(request):
    return Difficulty.objects.select_related("worker__organisation", "owner", "campaign", "visit", "created_by")


def _detail_url(difficulty: Difficulty) -> str:
    return reverse("care:difficulty_detail", kwargs={"pk": difficulty.pk})


@access.scoped(Difficulty, "view")
def difficulty_list(request):
    """Difficulties in scope, filtered by status, category, urgency, overdue, organisation;
    oldest due first."""
    user = request.user
    picker = pages.org_picker(user, roles.REGISTER_VIEW, request.GET.get("org"))
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


def _detail_page(request, difficulty: Difficulty, **bound):
    """The difficulty's page, with the form just posted (``transition_form``, ``note_form`` or
    ``owner_form``) in place of a fresh one."""
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
            "followups": hooks.followup_links(user, difficulty.worker),
        },
    )


@access.scoped(Difficulty, "view", lookup="pk", queryset=_difficulties)
def difficulty_detail(request, difficulty: Difficulty):
    """A difficulty with its timeline, the allowed transitions, notes and (admins) the owner."""
    return _detail_page(request, difficulty)


@access.scoped(Difficulty, "change", lookup="pk", queryset=_difficulties)
@require_POST
def difficulty_transition(request, difficulty: Difficulty):
    form = forms.TransitionForm(request.POST)
    return submit(
        request,
        form,
        services.change_difficulty_status,
        lambda data: {"difficulty": difficulty, "to": data["to"], "note": data["note"], "version": data["version"]},
        done=lambda _changed: _("The difficulty is now “%(status)s”.")
        % {"status": DifficultyStatus(form.cleaned_data["to"]).label},
        to=_detail_url(difficulty),
    ) or _detail_page(request, difficulty, transition_form=form)


@access.scoped(Difficulty, "change", lookup="pk", queryset=_difficulties)
@require_POST
@idempotency.form
def difficulty_note(request, difficulty: Difficulty):
    form = forms.NoteForm(request.POST)
    return submit(
        request,
        form,
        services.add_difficulty_note,
        lambda data: {"difficulty": difficulty, "text": data["text"]},
        done=_("Note added."),
        to=_detail_url(difficulty),
    ) or _detail_page(request, difficulty, note_form=form)


@access.scoped(Difficulty, "manage", lookup="pk", queryset=_difficulties)
@require_POST
def difficulty_owner(request, difficulty: Difficulty):
    form = forms.OwnerForm(request.POST, candidates=pages.owner_candidates(difficulty.worker))
    return submit(
        request,
        form,
        services.update_difficulty,
        lambda data: {"difficulty": difficulty, "owner": data["owner"], "version": data["version"]},
        done=lambda _changed: _("%(user)s now owns this difficulty.") % {"user": form.cleaned_data["owner"]},
        to=_detail_url(difficulty),
    ) or _detail_page(request, difficulty, owner_form=form)


@access.scoped(Worker, "view", lookup="pk", queryset=workers)
@require_http_methods(["GET", "POST"])
@idempotency.form
def difficulty_create(request, worker: Worker):
    """Record a difficulty of a family outside a visit."""
    if not cases.may_open(request.user, Difficulty, worker):
        raise PermissionDenied
    form = forms.DifficultyCreateForm(posted(request))
    return submit(
        request,
        form,
        services.open_difficulty,
        lambda data: {"worker": worker, "campaign": selectors.current_campaign(), **data},
        done=_("Difficulty recorded."),
        to=_detail_url,
    ) or render(request, "care/difficulty_form.html", {"worker": worker, "form": form})
