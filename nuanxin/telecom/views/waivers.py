"""The fee waiver's pages (phone first): the lists per carrier (移动 / 联通 / 电信 / 其他 tabs,
status filters, flagged lines first, counts), a number's page with its history and the steps
this user may take, the dispatch (send a carrier's list: its document in table 3's layout), the
carrier's reply imported with its result, "update from table 3", and the figures (counts only:
viewers see them, never a name or a number).

Who may do what is ``Waiver.policy`` (administrators of the member's unit and above manage;
auditors read; viewers count); a line outside the user's reach is the same 404 as a missing one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from nuanxin.core import access, idempotency
from nuanxin.core.exports import file_response
from nuanxin.core.manifest import MenuEntry
from nuanxin.core.pages import run_service
from nuanxin.telecom.choices import OPEN_STATUSES, WaiverStatus
from nuanxin.telecom.forms import waivers as forms
from nuanxin.telecom.models import CarrierReply, Dispatch, Waiver
from nuanxin.telecom.selectors import waivers as selectors
from nuanxin.telecom.services import documents, lists, replies, transitions
from nuanxin.telecom.services.common import LISTS, list_of
from nuanxin.telecom.services.reminders import confirm_days, overdue_cutoff

PAGE_SIZE = 50
FILTERS = ("carrier", "status", "overdue", "flagged", "page")

MENU = [
    MenuEntry(pgettext_lazy("menu", "Telecom fee waiver"), "telecom:home", order=299,
              element_id="nx-nav-telecom", visible=lambda u: Waiver.policy.may(u, "report")),
]
COUNTERS: list = []
HOME_PANELS: list = []

STEP_LABELS: dict[str, tuple[Any, str]] = {
    transitions.CONFIRM: (gettext_lazy("Confirmed by the carrier"), "success"),
    transitions.CONFIRM_NO_CUTOFF: (gettext_lazy("“No cut-off” confirmed"), "outline-success"),
    transitions.END: (gettext_lazy("End: the member returned"), "secondary"),
    transitions.CONFIRM_CARRIER: (gettext_lazy("Confirm the carrier"), "warning"),
}


def _line_url(line: Waiver) -> str:
    return reverse("telecom:waiver_detail", kwargs={"pk": line.pk})


def _lines(request: HttpRequest) -> Any:
    return Waiver.objects.select_related("worker__organisation", "deployment", "dispatch", "reply", "replaced_by")


@access.scoped(Waiver, "report")
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The menu's entry: the lists for those who may see them, the figures for the others."""
    if Waiver.policy.may(request.user, "view"):
        carrier = request.GET.get("carrier") or ""
        if carrier in LISTS:  # /telecom/?carrier=unicom opens that tab
            return redirect(reverse("telecom:waiver_list") + "?" + urlencode({"carrier": carrier}))
        return redirect("telecom:waiver_list")
    return redirect("telecom:figures")


@access.scoped(Waiver, "view")
@require_safe
def waiver_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    carrier = request.GET.get("carrier") or "mobile"
    if carrier not in LISTS:
        raise Http404
    status = request.GET.get("status") or ""
    if status and status not in WaiverStatus.values:
        status = ""
    overdue = request.GET.get("overdue") == "1"
    flagged = request.GET.get("flagged") == "1"
    rows = selectors.lines(user, carrier=carrier, status=status or None, overdue=overdue, flagged=flagged)
    if not status and not overdue and not flagged:  # "current": listed, sent or confirmed
        rows = rows.filter(status__in=OPEN_STATUSES)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    tabs = selectors.tabs(user)
    tab = next(t for t in tabs if t.name == carrier)
    manage = Waiver.policy.may(user, "manage")
    return render(request, "telecom/waiver_list.html", {
        "tabs": tabs, "tab": tab, "carrier": carrier, "status": status, "overdue": overdue, "flagged": flagged,
        "statuses": [(code, label, tab.by_status.get(code, 0)) for code, label in WaiverStatus.choices],
        "page": page, "manage": manage, "confirm_days": confirm_days(),
        "not_listed": selectors.not_listed_yet(user) if manage else 0,
        "may_report": Waiver.policy.may(user, "report"),
        "dispatches": list(Dispatch.objects.for_user(user, "view").select_related("organisation")[:5]),
        "replies": list(CarrierReply.objects.for_user(user, "view").select_related("organisation")[:5]),
        "confirmable": (WaiverStatus.LISTED, WaiverStatus.SENT),
    })


