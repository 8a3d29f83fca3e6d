"""The assessment pages.

Public (no account, phone first, Chinese first): a hotline's self-assessment page
``/hotline/p/<key>/`` (心理测评), reached by its link or QR code while the hotline's
self-assessment is open: the person chooses GAD-7 (or PHQ-9), answers, sees the score, the band
and plain self-help guidance with the hotline's numbers, and may then leave a mobile for a
callback with an explicit, separate, unticked consent box. A crisis answer (PHQ-9 item 9)
shows the numbers to call now (and 120 / 110) first. A wrong key, a closed hotline and an
unknown scale are the same 404. Each client address may send a limited number of answers an
hour and each mobile may be left a limited number of times a day (``ratelimit``): over the
limit, a clear page with status 429 and nothing stored.

For the hotline's staff: the public link's QR code (SVG, drawn here by ``segno``) and the
partial ``hotline/_public_link.html`` the hotline's page includes.

For counsellors and supervisors: the assessments of their hotlines (list and record: every read
audited) and the form to take a scale with a caller (``?call=`` from the call's page)."""

from __future__ import annotations

import dataclasses
import io
import math
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

import segno
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nuanxin.core import access, context, idempotency
from nuanxin.core.manifest import MenuEntry
from nuanxin.core.pages import run_service
from nuanxin.core.policy import SYSTEM
from nuanxin.hotline import callers, ratelimit, scales
from nuanxin.hotline.choices import AssessmentSource
from nuanxin.hotline.forms.assessments import AnswersForm, AssessmentFilter, CallbackForm, TakeForm
from nuanxin.hotline.models import Assessment, Call, Hotline
from nuanxin.hotline.selectors import assessments as selectors
from nuanxin.hotline.services import assessments as services
from nuanxin.hotline.services.assessments import callback_hours

PER_PAGE = 30
# The result page's callback form names its assessment by a signed token, valid this long.
CALLBACK_TOKEN_SALT = "hotline.public.callback"
CALLBACK_TOKEN_SECONDS = 2 * 3600
# From this many hours on, the callback promise is said in days ("5 天内", not "120 小时内").
DAYS_FROM_HOURS = 48
EMERGENCY_NUMBERS = (("120", gettext_lazy("Medical emergency")), ("110", gettext_lazy("Police")))


# --- the public page -------------------------------------------------------------------------------


def _public(key: str) -> Hotline:
    hotline = selectors.public_hotline(key)
    if hotline is None:
        raise Http404
    return hotline


def _public_scale(code: str) -> scales.Scale:
    try:
        scale = scales.get(code)
    except KeyError:
        raise Http404 from None
    if not scale.public:
        raise Http404
    return scale


def _tel(number: str) -> str:
    return "".join(c for c in number if c.isdigit() or c == "+")


def _numbers(hotline: Hotline) -> list[dict[str, str]]:
    return [
        {"label": line.label, "number": line.number, "tel": _tel(line.number)}
        for line in selectors.public_lines(hotline)
    ]


def _public_context(hotline: Hotline, **extra: Any) -> dict[str, Any]:
    return {
        "hotline": hotline,
        "numbers": _numbers(hotline),
        "emergency": [{"number": n, "label": label} for n, label in EMERGENCY_NUMBERS],
        **extra,
    }


def _limited(request: HttpRequest, hotline: Hotline | None) -> HttpResponse:
    """Over a limit: a clear page, 429, nothing stored."""
    response = render(
        request,
        "hotline/public_limited.html",
        _public_context(hotline) if hotline is not None else {"numbers": [], "emergency": []},
        status=429,
    )
    response["Retry-After"] = "3600"
    return response


@access.public
@require_GET
def public_assessment(request: HttpRequest, key: str) -> HttpResponse:
    """The hotline's self-assessment page: what it is, the scales to choose, the numbers."""
    hotline = _public(key)
    return render(request, "hotline/public_start.html", _public_context(hotline, scales=scales.public()))


@contextmanager
def _without_address() -> Iterator[None]:
    """Run the public page's services under a request context without the client's address:
    an anonymous self-assessment keeps nothing that identifies the person (PIPL), so its audit
    rows carry no IP address (``core.audit`` copies the context's address into each row)."""
    token = context.set_current(dataclasses.replace(context.current(), ip=None))
    try:
        yield
    finally:
        context.reset(token)


