"""The audit page shows every action the code records, whatever the shape of its detail
(issue 10, item 1: a visit's list of necessities made ``GET /audit/`` answer 500)."""

import ast
import csv
import io
import json
import re
from datetime import date
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from nuanxin.accounts.services import create_api_token, revoke_api_token
from nuanxin.care.tests.helpers import at, build_world
from nuanxin.core import audit, auditlabels
from nuanxin.core.models import AuditLog
from nuanxin.core.templatetags.nuanxin_audit import MAX_TOTAL, audit_detail
from nuanxin.tables.tests.import_fixtures import build_world as build_import_world
from nuanxin.tables.tests.import_fixtures import import_path, sample

# The shard planner's weight of this file (conftest.py):
# about 45 plain tests' time (whole runs, 2026-12-06).
SHARD_WEIGHT = 45

SOURCE = Path(__file__).resolve().parents[2]  # the nuanxin package

VISIT_ITEMS = [{"item": "口罩", "quantity": 2, "unit": "盒"}, {"item": "大米", "quantity": 10, "unit": "斤"}]


# --- the filter ------------------------------------------------------------------------------


@pytest.fixture
def en():
    with translation.override("en"):
        yield


def test_a_visits_detail_reads_as_one_line(en):
    detail = {"on": "2020-02-10", "mode": "home", "items": VISIT_ITEMS, "notes": {"chars": 12}, "worker": 7}
    assert audit_detail(detail) == (
        "items: [{item: 口罩, quantity: 2, unit: 盒}, {item: 大米, quantity: 10, unit: 斤}]; "
        "mode: home; notes: {chars: 12}; on: 2020-02-10; worker: 7"
    )


@pytest.mark.parametrize(
    "detail,expected",
    [
        (None, ""),
        ({}, ""),
        ({"deleted": 0, "ratio": 0.5, "owner": None, "two_factor": False, "ok": True},
         "deleted: 0; ok: yes; owner: —; ratio: 0.5; two_factor: no"),
        ({"before": {"name": "甲", "kind": "unit"}, "after": {"name": "乙", "kind": "unit"}},
         "after: {kind: unit, name: 乙}; before: {kind: unit, name: 甲}"),
        # keys that are names of dict methods are keys, never looked up as attributes
        ({"items": 3, "keys": [], "values": {}, "get": "x"}, "get: x; items: 3; keys: []; values: {}"),
        ({"a": {"b": {"c": {"d": {"e": 1}}}}}, "a: {b: {c: {d: {…}}}}"),
        ({"ids": list(range(15))}, "ids: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, … 3 more]"),
        ({"reason": "第一行\n\t第二行"}, "reason: 第一行 第二行"),
        (["a", 1], "[a, 1]"),
        ("just text", "just text"),
        (42, "42"),
    ],
)
def test_every_shape_of_detail(en, detail, expected):
    assert audit_detail(detail) == expected


def test_long_values_are_cut(en):
    assert audit_detail({"text": "长" * 500}) == "text: " + "长" * 119 + "…"
    line = audit_detail({f"k{i}": "x" * 200 for i in range(11)})
    assert len(line) == MAX_TOTAL
    assert line.endswith("…")


# --- every action the code records ---------------------------------------------------------


ACTION_SHAPE = re.compile(r"^[a-z_]{2,}(\.[a-z_]+)+$")


def recorded_actions() -> set[str]:
    """Every action the code may record: the string constants shaped like an action
    (``visit.record``, ``care.remind.week``) in each module that calls ``audit.record``, less
    model labels (object types) and logger names. A literal passed through a variable, a
    helper's parameter or a table (``SENSITIVE_READS``) is found all the same; the few
    constants of that shape that are not actions (notification kinds) only add rows."""
    from django.apps import apps

    labels = {model._meta.label_lower for model in apps.get_models()}
    actions: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if "audit.record" not in text:  # record, record_many, record_reads
            continue
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and ACTION_SHAPE.match(node.value):
                actions.add(node.value)
    from nuanxin.cases.models import CaseBase

    # The case services name their actions by each life cycle's prefix (cases/lifecycle.py).
    for model in apps.get_models():
        if issubclass(model, CaseBase):
            actions.update(model.lifecycle.audit_actions)
    return {a for a in actions if a not in labels and not a.startswith("nuanxin.")}


