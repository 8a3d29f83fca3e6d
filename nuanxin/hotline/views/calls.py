"""The call pages (接听登记): the list of the counsellor's hotlines' calls, a call's record,
logging and editing one (phone-first), the repeat caller's earlier contacts and the exact
register lookup (htmx, audited), a referral from a call, and the supervisor's export.

Every page that shows a call record audits the read (``hotline.call.read``)."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from nuanxin.accounts.models import User
from nuanxin.core import access, exports, idempotency
from nuanxin.core.errors import Conflict, ServiceError
from nuanxin.core.manifest import Counter, MenuEntry
from nuanxin.core.pages import add_service_error, run_service
from nuanxin.hotline.choices import CallerKind, CallOutcome, MemberKind, RiskLevel
from nuanxin.hotline.forms.calls import CallEditForm, CallFilter, CallForm, ExportForm, ReferralForm
from nuanxin.hotline.models import Call, Hotline, HotlineMember
from nuanxin.hotline.selectors import calls as selectors
from nuanxin.hotline.services import calls as services
from nuanxin.hotline.services import exports as export_services
from nuanxin.hotline.services import referrals as referral_services
from nuanxin.registry.models import FamilyMember, Worker

PER_PAGE = 30


def _calls(request) -> Any:
    return Call.objects.select_related(
        "hotline__organisation", "line", "counsellor", "worker__organisation", "family_member__worker__organisation"
    )


def _hotline(request, pk: Any, action: str = "record") -> Hotline:
    """One of the user's hotlines (404 for any other: the same answer as a missing one)."""
    for hotline in selectors.recordable_hotlines(request.user, action):
        if str(hotline.pk) == str(pk):
            return hotline
    raise Http404


def _assessment_url(call: Call) -> str | None:
    """Area D's page for a scale taken during the call, if it is installed."""
    try:
        return reverse("hotline:assessment_take") + f"?call={call.pk}"
    except NoReverseMatch:
        return None


def _counsellors(hotlines: list[Hotline]) -> list[Any]:
    ids = HotlineMember.objects.filter(
        hotline__in=hotlines, kind__in=[MemberKind.COUNSELLOR, MemberKind.SUPERVISOR]
    ).values("user_id")
    return list(User.objects.filter(pk__in=ids).order_by("username"))


# --- the list and the record -----------------------------------------------------------------


@access.scoped(Call, "view")
def call_list(request):
    """The calls of the user's hotlines, newest first; filters: hotline, days, risk, counsellor."""
    user = request.user
    hotlines = selectors.recordable_hotlines(user, "view")
    form = CallFilter(request.GET or None, hotlines=hotlines, counsellors=_counsellors(hotlines))
    values = form.values()
    hotline = next((h for h in hotlines if h.pk == values.get("hotline")), None)
    counsellor = User.objects.filter(pk=values["counsellor"]).first() if values.get("counsellor") else None
    qs = selectors.calls(
        user,
        hotline=hotline,
        start=values.get("start"),
        end=values.get("end"),
        risk=values.get("risk") or None,
        counsellor=counsellor,
    )
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    selectors.record_reads(user, page.object_list, page="call_list")
    return render(
        request,
        "hotline/call_list.html",
        {
            "form": form,
            "page": page,
            "may_record": bool(selectors.recordable_hotlines(user)),
            "may_export": bool(selectors.recordable_hotlines(user, "export")),
        },
    )


@access.scoped(Call, "view", lookup="pk", queryset=_calls)
def call_detail(request, call: Call):
    """A call's record, its referrals, and what followed it (crisis case, callback)."""
    selectors.record_reads(request.user, [call], page="call_detail")
    selectors.labelled([call])
    return render(
        request,
        "hotline/call_detail.html",
        {
            "call": call,
            "referrals": list(call.referrals.select_related("created_by", "difficulty")),
            "crisis_cases": list(call.crisis_cases.all()),
            "callbacks": list(call.callbacks.select_related("preferred_counsellor")),
            "assessments": selectors.with_band_labels(call.assessments.all()),
            "may_record": Call.policy.allows(request.user, "record", call),
            "assessment_url": _assessment_url(call),
        },
    )


# --- logging and editing -------------------------------------------------------------------


def _link(request, form, hotline: Hotline) -> tuple[bool, dict[str, Any]]:
    """The register link the form asks for (resolved by the exact lookup): ``(ok, values)``."""
    data = form.cleaned_data
    if not data.get("link"):
        return True, {}
    kind = data["caller_kind"]
    try:
        person = selectors.find_registered(request.user, hotline, data["link_mobile"], kind)
    except ServiceError as exc:
        add_service_error(form, exc)
        return False, {}
    if person is None:
        form.add_error("link_mobile", _("No one in the register of this hotline's organisation has this mobile."))
        return False, {}
    if isinstance(person, Worker):
        return True, {"worker": person, "family_member": None}
    return True, {"worker": None, "family_member": person}