def _is_crisis(request: HttpRequest, key: str, code: str) -> bool:
    """Whether a POST that is over the address limit answers a crisis item: such answers are
    always stored and handled (the crisis case, the supervisors told), whatever the limit."""
    hotline = selectors.public_hotline(key)
    if hotline is None:
        return False
    try:
        scale = _public_scale(code)
    except Http404:
        return False
    form = AnswersForm(request.POST, scale=scale)
    if not form.is_valid():
        return False
    try:
        return scale.score(form.answers()).crisis
    except scales.ScaleError:
        return False


@access.public
@require_http_methods(["GET", "POST"])
def public_scale(request: HttpRequest, key: str, code: str) -> HttpResponse:
    """One scale's questions; answered, the result with guidance, numbers and the callback offer.
    Only the POST counts towards the address limit (reading the questions is free); answers
    that are a crisis are stored and handled even over the limit."""
    if (
        request.method == "POST"
        and not ratelimit.hit(ratelimit.submits_per_address(), ratelimit.client_address(request))
        and not _is_crisis(request, key, code)
    ):
        # Counted before the key is looked up: guessing keys costs the same as answering.
        return _limited(request, selectors.public_hotline(key))
    hotline = _public(key)
    scale = _public_scale(code)
    form = AnswersForm(request.POST or None, scale=scale)
    if request.method == "POST" and form.is_valid():
        with _without_address():
            ok, result = run_service(
                form,
                services.take,
                actor=SYSTEM,
                scale=scale.code,
                answers=form.answers(),
                hotline=hotline,
                source=AssessmentSource.PUBLIC,
            )
        if ok:
            return _result_page(request, hotline, scale, result, CallbackForm())
    return render(
        request,
        "hotline/public_scale.html",
        _public_context(hotline, scale=scale, form=form, questions=form.questions()),
    )


def _token(assessment: Assessment) -> str:
    return signing.dumps({"a": assessment.pk}, salt=CALLBACK_TOKEN_SALT, compress=True)


def _result_page(
    request: HttpRequest,
    hotline: Hotline,
    scale: scales.Scale,
    assessment: Assessment,
    callback_form: CallbackForm | None,
    **extra: Any,
) -> HttpResponse:
    band = scale.band(assessment.band)
    low, high = scale.banded_range
    others = [s for s in scales.public() if s.code != scale.code]
    return render(
        request,
        "hotline/public_result.html",
        _public_context(
            hotline,
            scale=scale,
            assessment=assessment,
            band=band,
            score=assessment.standard_score if assessment.standard_score is not None else assessment.score,
            low=low,
            high=high,
            others=others,
            callback_form=callback_form,
            token=_token(assessment),
            **_when(scale, assessment),
            **extra,
        ),
    )


def _hours_for(scale: scales.Scale, assessment: Assessment) -> int:
    """Within how many hours the person is called back if they leave a number."""
    hours = callback_hours()
    if assessment.crisis:
        priority = "crisis"
    elif assessment.flagged:
        priority = scale.band(assessment.band).callback
    else:
        priority = services.ASKED
    return int(hours.get(priority, hours[services.ASKED]))


def _when(scale: scales.Scale, assessment: Assessment) -> dict[str, int]:
    """The promise the page makes: ``hours`` (0: as soon as possible) and, from 48 hours on,
    ``days`` (rounded up, so the promise holds: 120 hours, "within 5 days")."""
    hours = _hours_for(scale, assessment)
    return {"hours": hours, "days": math.ceil(hours / 24) if hours >= DAYS_FROM_HOURS else 0}


def _thanks(
    request: HttpRequest, hotline: Hotline, scale: scales.Scale, assessment: Assessment, **extra: Any
) -> HttpResponse:
    return render(
        request,
        "hotline/public_thanks.html",
        _public_context(hotline, assessment=assessment, **_when(scale, assessment), **extra),
    )


