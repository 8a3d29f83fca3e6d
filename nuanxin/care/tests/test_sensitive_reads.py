"""Health (就医) and psychological difficulties are sensitive records (PIPL art. 28; DOMAIN.md):
every path that shows their description writes one audited read per kind and unit
(``care.health_read`` / ``care.psychological_read``), the register's worker page and the
table export included; an export leaves out the text its user may not read and counts both
in its own audit row; and the audit trail never keeps the description as the object's name."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from nuanxin.accounts.services import create_api_token
from nuanxin.care import services
from nuanxin.care.models import Difficulty
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.registry import services as registry_services
from nuanxin.registry.choices import TeamType
from nuanxin.tables import exports

pytestmark = pytest.mark.django_db

MIND, HEALTH, CHILD = "家属失眠焦虑，需要心理疏导", "母亲需要复诊，挂号困难", "孩子上学无人接送"
READS = ("care.psychological_read", "care.health_read")


def reads(action=None):
    rows = AuditLog.objects.filter(action__in=[action] if action else READS).order_by("id")
    return [(r.action, r.actor_id, r.organisation_id, r.detail) for r in rows]


@pytest.fixture
def family(personas):
    """A worker of the 市南区 hospital with one psychological, one health and one childcare
    difficulty, cared for by the care contact."""
    campaign = services.create_campaign(actor=SYSTEM, name="关爱", starts_on=timezone.localdate() - timedelta(days=7))
    worker = registry_services.create_worker(
        actor=SYSTEM, organisation=personas.shinan_hospital, name="程欢", mobile="13800001001", team=TeamType.HUBEI_AID
    )
    services.bulk_assign(actor=SYSTEM, campaign=campaign, workers=[worker], contact=personas.care)
    mind = services.open_difficulty(actor=SYSTEM, worker=worker, description=MIND, category="psychological")
    health = services.open_difficulty(actor=SYSTEM, worker=worker, description=HEALTH, category="medical")
    child = services.open_difficulty(actor=SYSTEM, worker=worker, description=CHILD, category="childcare")
    return worker, mind, health, child


def test_the_registers_worker_page_audits_each_sensitive_kind(personas, family, client):
    worker, mind, health, _child = family
    unit = personas.shinan_hospital.pk
    for user in (personas.yi, personas.care):
        client.force_login(user)
        page = client.get(reverse("registry:worker_detail", args=[worker.pk]))
        assert page.status_code == 200
        for text in (MIND, HEALTH, CHILD):
            assert text in page.content.decode()
    assert reads() == [
        ("care.psychological_read", personas.yi.pk, unit, {"page": "register", "difficulties": [mind.pk]}),
        ("care.health_read", personas.yi.pk, unit, {"page": "register", "difficulties": [health.pk]}),
        ("care.psychological_read", personas.care.pk, unit, {"page": "register", "difficulties": [mind.pk]}),
        ("care.health_read", personas.care.pk, unit, {"page": "register", "difficulties": [health.pk]}),
    ]
    # Another district's administrator gets the 404 of a missing worker and reads nothing.
    client.force_login(personas.bing)
    assert client.get(reverse("registry:worker_detail", args=[worker.pk])).status_code == 404
    assert len(reads()) == 4


def test_a_worker_page_without_sensitive_difficulties_writes_no_read(personas, client):
    worker = registry_services.create_worker(
        actor=SYSTEM, organisation=personas.shinan_hospital, name="王平", mobile="13800001002", team=TeamType.CDC
    )
    services.open_difficulty(actor=SYSTEM, worker=worker, description=CHILD, category="childcare")
    client.force_login(personas.yi)
    assert client.get(reverse("registry:worker_detail", args=[worker.pk])).status_code == 200
    assert reads() == []


def test_the_care_pages_and_the_api_audit_health_reads_too(personas, family, client):
    worker, mind, health, _child = family
    unit = personas.shinan_hospital.pk
    client.force_login(personas.yi)
    assert client.get(reverse("care:difficulty_detail", args=[health.pk])).status_code == 200
    assert client.get(reverse("care:difficulty_list")).status_code == 200
    assert client.get(reverse("care:family", args=[worker.pk])).status_code == 200
    _token, plaintext = create_api_token(actor=SYSTEM, user=personas.yi, expires_days=1)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}
    answer = client.get("/api/v1/difficulties", **auth)
    assert (answer.status_code, answer.json()["count"]) == (200, 3)
    assert reads("care.health_read") == [
        ("care.health_read", personas.yi.pk, unit, {"page": page, "difficulties": [health.pk]})
        for page in ("difficulty", "difficulty_list", "family", "api")
    ]
    # The answer of a transition shows the description: a read, too.
    before = len(reads())
    answer = client.post(
        f"/api/v1/difficulties/{mind.pk}/transitions", {"to": "in_progress"}, content_type="application/json", **auth
    )
    assert (answer.status_code, answer.json()["description"]) == (200, MIND)
    assert reads()[before:] == [
        ("care.psychological_read", personas.yi.pk, unit, {"page": "api", "difficulties": [mind.pk]})
    ]


def _cells(content: bytes) -> list[list]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return book.get_sheet_by_name("附件1").to_python()


def _export_row():
    return AuditLog.objects.get(action="registry.export")


def test_an_export_writes_what_its_user_may_read_and_counts_it(personas, family):
    _worker, mind, health, _child = family
    # A second unit of the district: one read row per unit and kind.
    other = registry_services.create_worker(
        actor=SYSTEM, organisation=personas.shinan, name="李萍", mobile="13800001003", team=TeamType.HUBEI_AID
    )
    second = services.open_difficulty(actor=SYSTEM, worker=other, description="父亲住院需要陪护", category="medical")
    result = exports.export_table(actor=personas.yi, organisation=personas.shinan, table=1)
    cells = {row[1]: row[9] for row in _cells(result.content)[3:]}
    assert cells == {"程欢": f"{MIND}；{HEALTH}；{CHILD}", "李萍": "父亲住院需要陪护"}
    assert _export_row().detail == {
        "table": 1,
        "rows": 2,
        "by_carrier": False,
        "psychological_shown": 1,
        "health_shown": 2,
        "withheld": 0,
    }
    hospital, district = personas.shinan_hospital.pk, personas.shinan.pk
    yi = personas.yi.pk
    assert sorted(reads(), key=lambda r: (r[0], r[2])) == sorted(
        [
            ("care.psychological_read", yi, hospital, {"page": "export", "difficulties": [mind.pk]}),
            ("care.health_read", yi, hospital, {"page": "export", "difficulties": [health.pk]}),
            ("care.health_read", yi, district, {"page": "export", "difficulties": [second.pk]}),
        ],
        key=lambda r: (r[0], r[2]),
    )


def test_an_export_leaves_out_what_its_user_may_not_read(personas, family, monkeypatch):
    """Should the care pages' rule ever keep a kind of administrator from the difficulties,
    the export follows it: the text is left out and counted as withheld, and nothing is read."""
    monkeypatch.setitem(Difficulty.policy.actions, "view", frozenset({"care_contact"}))
    result = exports.export_table(actor=personas.yi, organisation=personas.shinan, table=1)
    assert [row[9] for row in _cells(result.content)[3:]] == [CHILD]
    assert _export_row().detail == {
        "table": 1,
        "rows": 1,
        "by_carrier": False,
        "psychological_shown": 0,
        "health_shown": 0,
        "withheld": 2,
    }
    assert reads() == []


def test_the_export_page_and_the_operators_command_are_audited_alike(personas, family, client, tmp_path):
    _worker, mind, health, _child = family
    client.force_login(personas.yi)
    response = client.post(reverse("tables:export"), {"table": "1", "org": "SN"})
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert [r[0] for r in reads()] == list(READS)
    call_command("export_tables", "--org", "SN", "--table", "1", "--out", str(tmp_path / "t1.xlsx"))
    rows = AuditLog.objects.filter(action__in=READS, actor=None).order_by("id")
    system = [(r.action, r.actor_name, r.detail) for r in rows]
    assert system == [
        ("care.psychological_read", "system:cli", {"page": "export", "difficulties": [mind.pk]}),
        ("care.health_read", "system:cli", {"page": "export", "difficulties": [health.pk]}),
    ]
    cli = AuditLog.objects.get(action="registry.export", actor=None).detail
    assert (cli["psychological_shown"], cli["health_shown"], cli["withheld"]) == (1, 1, 0)


def test_the_audit_trail_never_names_a_difficulty_by_its_words(personas, family, client):
    _worker, mind, health, _child = family
    services.change_difficulty_status(actor=personas.care, difficulty=mind, to="in_progress", note="")
    services.change_difficulty_status(actor=personas.care, difficulty=health, to="in_progress", note="")
    rows = AuditLog.objects.filter(object_type="care.difficulty").exclude(object_id="")
    names = sorted({r.object_repr for r in rows if r.object_id in (str(mind.pk), str(health.pk))})
    assert names == sorted(f"{d.get_category_display()} #{d.pk}" for d in (mind, health))
    client.force_login(personas.auditor)
    page = client.get(reverse("audit:log")).content.decode()
    for text in (MIND, HEALTH, CHILD):
        assert text not in page
