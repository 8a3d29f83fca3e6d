"""Confidentiality of the hotline's records (issue 12, item 8): every hotline page and every
hotline API operation, walked with every id a record of the city base has (id guessing), as a
union administrator (甲, the city), a viewer and an auditor (who see the figures), a counsellor of
another hotline, and district administrators elsewhere in the tree (乙, 丙): no caller's record
content appears in any answer. The same walk as the city base's own counsellor finds the
records (the strings are there to be found), so the test has teeth."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from nuanxin.accounts.services import create_api_token
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.hotline.choices import AttemptResult, CallbackStatus, CrisisStatus, HandoverTo
from nuanxin.hotline.models import (
    Assessment,
    Call,
    Callback,
    CallbackAttempt,
    CallbackNote,
    CrisisCase,
    CrisisNote,
    Referral,
)
from nuanxin.orgs import services as org_services
from tests.test_authorization import api_operations, page_patterns

# The shard planner's weight of this file (conftest.py):
# each test walks the hotline's pages and API as one persona (~180 plain tests' time; 2026-12-06).
SHARD_WEIGHT = 180

pytestmark = pytest.mark.django_db

# Distinctive strings, each in one field of a record of the city base.
SECRETS = {
    "call.notes": "来电者说起失眠七号",
    "call.topic_note": "担心女儿在武汉甲",
    "call.technique": "蝴蝶拍技术乙",
    "call.callback_number": "13912340001",
    "assessment.mobile": "13912340002",
    "crisis.reason": "第九题作答危机丙",
    "crisis.contact_number": "13912340003",
    "crisis.protective_factors": "牵挂年迈父母丁",
    "crisis.assessment_note": "有计划无工具戊",
    "crisis.handover_person": "精神卫生中心王医生己",
    "crisis.handover_note": "已送至急诊庚",
    "crisis_note.text": "督导跟进记录辛",
    "callback.number": "13912340004",
    "callback.outcome": "回访后情绪平稳壬",
    "callback_note.text": "回访备注癸",
    "attempt.note": "第二次未接通子",
    "referral.note": "转介精神卫生中心丑",
    "referral.shared_summary": "同意分享的摘要寅",
}


def leaked(text: str) -> list[str]:
    """The secrets found in ``text`` (numbers also as written with spaces or dashes)."""
    flat = re.sub(r"[\s\-]", "", text)
    return [key for key, secret in SECRETS.items() if secret in text or secret in flat]


@pytest.fixture
def world(personas, h):
    """The city base's records, one of each kind, holding the secrets; the viewer also a viewer
    of the medical union (so that the city base's figures are theirs to see)."""
    s = SECRETS
    org_services.grant_role(actor=SYSTEM, user=personas.viewer, role=Role.VIEWER, organisation=h.medical)
    now = timezone.now()
    call = Call.objects.create(
        hotline=h.city, line=h.line, counsellor=h.counsellor, started_at=now - timedelta(hours=2),
        ended_at=now - timedelta(hours=1), topics=["other"], topic_note=s["call.topic_note"],
        interventions=["technique"], technique=s["call.technique"], risk="high", callback_consent=True,
        callback_number="+86" + s["call.callback_number"], notes=s["call.notes"],
    )
    assessment = Assessment.objects.create(
        hotline=h.city, scale="PHQ-9", answers=[1, 1, 1, 1, 1, 1, 1, 1, 2], score=10, band="moderate", flagged=True,
        crisis=True, source="public", callback_consent=True, consented_at=now, mobile="+86" + s["assessment.mobile"],
    )
    crisis = CrisisCase.objects.create(
        organisation=h.medical, hotline=h.city, call=call, assessment=assessment, status=CrisisStatus.HANDED_OVER,
        risk="imminent", reason=s["crisis.reason"], contact_number="+86" + s["crisis.contact_number"],
        protective_factors=s["crisis.protective_factors"], assessment_note=s["crisis.assessment_note"],
        handover_to=HandoverTo.MENTAL_HEALTH_CENTRE, handover_at=now, handover_person=s["crisis.handover_person"],
        handover_note=s["crisis.handover_note"], due_at=now, first_contact_at=now,
    )
    CrisisNote.objects.create(crisis=crisis, text=s["crisis_note.text"], author=h.supervisor)
    callback = Callback.objects.create(
        organisation=h.medical, hotline=h.city, status=CallbackStatus.CLAIMED, owner=h.counsellor, call=call,
        crisis=crisis, number="+86" + s["callback.number"], severity="crisis", due_at=now + timedelta(hours=1),
        outcome=s["callback.outcome"],
    )
    CallbackNote.objects.create(callback=callback, text=s["callback_note.text"], author=h.counsellor)
    CallbackAttempt.objects.create(callback=callback, by=h.counsellor, result=AttemptResult.NO_ANSWER,
                                   note=s["attempt.note"])
    Referral.objects.create(
        hotline=h.city, call=call, crisis=crisis, target="mh_centre", note=s["referral.note"], consent=True,
        shared_summary=s["referral.shared_summary"], created_by=h.counsellor,
    )
    return h


def candidate_ids(h) -> list[int]:
    """Every id of a row of the city base: its records, notes and attempts, the hotline, its
    lines and members (whatever a URL's id names, one of these is the city base's)."""
    from nuanxin.hotline.models import HotlineLine, HotlineMember

    ids: set[int] = {h.city.pk}
    for model in (Call, Assessment, CrisisCase, CrisisNote, Callback, CallbackNote, CallbackAttempt, Referral,
                  HotlineLine, HotlineMember):
        ids |= set(model.objects.values_list("pk", flat=True))
    return sorted(ids)


def page_urls(h) -> list[str]:
    """Every hotline page URL, each integer parameter filled with every candidate id."""
    urls: list[str] = []
    ids = candidate_ids(h)
    strings = {"key": h.city.public_key, "code": "PHQ-9", "token": "x" * 32}
    for name, pattern in page_patterns():
        if not (name or "").startswith("hotline:"):
            continue
        params = list(pattern.pattern.converters)
        if not params:
            base = reverse(name)
            urls += [base, f"{base}?hotline={h.city.pk}", f"{base}?org={h.medical.code}&hotline={h.city.pk}"]
            continue
        ints = [p for p in params if type(pattern.pattern.converters[p]).__name__ == "IntConverter"]
        fixed = {p: strings.get(p, "x") for p in params if p not in ints}
        for value in ids:
            urls.append(reverse(name, kwargs={**fixed, **{p: value for p in ints}}))
    return urls


def api_requests(h) -> list[tuple[str, str]]:
    """(method, path) of every hotline API operation, each path parameter filled with every
    candidate id, lists also asked for the city base."""
    result = []
    for op in api_operations():
        method, path = op.split(" ", 1)
        if not path.startswith("/api/v1/hotline/"):
            continue
        if "{" in path:
            for value in candidate_ids(h):
                result.append((method, re.sub(r"\{[^}]+\}", str(value), path)))
        else:
            result.append((method, path))
            if method == "GET":
                result.append((method, f"{path}?hotline={h.city.pk}&org={h.medical.code}"))
    return result


def walk(user, h) -> dict[str, list[str]]:
    """What of the secrets each answer holds, by URL (only the answers that hold any). No
    answer may be a server error (an error page could hide what a working one would show)."""
    found: dict[str, list[str]] = {}
    web = Client()
    web.force_login(user)
    for url in page_urls(h):
        response = web.get(url)
        assert response.status_code < 500, url
        body = response.content.decode(errors="replace") if not getattr(response, "streaming", False) else ""
        if leaks := leaked(body):
            found[url] = leaks
    _token, secret = create_api_token(actor=SYSTEM, user=user, expires_days=1)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    for method, path in api_requests(h):
        if method == "GET":
            response = api.get(path)
        else:
            response = api.generic(method, path, data=json.dumps({}), content_type="application/json")
        assert response.status_code < 500, f"{method} {path}"
        if leaks := leaked(response.content.decode(errors="replace")):
            found[f"{method} {path}"] = leaks
    return found


@pytest.mark.parametrize("who", ["jia", "viewer", "auditor", "stranger", "bing", "yi", "coordinator"])
def test_no_record_reaches_those_who_see_figures_only_or_serve_elsewhere(personas, world, who):
    h = world
    user = getattr(h, who, None) or getattr(personas, who)
    assert walk(user, h) == {}


def test_the_counsellor_of_the_hotline_finds_the_records(personas, world):
    """The walk reaches the records' pages: their own counsellor sees every secret somewhere."""
    found = walk(world.counsellor, world)
    seen = {key for leaks in found.values() for key in leaks}
    # At least the call's, the crisis case's and the callback's own fields are shown to them.
    assert {"call.notes", "crisis.protective_factors", "callback.number"} <= seen