@access.public
@require_POST
def public_callback(request: HttpRequest, key: str) -> HttpResponse:
    """The person leaves a mobile (with consent) after seeing their result. Sent again from the
    same result with another mobile, the new number replaces the first while the callback is
    untouched (due, unclaimed); once a counsellor has taken it up, the page says the request was
    recorded and to call the hotline to change the number. A crisis result's callback is not
    held back by the address limit (the per-mobile limit still applies)."""
    hotline = selectors.public_hotline(key)
    try:
        data = signing.loads(request.POST.get("token", ""), salt=CALLBACK_TOKEN_SALT, max_age=CALLBACK_TOKEN_SECONDS)
        assessment: Assessment | None = Assessment.objects.get(
            pk=int(data["a"]), hotline=hotline, source=AssessmentSource.PUBLIC
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError, Assessment.DoesNotExist):
        assessment = None
    crisis = assessment is not None and assessment.crisis
    if not ratelimit.hit(ratelimit.submits_per_address(), ratelimit.client_address(request)) and not crisis:
        return _limited(request, hotline)
    if hotline is None or assessment is None:
        raise Http404
    scale = scales.get(assessment.scale)
    form = CallbackForm(request.POST)
    if not form.is_valid():
        return _result_page(request, hotline, scale, assessment, form)
    mobile = form.cleaned_data["mobile"]
    if assessment.callback_consent and callers.normalise(mobile) == assessment.mobile:
        return _thanks(request, hotline, scale, assessment)  # asked already (a second tap): the same answer
    if not ratelimit.hit(ratelimit.callbacks_per_mobile(), mobile):
        return _limited(request, hotline)
    with _without_address():
        if assessment.callback_consent:
            ok, result = run_service(
                form, services.change_callback_number, actor=SYSTEM, assessment=assessment, mobile=mobile
            )
        else:
            ok, result = run_service(
                form,
                services.request_callback,
                actor=SYSTEM,
                assessment=assessment,
                mobile=mobile,
                consent=form.cleaned_data["consent"],
            )
    if ok:
        return _thanks(request, hotline, scale, result, changed=assessment.callback_consent)
    return _result_page(request, hotline, scale, assessment, form)


# --- the public link for the hotline's staff ----------------------------------------------------------


def public_url(request: HttpRequest, hotline: Hotline) -> str:
    return request.build_absolute_uri(reverse("hotline:public_assessment", kwargs={"key": hotline.public_key}))


@access.scoped(Hotline, "view", lookup="pk")
@require_GET
def public_qr(request: HttpRequest, hotline: Hotline) -> HttpResponse:
    """The QR code (SVG) of the hotline's public self-assessment link, for its members and
    administrators (a poster, a leaflet); ``?download=1`` saves it as a file."""
    if not selectors.is_staff(request.user, hotline):
        raise PermissionDenied
    buffer = io.BytesIO()
    segno.make(public_url(request, hotline), error="m").save(
        buffer, kind="svg", scale=6, border=2, xmldecl=True, svgns=True, title=hotline.name
    )
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="self-assessment-{hotline.pk}.svg"'
    return response


# --- counsellors and supervisors ------------------------------------------------------------------


@access.scoped(Assessment, "view")
@require_GET
def assessment_list(request: HttpRequest) -> HttpResponse:
    """The assessments of the user's hotlines, newest first; filters: hotline, scale, results."""
    user = request.user
    hotlines = selectors.recordable_hotlines(user)
    form = AssessmentFilter(request.GET or None, hotlines=hotlines)
    values = form.values()
    hotline = next((h for h in hotlines if h.pk == values.get("hotline")), None)
    qs = selectors.assessments(user, hotline=hotline, scale=values.get("scale") or "", flag=values.get("flag") or "")
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    selectors.record_reads(user, page.object_list, page="assessment_list")
    rows = [(a, _scale_or_none(a.scale)) for a in page.object_list]
    return render(
        request,
        "hotline/assessment_list.html",
        {"form": form, "page": page, "rows": rows, "may_record": bool(hotlines)},
    )


def _scale_or_none(code: str) -> scales.Scale | None:
    try:
        return scales.get(code)
    except KeyError:  # a scale file removed since: the record keeps its code and numbers
        return None


def _assessments(request: HttpRequest) -> Any:
    return Assessment.objects.select_related("hotline__organisation", "call", "created_by")


