"""The hotline API: screening scales and assessments.

- ``GET /api/v1/hotline/scales``: every scale with its items, options (the values an answer
  gives, as the scale prints them), bands, cut-off and crisis rules, in Chinese and English.
- ``POST /api/v1/hotline/assessments``: score answers and store the result with a hotline
  (``{"scale": "GAD-7", "answers": [...], "hotline": id?, "call": id?, "mobile"?, "consent"?}``);
  answers ``score`` (the score the scale reports and bands on: SAS's standard score, else the
  raw sum), ``raw_score`` (always the raw sum), ``standard_score`` (SAS; else null), ``band``,
  ``band_label``, ``flagged`` and ``crisis``.
  Without ``hotline``, the one hotline the token's user records for (a 400 asks to name it
  when they record for several).

Who: both need a token of a counsellor or supervisor (``Assessment`` "record"), and a POST
records only for a hotline its user serves (another hotline is the same 404 as a missing one).
The API answers no anonymous request: the public page posts to its own form view, which keeps
the CSRF check and the rate limits per address and per mobile; an anonymous JSON door would
need all of those again and would give scripts an easier way to flood the callback queue.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status

from nuanxin.core import apiutils, idempotency
from nuanxin.core.errors import ServiceError
from nuanxin.hotline import scales
from nuanxin.hotline.choices import AssessmentSource
from nuanxin.hotline.models import Assessment, Call, Hotline
from nuanxin.hotline.selectors import assessments as selectors
from nuanxin.hotline.services import assessments as services

router = apiutils.ScopedRouter(tags=["hotline"])


class OptionOut(Schema):
    value: int
    label: dict[str, str]


class ScaleItemOut(Schema):
    number: int
    text: dict[str, str]
    reversed: bool
    options: list[OptionOut]


class BandOut(Schema):
    code: str
    min: int
    max: int
    label: dict[str, str]


class CrisisRuleOut(Schema):
    item: int
    above: int


class ScaleOut(Schema):
    code: str = Field(..., description="What an assessment names: GAD-7, PHQ-9, SAS.")
    name: dict[str, str]
    instructions: dict[str, str]
    public: bool = Field(..., description="Offered on the public self-assessment page.")
    items: list[ScaleItemOut]
    score_range: list[int] = Field(..., description="The lowest and highest raw score.")
    standard_score: bool = Field(..., description="Whether the bands read a standard score (SAS: int(raw × 1.25)).")
    flag_at: int = Field(..., description="At or above this (standard) score the result is flagged.")
    bands: list[BandOut]
    crisis: list[CrisisRuleOut] = Field(..., description="An answer above `above` on `item` is a crisis.")


class AssessmentIn(Schema):
    scale: str = Field(..., max_length=16, description="A code of GET /api/v1/hotline/scales, e.g. GAD-7.")
    answers: list[Any] = Field(
        ..., max_length=200, description="Each item's answer as the scale prints it (0–3 for GAD-7, 1–4 for SAS)."
    )
    hotline: int | None = Field(None, ge=1, le=2**31 - 1, description="Default: the one hotline you record for.")
    call: int | None = Field(None, ge=1, le=2**31 - 1, description="A call of that hotline the scale was taken in.")
    mobile: str = Field("", max_length=32, description="Kept only with consent, to call back.")
    consent: bool = Field(False, description="The person agrees to be called back on `mobile`.")


class AssessmentOut(Schema):
    id: int
    scale: str
    hotline: int | None
    call: int | None
    score: int = Field(
        ..., description="The score the scale reports and bands on: SAS's standard score, else the raw sum."
    )
    raw_score: int = Field(..., description="The raw sum of the item scores (reversed items reversed).")
    standard_score: int | None = Field(..., description="SAS: int(raw × 1.25); null for the other scales.")
    band: str
    band_label: str
    flagged: bool
    crisis: bool
    callback_consent: bool
    created_at: datetime


@router.get(
    "/hotline/scales",
    model=Assessment,
    action="record",
    response={200: list[ScaleOut], **apiutils.ERROR_RESPONSES},
    operation_id="list_hotline_scales",
)
def list_scales(request: HttpRequest) -> list[dict[str, Any]]:
    """The screening scales, in order (texts in Chinese and English)."""
    return [scale.as_dict() for scale in scales.all()]


def _hotline(request: HttpRequest, pk: int | None) -> Hotline:
    mine = selectors.recordable_hotlines(request.user)
    if pk is None:
        if len(mine) == 1:
            return mine[0]
        raise ServiceError(
            _("Name the hotline (“hotline”: its id): you record for %(count)d hotlines.") % {"count": len(mine)},
            field="hotline",
        )
    for hotline in mine:
        if hotline.pk == pk:
            return hotline
    raise Http404


@router.post(
    "/hotline/assessments",
    model=Assessment,
    action="record",
    response={201: AssessmentOut, **apiutils.ERROR_RESPONSES},
    operation_id="create_hotline_assessment",
)
@idempotency.api
def create_assessment(request: HttpRequest, payload: AssessmentIn) -> Status:
    """Score the answers and store the result (a crisis answer opens a crisis case; a flagged
    result or a request to be called, with a number and consent, a callback). 400 with a clear
    message for an unknown scale or answers that do not fit it."""
    services.scale_or_error(payload.scale)  # an unknown scale is a 400 before any lookup
    call = None
    if payload.call is not None:
        call = apiutils.get_scoped_or_404(Call, request, "record", pk=payload.call)
    hotline = call.hotline if call is not None and payload.hotline is None else _hotline(request, payload.hotline)
    row = services.take(
        actor=request.user,
        scale=payload.scale,
        answers=payload.answers,
        hotline=hotline,
        source=AssessmentSource.CALL if call is not None else AssessmentSource.API,
        call=call,
        mobile=payload.mobile,
        consent=payload.consent,
    )
    scale = scales.get(row.scale)
    return Status(
        201,
        {
            "id": row.pk,
            "scale": row.scale,
            "hotline": row.hotline_id,
            "call": row.call_id,
            "score": row.standard_score if row.standard_score is not None else row.score,
            "raw_score": row.score,
            "standard_score": row.standard_score,
            "band": row.band,
            "band_label": str(scale.band(row.band).label),
            "flagged": row.flagged,
            "crisis": row.crisis,
            "callback_consent": row.callback_consent,
            "created_at": row.created_at,
        },
    )