def test_the_actions_are_found():
    """The scan finds the literal, conditional, bound, passed and tabled actions (a change to
    how the code names its actions that hides them from the scan fails here)."""
    actions = recorded_actions()
    for action in ["visit.record", "user.enable", "user.disable", "care.psychological_read",
                   "auth.totp_disabled", "audit.export", "import.plan", "worker.update"]:
        assert action in actions
    assert "registry.worker" not in actions  # object types (model labels) are not actions


# Details of the shapes the services write, with what a careless or hostile value adds: markup,
# formula starts, very long text, deep nesting, lists of dicts, None and numbers.
HOSTILE_DETAIL = {
    "items": VISIT_ITEMS,
    "before": {"name": "<script>alert(1)</script>", "code": "=1+1"},
    "after": {"nested": {"deeper": {"deepest": {"end": True}}}},
    "changes": [{"field": "title", "from": None, "to": "主任医师"}, {"field": "note", "chars": 4000}],
    "reason": "很长的理由" * 200,
    "count": 3,
    "ratio": 0.25,
    "missing": None,
}


@pytest.fixture
def every_action(personas, settings, tmp_path):
    """Real services record what they can here (the personas' organisations, groups, users and
    grants; a campaign, workers, families and assignments; a visit with necessities and a
    difficulty through the API; tokens; an import; sign-ins; an export); every other action the
    code records gets a row with a hostile detail of the shapes above."""
    settings.NUANXIN_SMS_BACKEND = "nuanxin.notify.sms.FileBackend"
    settings.NUANXIN_SMS_FILE = tmp_path / "sms.jsonl"
    p = personas
    world = build_world(p)
    token, plaintext = create_api_token(actor=p.yi, user=p.care)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}", HTTP_ACCEPT_LANGUAGE="en")
    with at(date(2020, 1, 29)):
        visit = api.post(
            "/api/v1/visits",
            {"worker": world.a1.pk, "on": "2020-01-28", "mode": "home", "items": VISIT_ITEMS, "notes": "送了口罩"},
            content_type="application/json",
        )
        assert visit.status_code == 201, visit.content
        difficulty = api.post(
            "/api/v1/difficulties",
            {"worker": world.a2.pk, "description": "孩子<b>网课</b>没有电脑", "category": "childcare"},
            content_type="application/json",
        )
        assert difficulty.status_code == 201, difficulty.content
    revoke_api_token(actor=p.yi, token=token)
    import_world = build_import_world(p)
    import_path(p.yi, import_world.unit, sample("table1_aid_team.xlsx"))
    Client().post(reverse("accounts:login"), {"username": "yi", "password": "wrong-password"})
    Client().post(reverse("accounts:login"), {"username": "viewer", "password": p.password})

    really_recorded = set(AuditLog.objects.values_list("action", flat=True))
    for action in sorted(recorded_actions() - really_recorded):
        audit.record(p.jia, action, object_type="test.detail", object_repr=action, organisation=p.city,
                     detail=HOSTILE_DETAIL)
    return {"really_recorded": really_recorded, "world": world, "visit_id": visit.json()["id"]}


def auditor_client(personas) -> Client:
    client = Client()
    client.cookies["nuanxin_language"] = "en"
    client.force_login(personas.auditor)
    return client