def _page(request: HttpRequest, line: Waiver, bound: Any = None) -> HttpResponse:
    manage = Waiver.policy.allows(request.user, "manage", line)
    steps = transitions.available(line) if manage else []
    # A unit's line sent in a higher level's dispatch: the date, without the dispatch (not theirs).
    dispatch_visible = line.dispatch is not None and Dispatch.policy.allows(request.user, "view", line.dispatch)
    forms_ = []
    for step in steps:
        label, style = STEP_LABELS[step]
        form = bound if bound is not None and bound.data.get("transition") == step else forms.TransitionForm(
            version=line.version, initial={"transition": step})
        forms_.append({"step": step, "label": label, "style": style, "form": form})
    history = list(line.history.select_related("history_user").order_by("-history_date", "-history_id")[:50])
    return render(request, "telecom/waiver_detail.html", {
        "line": line, "steps": forms_, "history": history, "list": list_of(line.carrier),
        "dispatch_visible": dispatch_visible, "still_deployed": manage and transitions.still_deployed(line)
        and line.status in OPEN_STATUSES,
        "overdue": line.status == WaiverStatus.SENT and line.sent_at is not None and line.sent_at < overdue_cutoff(),
        "carrier_disagrees": bool(line.carrier and line.segment_carrier and line.carrier != line.segment_carrier),
    })


@access.scoped(Waiver, "view", lookup="pk", queryset=_lines)
@require_safe
def waiver_detail(request: HttpRequest, line: Waiver) -> HttpResponse:
    return _page(request, line)


@access.scoped(Waiver, "manage", lookup="pk", queryset=_lines)
@require_POST
def waiver_transition(request: HttpRequest, line: Waiver) -> HttpResponse:
    form = forms.TransitionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        ok, saved = run_service(form, transitions.apply, actor=request.user, line=line,
                                transition=data["transition"], version=data["version"], choice=data.get("choice") or "")
        if ok:
            messages.success(request, _("Saved: the number is now “%(status)s”.") % {
                "status": saved.get_status_display()})
            return redirect(_line_url(saved))
    # The forms' fields are hidden but the carrier's choice: their errors are said above the page.
    for field, errors in form.errors.as_data().items():
        if field != "choice":
            for error in errors:
                messages.error(request, " ".join(error.messages))
    fresh = _lines(request).filter(pk=line.pk).first() or line
    return _page(request, fresh, form)


def _back(query: str) -> str:
    """The list the form was sent from (its carrier and filters only)."""
    posted = QueryDict(query[:300])
    kept: dict[str, str] = {}
    for key in FILTERS:
        value = posted.get(key) or ""
        if isinstance(value, str) and value.isascii() and value.isalnum():
            kept[key] = value
    return reverse("telecom:waiver_list") + ("?" + urlencode(kept) if kept else "")


