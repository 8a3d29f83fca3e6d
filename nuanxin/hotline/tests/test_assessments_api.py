"""The assessments API: the scales listed, a scale scored and stored for the token's hotline,
clear 400s for bad answers, and the refusals (no token, wrong role, another hotline)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from nuanxin.accounts.services import create_api_token
from nuanxin.core.policy import SYSTEM
from nuanxin.hotline.models import Assessment, Callback, CrisisCase
from nuanxin.hotline.services import calls as call_services
from nuanxin.hotline.services import hotlines as hotline_services

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    _token, plaintext = create_api_token(actor=SYSTEM, user=user, expires_days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}", HTTP_ACCEPT_LANGUAGE="en")


def post(client: Client, body) -> tuple[int, dict]:
    response = client.post("/api/v1/hotline/assessments", data=json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def test_the_scales_are_listed(h):
    response = client_for(h.counsellor).get("/api/v1/hotline/scales")
    assert response.status_code == 200
    body = response.json()
    assert [s["code"] for s in body] == ["GAD-7", "PHQ-9", "SAS"]
    gad7, phq9, sas = body
    assert (len(gad7["items"]), gad7["score_range"], gad7["flag_at"], gad7["standard_score"]) == (7, [0, 21], 10, False)
    assert gad7["items"][0]["text"] == {"zh-hans": "感觉紧张，焦虑或急切", "en": "Feeling nervous, anxious or on edge"}
    assert [o["value"] for o in gad7["items"][0]["options"]] == [0, 1, 2, 3]
    assert [(b["code"], b["min"], b["max"]) for b in phq9["bands"]] == [
        ("minimal", 0, 4),
        ("mild", 5, 9),
        ("moderate", 10, 14),
        ("mod_severe", 15, 19),
        ("severe", 20, 27),
    ]
    assert phq9["crisis"] == [{"item": 9, "above": 0}]
    assert (sas["score_range"], sas["standard_score"], sas["flag_at"]) == ([20, 80], True, 50)
    assert [i["number"] for i in sas["items"] if i["reversed"]] == [5, 9, 13, 17, 19]


def test_a_counsellor_posts_a_gad7(h, english):
    status, body = post(client_for(h.counsellor), {"scale": "GAD-7", "answers": [3, 3, 3, 2, 2, 2, 1]})
    assert status == 201
    row = Assessment.objects.get()
    assert body["id"] == row.pk
    assert {
        k: body[k] for k in ("scale", "hotline", "call", "score", "raw_score", "standard_score", "band", "band_label")
    } == {
        "scale": "GAD-7",
        "hotline": h.city.pk,
        "call": None,
        "score": 16,
        "raw_score": 16,
        "standard_score": None,
        "band": "severe",
        "band_label": "Severe anxiety",
    }
    assert (body["flagged"], body["crisis"], body["callback_consent"]) == (True, False, False)
    assert (row.source, row.created_by, row.mobile) == ("api", h.counsellor, "")


def test_sas_answers_as_printed_give_the_standard_score(h):
    status, body = post(client_for(h.counsellor), {"scale": "SAS", "answers": [3] * 20, "hotline": h.city.pk})
    assert status == 201
    # "score" is the score the scale reports and bands on (SAS: the standard score); the raw sum apart.
    assert (body["score"], body["raw_score"], body["standard_score"], body["band"], body["flagged"]) == (
        68,
        55,
        68,
        "moderate",
        True,
    )


def test_a_crisis_answer_with_consent_opens_the_crisis_case_and_the_callback(h):
    status, body = post(
        client_for(h.counsellor),
        {"scale": "PHQ-9", "answers": [0, 0, 0, 0, 0, 0, 0, 0, 3], "mobile": "13800138000", "consent": True},
    )
    assert status == 201
    assert (body["score"], body["band"], body["flagged"], body["crisis"], body["callback_consent"]) == (
        3,
        "minimal",
        False,
        True,
        True,
    )
    case = CrisisCase.objects.get()
    assert (case.assessment_id, case.contact_number) == (body["id"], "+8613800138000")
    assert Callback.objects.get().severity == "crisis"


def test_during_a_call(h):
    call = call_services.record_call(actor=h.counsellor, hotline=h.city, started_at=_now(), line=h.line)
    status, body = post(client_for(h.counsellor), {"scale": "GAD-7", "answers": [0] * 7, "call": call.pk})
    assert status == 201
    assert (body["call"], body["hotline"]) == (call.pk, h.city.pk)
    assert Assessment.objects.get().source == "call"


def _now():
    from django.utils import timezone

    return timezone.now()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"scale": "BDI", "answers": [0]}, "scale", "There is no scale “BDI”: choose one of GAD-7, PHQ-9, SAS."),
        (
            {"scale": "GAD-7", "answers": [0] * 9},
            "answers",
            "GAD-7 has 7 questions: answer each of them once (9 answers were given).",
        ),
        (
            {"scale": "GAD-7", "answers": [0, 0, 0, 0, 0, 0, 5]},
            "answers",
            "The answer to question 7 must be one of 0, 1, 2, 3, not 5.",
        ),
        (
            {"scale": "SAS", "answers": ["a"] * 20},
            "answers",
            "The answer to question 1 must be one of 1, 2, 3, 4, not a.",
        ),
        (
            {"scale": "GAD-7", "answers": [0] * 7, "mobile": "13800138000"},
            "consent",
            "We keep a number only with your consent: tick the box to agree to be called back, "
            "or leave the number empty.",
        ),
    ],
)
def test_bad_answers_are_a_clear_400(h, english, body, field, message):
    status, answer = post(client_for(h.counsellor), body)
    assert (status, answer["code"], answer["field"], answer["message"]) == (400, "invalid", field, message)
    assert Assessment.objects.count() == 0


def test_the_hotline_must_be_named_when_the_user_records_for_several(h, english):
    third = hotline_services.create_hotline(actor=SYSTEM, organisation=h.medical, name="第三热线")
    hotline_services.add_member(actor=SYSTEM, hotline=third, user=h.counsellor, kind="counsellor")
    client = client_for(h.counsellor)
    status, answer = post(client, {"scale": "GAD-7", "answers": [0] * 7})
    assert (status, answer["field"], answer["message"]) == (
        400,
        "hotline",
        "Name the hotline (“hotline”: its id): you record for 2 hotlines.",
    )
    status, body = post(client, {"scale": "GAD-7", "answers": [0] * 7, "hotline": third.pk})
    assert (status, body["hotline"]) == (201, third.pk)


def test_refusals(h, personas, english):
    anonymous = Client().post("/api/v1/hotline/assessments", data="{}", content_type="application/json")
    assert anonymous.status_code == 401
    assert client_for(personas.viewer).get("/api/v1/hotline/scales").status_code == 403
    assert post(client_for(personas.jia), {"scale": "GAD-7", "answers": [0] * 7})[0] == 403
    assert post(client_for(h.coordinator), {"scale": "GAD-7", "answers": [0] * 7})[0] == 403
    # The counsellor of another hotline: the city's hotline is the same 404 as a missing one.
    stranger = client_for(h.stranger)
    assert post(stranger, {"scale": "GAD-7", "answers": [0] * 7, "hotline": h.city.pk}) == (
        404,
        {"code": "not_found", "message": "Not found."},
    )
    assert post(stranger, {"scale": "GAD-7", "answers": [0] * 7, "hotline": 999999})[0] == 404
    assert Assessment.objects.count() == 0