def _all_pages(client, query: str = "") -> tuple[list[str], str]:
    """The action of every row over all pages, and the HTML of all pages."""
    actions, html, number = [], "", 1
    while True:
        response = client.get(f"{reverse('audit:log')}?{query}&page={number}")
        assert response.status_code == 200
        page = response.context["page"]
        actions += [row.action for row in page.object_list]
        html += response.content.decode()
        if not page.has_next():
            return actions, html
        number += 1


@pytest.mark.django_db
def test_the_audit_page_shows_every_action_with_its_detail(personas, every_action):
    assert {"visit.record", "difficulty.open", "campaign.create", "care.assign", "worker.create", "family.add",
            "token.create", "token.revoke", "import.upload", "import.plan", "org.create", "user.create",
            "grant.create", "auth.login", "auth.login_failed"} <= every_action["really_recorded"]
    actions, html = _all_pages(auditor_client(personas))
    assert set(actions) >= recorded_actions()
    assert len(actions) == AuditLog.objects.count()
    # the real visit's necessities (the visit.record row's detail, as the service wrote it), read exactly
    visit_row = AuditLog.objects.get(action="visit.record")
    worker = every_action["world"].a1.pk
    assert visit_row.detail == {
        "on": "2020-01-28", "mode": "home", "items": [["口罩", "2.00", "盒", "0.00"], ["大米", "10.00", "斤", "0.00"]],
        "worker": worker, "difficulties": 0,
    }
    # in the auditor's language (labels of the keys and of the mode), keys in the order of their codes
    line = (f"Difficulties: 0; Necessities: [[口罩, 2.00, 盒, 0.00], [大米, 10.00, 斤, 0.00]]; Mode: Home visit; "
            f"Date: 2020-01-28; Worker: {worker}")
    assert html.count(f'<div class="text-secondary text-break nx-audit-detail">{line}</div>') == 2  # table, card
    # hostile values are escaped and cut
    assert "<script>alert(1)</script>" not in html
    assert "Before: {Code: =1+1, Name: &lt;script&gt;alert(1)&lt;/script&gt;}" in html
    assert "很长的理由" * 200 not in html


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["visit.", "difficulty.", "import.", "user."])
def test_the_pages_filtered_by_action_answer_200(personas, every_action, prefix):
    actions, _html = _all_pages(auditor_client(personas), f"action={prefix}")
    # The filter finds the codes beginning with the text and those containing it (code or label):
    # "import." finds the register's import.* and the mutual-aid scheme's welfare.import.*.
    found = auditlabels.matching_actions(prefix)
    assert sorted(actions) == sorted(
        a for a in AuditLog.objects.values_list("action", flat=True) if a.startswith(prefix) or a in found
    )
    assert set(actions) == {a for a in recorded_actions() if a.startswith(prefix) or a in found}


@pytest.mark.django_db
def test_the_page_filtered_by_the_visit_and_by_its_author(personas, every_action):
    client = auditor_client(personas)
    actions, html = _all_pages(client, f"object_type=care.visit&object_id={every_action['visit_id']}")
    assert actions == ["visit.record"]
    assert "Necessities: [[口罩, 2.00, 盒, 0.00], [大米, 10.00, 斤, 0.00]]" in html
    actions, _html = _all_pages(client, "actor=care")
    assert sorted(actions) == ["difficulty.open", "visit.record"]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["organisation=SN", "outcome=success"])
def test_other_filtered_pages_answer_200(personas, every_action, query):
    actions, _html = _all_pages(auditor_client(personas), query)
    assert "visit.record" in actions


@pytest.mark.django_db
def test_the_exports_keep_the_whole_detail(personas, every_action):
    client = auditor_client(personas)
    response = client.get(reverse("audit:export") + "?action=visit.record&format=csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")
                                       if response.streaming else response.content.decode("utf-8-sig"))))
    assert len(rows) == 2
    assert json.loads(rows[1][-1])["items"] == [["口罩", "2.00", "盒", "0.00"], ["大米", "10.00", "斤", "0.00"]]
    response = client.get(reverse("audit:export") + "?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