@access.scoped(Waiver, "manage")
@require_POST
def confirm_many(request: HttpRequest) -> HttpResponse:
    """Confirm the ticked numbers of a list by hand."""
    wanted = {int(v) for v in request.POST.getlist("lines") if v.isascii() and v.isdigit() and len(v) < 12}
    back = _back(request.POST.get("back", ""))
    if not wanted:
        messages.error(request, _("Choose at least one number to confirm."))
        return redirect(back)
    lines = list(Waiver.objects.for_user(request.user, "manage").filter(pk__in=wanted))
    if len(lines) != len(wanted):
        raise Http404
    form = forms.SyncForm(request.POST)
    ok, result = run_service(form, transitions.confirm_many, actor=request.user, lines=lines)
    if ok:
        messages.success(request, _("Numbers confirmed: %(count)d.") % {"count": result.confirmed})
        if result.flagged:
            messages.warning(request, _(
                "Numbers left unconfirmed because their carrier is to be confirmed first: %(count)d.") % {
                "count": result.flagged})
    else:
        messages.error(request, result.message)
    return redirect(back)


@access.scoped(Waiver, "manage")
@require_POST
def sync(request: HttpRequest) -> HttpResponse:
    """"Update from table 3": the lines of the user's reach brought up to date with the register."""
    form = forms.SyncForm(request.POST)
    ok, result = run_service(form, lists.sync, actor=request.user)
    if ok:
        messages.success(request, _(
            "Lists updated from table 3: %(created)d numbers listed, %(replaced)d changed numbers, %(updated)d "
            "lines updated, %(ended)d ended.") % {"created": result.created, "replaced": result.replaced,
                                                  "updated": result.updated, "ended": result.ended})
    else:
        messages.error(request, result.message)
    return redirect("telecom:waiver_list")


# --- dispatches ----------------------------------------------------------------------------


@access.scoped(Dispatch, "manage")
@require_http_methods(["GET", "POST"])
@idempotency.form
def dispatch_create(request: HttpRequest) -> HttpResponse:
    """Send a carrier's list: the listed numbers become "sent" with today's date; the list's
    document (xlsx) is then downloaded from the dispatch's page."""
    user = request.user
    initial = {"carrier": request.GET.get("carrier")} if request.GET.get("carrier") in LISTS else {}
    form = forms.SendForm(request.POST if request.method == "POST" else None, user=user, initial=initial)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        ok, dispatch = run_service(form, transitions.send, actor=user, carrier=data["carrier"],
                                   organisation=data["organisation"])
        if ok:
            messages.success(request, _("%(count)d numbers marked as sent. Download the list and send it to the "
                                        "carrier.") % {"count": dispatch.lines})
            undated = dispatch.waivers.filter(period_from__isnull=True).count()
            if undated:
                messages.warning(request, _(
                    "%(count)d numbers of this list have no departure date in the register: the carrier needs "
                    "the start of the waiver. Record the departure dates in the register.") % {"count": undated})
            return redirect("telecom:dispatch_detail", pk=dispatch.pk)
    waiting = []
    undated = selectors.undated(user)
    for tab in selectors.tabs(user):
        waiting.append({"tab": tab, "listed": tab.by_status.get(WaiverStatus.LISTED, 0),
                        "undated": undated.get(tab.name, 0)})
    return render(request, "telecom/dispatch_create.html", {
        "form": form, "waiting": waiting, "undated": sum(undated.values())})


def _dispatches(request: HttpRequest) -> Any:
    return Dispatch.objects.select_related("organisation", "created_by")


@access.scoped(Dispatch, "view", lookup="pk", queryset=_dispatches)
@require_safe
def dispatch_detail(request: HttpRequest, dispatch: Dispatch) -> HttpResponse:
    lines = Waiver.objects.for_user(request.user, "view").filter(dispatch=dispatch).select_related(
        "worker__organisation").order_by("worker__organisation__path", "worker__name_pinyin", "id")
    return render(request, "telecom/dispatch_detail.html", {
        "dispatch": dispatch, "lines": lines, "list": list_of(dispatch.carrier),
        "undated": lines.filter(period_from__isnull=True).count(),
    })


@access.scoped(Dispatch, "view", lookup="pk", queryset=_dispatches)
@require_safe
def dispatch_download(request: HttpRequest, dispatch: Dispatch) -> HttpResponse:
    """The list as sent (xlsx, table 3's layout with the waiver period). Audited."""
    result = documents.export(actor=request.user, dispatch=dispatch)
    return file_response(result.content, result.filename, result.content_type)