@access.scoped(Assessment, "view", lookup="pk", queryset=_assessments)
@require_GET
def assessment_detail(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    """One assessment: each answer with its question, the score, band, flags, the crisis case
    and callbacks it opened. The read is audited."""
    selectors.record_reads(request.user, [assessment], page="assessment_detail")
    scale = _scale_or_none(assessment.scale)
    answers: list[tuple[Any, Any, Any]] = []
    if scale is not None and len(assessment.answers) == len(scale.items):
        for item, value in zip(scale.items, assessment.answers, strict=True):
            label = next((o.label for o in item.options if o.value == value), value)
            answers.append((item, value, label))
    return render(
        request,
        "hotline/assessment_detail.html",
        {
            "assessment": assessment,
            "scale": scale,
            "band": _band_or_none(scale, assessment.band),
            "answers": answers,
            "crisis_cases": list(assessment.crisis_cases.all()),
            "callbacks": list(assessment.callbacks.all()),
        },
    )


def _band_or_none(scale: scales.Scale | None, code: str) -> scales.Band | None:
    if scale is None:
        return None
    try:
        return scale.band(code)
    except KeyError:
        return None


def _call_for(request: HttpRequest) -> Call | None:
    value = request.GET.get("call") or request.POST.get("call")
    if not value:
        return None
    if not str(value).isdigit():
        raise Http404
    calls = Call.objects.select_related("hotline__organisation")
    return Call.policy.for_user(calls, request.user, "record").filter(pk=int(value)).first() or _not_found()


def _not_found() -> Any:
    raise Http404


@access.scoped(Assessment, "record")
@require_http_methods(["GET", "POST"])
@idempotency.form
def assessment_take(request: HttpRequest) -> HttpResponse:
    """A counsellor takes a scale with a caller (``?call=``: during that call; ``?scale=``: the
    scale, else the choice of scales). The result is stored with the hotline and opens what it
    calls for (a crisis case, a callback)."""
    user = request.user
    call = _call_for(request)
    hotlines = [call.hotline] if call is not None else selectors.recordable_hotlines(user)
    if not hotlines:
        raise PermissionDenied
    code = request.GET.get("scale") or request.POST.get("scale") or ""
    if not code:
        return render(request, "hotline/assessment_choose.html", {"scales": scales.all(), "call": call})
    try:
        scale = scales.get(code)
    except KeyError:
        raise Http404 from None
    posted = request.POST if request.method == "POST" else None
    initial = {"hotline": hotlines[0].pk}
    if request.GET.get("hotline", "").isdigit():
        initial["hotline"] = int(request.GET["hotline"])
    form = TakeForm(posted, hotlines=hotlines, initial=initial)
    answers = AnswersForm(posted, scale=scale)
    if posted is not None and form.is_valid() and answers.is_valid():
        # run_service's own second parameter is named "call": the call goes in through partial.
        ok, result = run_service(
            form,
            partial(services.take, call=call),
            actor=user,
            scale=scale.code,
            answers=answers.answers(),
            hotline=form.chosen_hotline(),
            source=AssessmentSource.CALL,
            mobile=form.cleaned_data["mobile"],
            consent=form.cleaned_data["consent"],
        )
        if ok:
            return redirect("hotline:assessment_detail", pk=result.pk)
    return render(
        request,
        "hotline/assessment_take.html",
        {"form": form, "answers": answers, "questions": answers.questions(), "scale": scale, "call": call},
    )


def _may_view(user: Any) -> bool:
    return Assessment.policy.may(user, "view")


urlpatterns: list = [
    path("p/<str:key>/", public_assessment, name="public_assessment"),
    path("p/<str:key>/callback/", public_callback, name="public_callback"),
    path("p/<str:key>/<str:code>/", public_scale, name="public_scale"),
    path("<int:pk>/public-qr.svg", public_qr, name="public_qr"),
    path("assessments/", assessment_list, name="assessment_list"),
    path("assessments/take/", assessment_take, name="assessment_take"),
    path("assessments/<int:pk>/", assessment_detail, name="assessment_detail"),
]
MENU: list = [
    MenuEntry(
        gettext_lazy("Assessments"),
        "hotline:assessment_list",
        visible=_may_view,
        order=256,
        element_id="nx-menu-assessments",
    ),
]
COUNTERS: list = []
HOME_PANELS: list = []