def _form_page(request, hotline: Hotline, form, call: Call | None = None, **extra: Any):
    return render(
        request,
        "hotline/call_form.html",
        {"hotline": hotline, "form": form, "call": call, "caller_kinds": CallerKind, **extra},
    )


@access.scoped(Call, "record")
@require_http_methods(["GET", "POST"])
@idempotency.form
def call_create(request):
    """Log a call (one tap from home): the hotline is the counsellor's only one, or chosen."""
    hotlines = selectors.recordable_hotlines(request.user)
    chosen = request.POST.get("hotline") or request.GET.get("hotline")
    if chosen:
        hotline = _hotline(request, chosen)
    elif len(hotlines) == 1:
        hotline = hotlines[0]
    elif not hotlines:
        raise Http404
    else:
        return render(request, "hotline/call_choose.html", {"hotlines": hotlines})
    form = CallForm(request.POST if request.method == "POST" else None, hotline=hotline)
    if request.method == "POST" and form.is_valid():
        linked, link = _link(request, form, hotline)
        if linked:
            ok, call = run_service(
                form, services.record_call, actor=request.user, hotline=hotline, **form.service_values(), **link
            )
            if ok:
                messages.success(request, _("Call logged."))
                if call.risk in (RiskLevel.HIGH, RiskLevel.IMMINENT):
                    messages.warning(request, _("A crisis case was opened and the supervisors were told."))
                elif call.outcome == CallOutcome.CALLBACK:
                    messages.info(request, _("The callback is in the hotline's queue."))
                return redirect("hotline:call_detail", pk=call.pk)
    return _form_page(request, hotline, form)


@access.scoped(Call, "record", lookup="pk", queryset=_calls)
@require_http_methods(["GET", "POST"])
def call_update(request, call: Call):
    """Edit a call record. The form carries the version it was opened at: someone who saved
    the record since makes it a conflict (nothing saved, their version shown)."""
    hotline = call.hotline
    initial = CallEditForm.initial_for(call)
    if request.method != "POST":
        selectors.record_reads(request.user, [call], page="call_update")
        form = CallEditForm(initial=initial, hotline=hotline, version=call.version)
        return _form_page(request, hotline, form, call)
    form = CallEditForm(request.POST, initial=initial, hotline=hotline)
    if form.is_valid():
        linked, link = _link(request, form, hotline)
        if form.cleaned_data.get("unlink"):
            link = {"worker": None, "family_member": None}
        if linked:
            ok, result = run_service(
                form,
                partial(services.update_call, call=call),
                actor=request.user,
                version=form.cleaned_data["version"],
                **form.service_values(),
                **link,
            )
            if ok:
                messages.success(request, _("Call record saved."))
                return redirect("hotline:call_detail", pk=call.pk)
            if isinstance(result, Conflict):
                current = Call.objects.get(pk=call.pk)
                data = request.POST.copy()
                data["version"] = str(current.version)
                form = CallEditForm(data, initial=initial, hotline=hotline)
                form.is_valid()
                form.add_error(None, result.message)
                selectors.record_reads(request.user, [current], page="call_update")
                return _form_page(request, hotline, form, call, conflict=current)
    return _form_page(request, hotline, form, call)


# --- the htmx lookups ----------------------------------------------------------------------


@access.scoped(Call, "record")
@require_POST
def call_caller_history(request, hotline_pk: int):
    """The earlier contacts with this hotline of a caller who consented (their number's key):
    dates, counsellor, topics, risk. Audited; never another hotline's."""
    hotline = _hotline(request, hotline_pk)
    number = (request.POST.get("callback_number") or "").strip()
    context: dict[str, Any] = {"hotline": hotline}
    if not request.POST.get("callback_consent"):
        context["message"] = _("Earlier contacts are looked up only with the caller's consent to a callback.")
    elif not number:
        context["message"] = _("Enter the number to look up earlier contacts.")
    else:
        exclude = None
        if (request.POST.get("call") or "").isdigit():
            exclude = Call.objects.filter(pk=int(request.POST["call"]), hotline=hotline).first()
        try:
            context["contacts"] = selectors.earlier_contacts(request.user, hotline, number, exclude=exclude)
        except ServiceError as exc:
            context["message"] = exc.message
    return render(request, "hotline/call_part_history.html", context)