# --- carriers' replies ---------------------------------------------------------------------


@access.scoped(CarrierReply, "manage")
@require_http_methods(["GET", "POST"])
@idempotency.form
def reply_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    initial = {"carrier": request.GET.get("carrier")} if request.GET.get("carrier") in LISTS else {}
    form = forms.ReplyForm(request.POST if request.method == "POST" else None,
                           request.FILES if request.method == "POST" else None, user=user, initial=initial)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        ok, reply = run_service(form, replies.import_reply, actor=user, carrier=data["carrier"],
                                organisation=data["organisation"], uploaded_file=data["file"],
                                no_cutoff=bool(data.get("no_cutoff")))
        if ok:
            messages.success(request, _("Reply imported: %(count)d numbers confirmed.") % {"count": reply.confirmed})
            return redirect("telecom:reply_detail", pk=reply.pk)
    return render(request, "telecom/reply_create.html", {"form": form})


def _replies(request: HttpRequest) -> Any:
    return CarrierReply.objects.select_related("organisation", "created_by")


@access.scoped(CarrierReply, "view", lookup="pk", queryset=_replies)
@require_safe
def reply_detail(request: HttpRequest, reply: CarrierReply) -> HttpResponse:
    unmatched = [{**row, "problem_label": replies.problem_label(str(row.get("problem", "")))}
                 for row in (reply.unmatched or []) if isinstance(row, dict)]
    confirmed = Waiver.objects.for_user(request.user, "view").filter(reply=reply).select_related(
        "worker__organisation").order_by("worker__organisation__path", "worker__name_pinyin", "id")
    return render(request, "telecom/reply_detail.html", {
        "reply": reply, "unmatched": unmatched, "confirmed": confirmed, "list": list_of(reply.carrier),
        "has_names": any(row.get("name") for row in unmatched),
        "many_sheets": len({row.get("sheet") for row in unmatched}) > 1,
    })


# --- figures -------------------------------------------------------------------------------


def chart_data(rows: list[selectors.CarrierFigures]) -> dict[str, Any]:
    language = translation.get_language() or ""
    return {
        "locale": "ZH" if language.startswith("zh") else "EN",
        "id": "nx-telecom-chart",
        "categories": [str(r.label) for r in rows],
        "series": [
            {"name": _("Numbers"), "data": [r.numbers for r in rows]},
            {"name": _("Confirmed by the carrier"), "data": [r.confirmed for r in rows]},
        ],
    }


@access.scoped(Waiver, "report")
@require_safe
def figures(request: HttpRequest) -> HttpResponse:
    """Numbers and confirmed share per carrier (counts only)."""
    rows = selectors.figures(request.user)
    total = selectors.totals(rows)
    return render(request, "telecom/figures.html", {
        "rows": rows, "total": total, "chart": chart_data(rows), "confirm_days": confirm_days(),
        "may_view": Waiver.policy.may(request.user, "view"),
    })


urlpatterns = [
    path("", home, name="home"),
    path("lists/", waiver_list, name="waiver_list"),
    path("lines/<int:pk>/", waiver_detail, name="waiver_detail"),
    path("lines/<int:pk>/transition/", waiver_transition, name="waiver_transition"),
    path("lists/confirm/", confirm_many, name="confirm_many"),
    path("lists/sync/", sync, name="sync"),
    path("dispatches/new/", dispatch_create, name="dispatch_create"),
    path("dispatches/<int:pk>/", dispatch_detail, name="dispatch_detail"),
    path("dispatches/<int:pk>/list.xlsx", dispatch_download, name="dispatch_download"),
    path("replies/new/", reply_create, name="reply_create"),
    path("replies/<int:pk>/", reply_detail, name="reply_detail"),
    path("figures/", figures, name="figures"),
]