@access.scoped(Call, "record")
@require_POST
def call_register_lookup(request, hotline_pk: int):
    """The one worker or family member of the register with exactly this mobile, inside the
    hotline organisation's subtree: name and unit only. Audited."""
    hotline = _hotline(request, hotline_pk)
    kind = request.POST.get("caller_kind") or CallerKind.WORKER
    mobile = (request.POST.get("link_mobile") or "").strip()
    context: dict[str, Any] = {"hotline": hotline}
    if not request.POST.get("link"):
        context["message"] = _("Link the call only when the caller agrees: tick the box first.")
    elif not mobile:
        context["message"] = _("Enter the mobile the caller is registered with.")
    else:
        try:
            person = selectors.find_registered(request.user, hotline, mobile, kind)
        except ServiceError as exc:
            context["message"] = exc.message
        else:
            if person is None:
                context["message"] = _("No one in the register of this hotline's organisation has this mobile.")
            else:
                context["person"] = person
                context["unit"] = selectors.unit_of(person)
                context["is_family"] = isinstance(person, FamilyMember)
    return render(request, "hotline/call_part_register.html", context)


# --- referral ------------------------------------------------------------------------------


@access.scoped(Call, "record", lookup="pk", queryset=_calls)
@require_http_methods(["GET", "POST"])
@idempotency.form
def referral_create(request, call: Call):
    """Refer the caller: to the mental-health centre, a hospital, legal aid or the union's care
    work (a difficulty holding only the summary the caller agreed to share)."""
    form = ReferralForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        ok, referral = run_service(
            form, partial(referral_services.refer, call=call), actor=request.user, **form.service_values()
        )
        if ok:
            if referral.difficulty_id:
                messages.success(request, _("Referred: the union's care work has the summary as a difficulty."))
            else:
                messages.success(request, _("Referral recorded."))
            return redirect("hotline:call_detail", pk=call.pk)
    return render(
        request,
        "hotline/referral_form.html",
        {"call": call, "form": form, "linked": bool(call.worker_id or call.family_member_id)},
    )


# --- export --------------------------------------------------------------------------------


@access.scoped(Call, "export")
@require_http_methods(["GET", "POST"])
def call_export(request):
    """A supervisor exports the hotline's call records and assessments of a date range (xlsx),
    giving a reason (audited with the row count)."""
    hotlines = selectors.recordable_hotlines(request.user, "export")
    if not hotlines:
        raise Http404
    form = ExportForm(request.POST if request.method == "POST" else None, hotlines=hotlines)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        hotline = _hotline(request, data["hotline"], "export")
        ok, result = run_service(
            form,
            export_services.export_records,
            actor=request.user,
            hotline=hotline,
            start=data["start"],
            end=data["end"],
            reason=data["reason"],
        )
        if ok:
            return exports.file_response(result.content, result.filename)
    return render(request, "hotline/export_form.html", {"form": form})


def _may_log(user: Any) -> bool:
    return Call.policy.may(user, "record") and bool(selectors.recordable_hotlines(user))


def _may_view(user: Any) -> bool:
    return Call.policy.may(user, "view")


def count_recent(user: Any) -> int | None:
    """Today's calls of the user's hotlines (home counter); None for who sees no call."""
    if not _may_view(user):
        return None
    today = timezone.localdate()
    return selectors.calls(user, start=today, end=today).count()


urlpatterns: list = [
    path("calls/", call_list, name="call_list"),
    path("calls/new/", call_create, name="call_create"),
    path("calls/export/", call_export, name="call_export"),
    path("calls/<int:pk>/", call_detail, name="call_detail"),
    path("calls/<int:pk>/edit/", call_update, name="call_update"),
    path("calls/<int:pk>/refer/", referral_create, name="referral_create"),
    path("<int:hotline_pk>/calls/earlier-contacts/", call_caller_history, name="call_caller_history"),
    path("<int:hotline_pk>/calls/register-lookup/", call_register_lookup, name="call_register_lookup"),
]
MENU: list = [
    MenuEntry(
        gettext_lazy("Calls"),
        "hotline:call_list",
        visible=_may_view,
        order=250,
        element_id="nx-menu-calls",
    ),
    MenuEntry(
        gettext_lazy("Log a call"),
        "hotline:call_create",
        visible=lambda user: False,  # not in the bar: the home page's start row only
        order=251,
        element_id="nx-start-log-call",
        start=5,
        start_style="primary-lg",
        start_visible=_may_log,
    ),
]
COUNTERS: list = [
    Counter("hotline_calls_today", gettext_lazy("Calls logged today"), count_recent, "hotline:call_list", order=610),
]
HOME_PANELS: list = []
