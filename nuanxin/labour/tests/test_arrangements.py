"""Pregnancy and lactation arrangements: referring (the care contact, from a visit), agreeing,
changing and ending (the labour officer), the rules, the audited reads, the hooks (follow-up,
timeline, worker page), the review reminders and the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from nuanxin.accounts.services import create_api_token
from nuanxin.care import services as care_services
from nuanxin.care.hooks import followup_links
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.labour.choices import ArrangementStatus
from nuanxin.labour.models import Arrangement
from nuanxin.labour.selectors import arrangements as selectors
from nuanxin.labour.services import arrangements as services
from nuanxin.labour.tasks.arrangements import remind_reviews
from nuanxin.labour.views.arrangements import _review_due
from nuanxin.notify.models import Notification
from nuanxin.orgs import services as org_services
from nuanxin.registry import services as registry_services
from nuanxin.registry.choices import Gender, TeamType

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(english):
    return english


@pytest.fixture
def world(personas):
    p = personas
    today = timezone.localdate()
    worker = registry_services.create_worker(
        actor=SYSTEM,
        organisation=p.shinan_hospital,
        name="孕期甲",
        team=TeamType.HUBEI_AID,
        mobile="13800051001",
        gender=Gender.FEMALE,
    )
    male = registry_services.create_worker(
        actor=SYSTEM,
        organisation=p.shinan_hospital,
        name="男职工",
        team=TeamType.HUBEI_AID,
        mobile="13800051002",
        gender=Gender.MALE,
    )
    unknown = registry_services.create_worker(
        actor=SYSTEM,
        organisation=p.shinan_hospital,
        name="未知性别",
        team=TeamType.HUBEI_AID,
        mobile="13800051003",
    )
    campaign = care_services.create_campaign(actor=SYSTEM, name="孕期测试", starts_on=today - timedelta(days=7))
    care_services.bulk_assign(actor=SYSTEM, campaign=campaign, workers=[worker, male, unknown], contact=p.care)
    officer, _pw = org_services.create_user(
        actor=SYSTEM,
        username="officer",
        organisation=p.shinan,
        role=Role.LABOUR_OFFICER,
        password=p.password,
        full_name="劳动干事",
    )
    visit = care_services.record_visit(actor=p.care, worker=worker, on=today, mode="phone")
    p.worker, p.male, p.unknown, p.officer, p.visit, p.today = worker, male, unknown, officer, visit, today
    return p


def _refer(p, **kw):
    values = {"actor": p.care, "worker": p.worker, "stage": "pregnant", "expected_on": p.today + timedelta(days=90)}
    values.update(kw)
    return services.refer_arrangement(**values)


def _agree(p, a, **kw):
    values = {
        "actor": p.officer,
        "arrangement": a,
        "stage": "pregnant",
        "expected_on": p.today + timedelta(days=90),
        "lactating_until": None,
        "measures": ["no_night_shifts", "flexible_hours"],
        "starts_on": p.today,
        "ends_on": p.today + timedelta(days=90),
        "confirmed_by": "护理部王主任",
        "confirmed_on": p.today,
        "review_on": p.today + timedelta(days=30),
        "notes": "",
    }
    values.update(kw)
    return services.agree_arrangement(**values)


# --- referring ---------------------------------------------------------------------------------


def test_care_contact_refers_from_a_visit_and_officers_are_told(world):
    p = world
    a = _refer(p, visit=p.visit, measures=["no_night_shifts"], notes="她怀孕了，还在上夜班")
    assert a.status == ArrangementStatus.REFERRED and a.visit == p.visit and a.no_night_shifts
    assert a.created_by == p.care
    row = AuditLog.objects.get(action="labour.arrangement.refer")
    assert row.detail == {"opened_from": "visit"} and row.object_repr == f"Arrangement #{a.pk}"
    told = set(
        Notification.objects.filter(kind="labour.arrangement.referred").values_list("recipient__username", flat=True)
    )
    assert told == {"officer", "yi", "jia"}
    # The care contact reads none back.
    assert not Arrangement.objects.for_user(p.care, "view").exists()
    assert not Arrangement.policy.allows(p.care, "view", a)


def test_refusals(world):
    p = world
    with pytest.raises(ServiceError, match="The register records 男职工 as male"):
        _refer(p, worker=p.male)
    with pytest.raises(ServiceError, match="expected delivery date"):
        _refer(p, expected_on=None)
    with pytest.raises(ServiceError, match="until which"):
        _refer(p, stage="lactating", expected_on=None)
    with pytest.raises(ServiceError, match="Unknown measure"):
        _refer(p, measures=["massage"])
    other = registry_services.create_worker(
        actor=SYSTEM,
        organisation=p.shinan_hospital,
        name="别家",
        team=TeamType.HUBEI_AID,
        mobile="13800051009",
        gender=Gender.FEMALE,
    )
    with pytest.raises(ServiceError, match="The visit is not of this family"):
        _refer(p, worker=other, actor=p.yi, visit=p.visit)
    with pytest.raises(NotAllowed):  # not assigned to the care contact
        _refer(p, worker=other)
    with pytest.raises(NotAllowed):
        _refer(p, actor=p.bing)
    assert Arrangement.objects.count() == 0
    # Gender unknown: allowed (the register does not say).
    assert _refer(p, worker=p.unknown).pk


def test_agree_change_end(world):
    p = world
    a = _refer(p)
    with pytest.raises(ServiceError, match="at least one measure"):
        _agree(p, a, measures=[])
    with pytest.raises(ServiceError, match="cannot end before it starts"):
        _agree(p, a, ends_on=p.today - timedelta(days=1))
    with pytest.raises(ServiceError, match="review date cannot be after"):
        _agree(p, a, review_on=p.today + timedelta(days=100))
    with pytest.raises(ServiceError, match="Say who confirmed"):
        _agree(p, a, confirmed_by=" ")
    with pytest.raises(NotAllowed):
        _agree(p, a, actor=p.care)
    with pytest.raises(NotAllowed):
        _agree(p, a, actor=p.bing)
    a = _agree(p, a, version=1)
    assert a.status == ArrangementStatus.AGREED and a.version == 2
    assert services.measures_of(a) == ["flexible_hours", "no_night_shifts"]
    assert AuditLog.objects.get(action="labour.arrangement.agree").detail["changed"] == [
        "confirmed_by",
        "confirmed_on",
        "ends_on",
        "flexible_hours",
        "no_night_shifts",
        "review_on",
        "starts_on",
    ]
    with pytest.raises(ServiceError, match="changed this record"):
        _agree(p, a, version=1, measures=["remote_work"])
    a = _agree(p, a, measures=["remote_work"], version=2)
    assert AuditLog.objects.get(action="labour.arrangement.change").detail["changed"] == [
        "flexible_hours",
        "no_night_shifts",
        "remote_work",
    ]
    a = services.end_arrangement(actor=p.officer, arrangement=a, reason="产假开始", version=3)
    assert a.status == ArrangementStatus.ENDED and a.ends_on == p.today
    assert a.notes.endswith(f"Ended on {p.today.isoformat()}: 产假开始")
    with pytest.raises(ServiceError, match="already ended"):
        services.end_arrangement(actor=p.officer, arrangement=a)
    with pytest.raises(ServiceError, match="no longer be changed"):
        _agree(p, a)


# --- reminders ---------------------------------------------------------------------------------


def test_review_reminders_once_before_and_once_when_due(world):
    p = world
    a = _agree(p, _refer(p), review_on=p.today + timedelta(days=10))
    assert remind_reviews(today=p.today) == 0  # 10 days ahead: not yet
    soon = p.today + timedelta(days=3)
    assert remind_reviews(today=soon) == 3  # officer, 乙, 甲
    n = Notification.objects.filter(kind="labour.arrangement.review_soon", recipient=p.officer).get()
    assert n.title == f"市南区人民医院工会的保护安排 #{a.pk}：7 天后复核（{a.review_on.isoformat()}）"  # her language
    assert remind_reviews(today=soon + timedelta(days=1)) == 0  # once
    assert remind_reviews(today=a.review_on) == 3
    assert Notification.objects.filter(kind="labour.arrangement.review_due").count() == 3
    a.refresh_from_db()
    assert a.reminded_for == a.review_on
    assert remind_reviews(today=a.review_on + timedelta(days=1)) == 0
    # A new review date is reminded of again.
    a = _agree(p, a, review_on=p.today + timedelta(days=40), version=a.version)
    assert remind_reviews(today=p.today + timedelta(days=40)) == 3
    assert AuditLog.objects.filter(action="labour.arrangement.remind").count() == 3


def _woman(p, name, mobile):
    return registry_services.create_worker(
        actor=SYSTEM,
        organisation=p.shinan_hospital,
        name=name,
        team=TeamType.HUBEI_AID,
        mobile=mobile,
        gender=Gender.FEMALE,
    )


def test_lists_review_due_and_ending_soon(world):
    p = world
    second, third = _woman(p, "孕期乙", "13800051011"), _woman(p, "孕期丙", "13800051012")
    due = _agree(p, _refer(p), review_on=p.today + timedelta(days=5))
    ending = _agree(
        p,
        _refer(p, worker=second, actor=p.officer),
        ends_on=p.today + timedelta(days=10),
        review_on=p.today + timedelta(days=9),
    )
    later = _agree(p, _refer(p, worker=third, actor=p.officer), review_on=p.today + timedelta(days=60))
    rows = Arrangement.objects.all()
    assert list(selectors.review_due(rows)) == [due]
    assert list(selectors.ending_soon(rows)) == [ending]
    assert later not in selectors.review_due(rows)
    assert selectors.open_counts(p.officer) == {"referred": 0, "agreed": 3, "due": 1, "ending": 1}
    assert selectors.open_counts(p.bing) == {"referred": 0, "agreed": 0, "due": 0, "ending": 0}
    # The home page's counter: officers and administrators only.
    assert (_review_due(p.officer), _review_due(p.yi), _review_due(p.bing)) == (1, 1, 0)
    assert _review_due(p.viewer) is None and _review_due(p.care) is None


# --- pages -------------------------------------------------------------------------------------


def test_care_contact_page_refers_and_returns_to_the_family(world, english_client):
    p = world
    c = english_client
    c.force_login(p.care)
    url = reverse("labour:arrangement_create") + f"?worker={p.worker.pk}&visit={p.visit.pk}"
    page = c.get(url)
    assert page.status_code == 200
    assert f"From the visit of {p.today.isoformat()}." in page.content.decode()
    # Missing expected date: the message, nothing saved.
    bad = c.post(url, {"worker": p.worker.pk, "stage": "pregnant"})
    assert bad.status_code == 200 and "Give the expected delivery date" in bad.content.decode()
    assert Arrangement.objects.count() == 0
    response = c.post(
        url,
        {
            "worker": p.worker.pk,
            "visit": p.visit.pk,
            "stage": "pregnant",
            "expected_on": str(p.today + timedelta(days=80)),
            "measures": ["no_night_shifts"],
            "notes": "夜班",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("care:family", args=[p.worker.pk])
    a = Arrangement.objects.get()
    assert a.visit == p.visit and a.no_night_shifts
    followed = c.get(response["Location"])
    assert "is referred to the labour officers of 市南区人民医院工会" in followed.content.decode()
    assert c.get(reverse("labour:arrangement_detail", args=[a.pk])).status_code == 403
    # A second referral while this one is open: refused, nothing saved.
    again = c.post(url, {"worker": p.worker.pk, "stage": "pregnant", "expected_on": str(p.today)})
    assert again.status_code == 200 and "already has an arrangement in hand" in again.content.decode()
    assert Arrangement.objects.count() == 1
    # A male worker: said on the page.
    male = c.get(reverse("labour:arrangement_create") + f"?worker={p.male.pk}")
    assert "The register records this worker as male" in male.content.decode()


def test_officer_reads_agrees_and_every_read_is_audited(world, english_client):
    p = world
    a = _refer(p, visit=p.visit)
    c = english_client
    c.force_login(p.officer)
    listing = c.get(reverse("labour:arrangement_list"))
    assert listing.status_code == 200 and "孕期甲" in listing.content.decode()
    read = AuditLog.objects.filter(action="labour.arrangement.read").latest("id")
    assert read.detail == {"page": "arrangement_list", "arrangements": [a.pk]}
    detail = c.get(reverse("labour:arrangement_detail", args=[a.pk]))
    assert detail.status_code == 200 and "Agree it with the employer" in detail.content.decode()
    assert AuditLog.objects.filter(action="labour.arrangement.read").latest("id").detail["page"] == "arrangement_detail"
    response = c.post(
        reverse("labour:arrangement_agree", args=[a.pk]),
        {
            "stage": "pregnant",
            "expected_on": str(p.today + timedelta(days=90)),
            "measures": ["no_night_shifts"],
            "starts_on": str(p.today),
            "ends_on": "",
            "confirmed_by": "王主任",
            "confirmed_on": str(p.today),
            "review_on": str(p.today + timedelta(days=14)),
            "version": "1",
        },
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.status == ArrangementStatus.AGREED and a.review_on == p.today + timedelta(days=14)
    # The auditor and the viewer: no read at all.
    for user in (p.auditor, p.viewer):
        c.force_login(user)
        assert c.get(reverse("labour:arrangement_list")).status_code == 403


def test_hooks_follow_up_timeline_and_worker_page(world, english_client):
    p = world
    assert [f.key for f in followup_links(p.care, p.worker) if f.key == "arrangement"] == ["arrangement"]
    assert not [f for f in followup_links(p.care, p.male) if f.key == "arrangement"]
    a = _refer(p)
    c = english_client
    c.force_login(p.care)
    family = c.get(reverse("care:family", args=[p.worker.pk])).content.decode()
    assert f'data-arrangement="{a.pk}"' not in family and 'data-followup="arrangement"' in family
    before = AuditLog.objects.filter(action="labour.arrangement.read").count()
    c.force_login(p.yi)
    family = c.get(reverse("care:family", args=[p.worker.pk])).content.decode()
    assert f'data-arrangement="{a.pk}"' in family
    row = AuditLog.objects.filter(action="labour.arrangement.read").latest("id")
    assert row.detail == {"page": "family_timeline", "arrangements": [a.pk]}
    worker_page = c.get(reverse("registry:worker_detail", args=[p.worker.pk])).content.decode()
    assert 'id="nx-worker-arrangement"' in worker_page and "An arrangement exists" in worker_page
    assert AuditLog.objects.filter(action="labour.arrangement.read").count() == before + 2
    c.force_login(p.auditor)
    worker_page = c.get(reverse("registry:worker_detail", args=[p.worker.pk])).content.decode()
    assert "nx-worker-arrangement" not in worker_page


# --- API -----------------------------------------------------------------------------------------


def _api(user) -> Client:
    _token, secret = create_api_token(actor=SYSTEM, user=user, expires_days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")


def test_api_refer_list_and_detail(world):
    p = world
    c = _api(p.care)
    response = c.post(
        "/api/v1/labour/arrangements",
        {
            "worker": p.worker.pk,
            "stage": "lactating",
            "lactating_until": str(p.today + timedelta(days=100)),
            "measures": ["flexible_hours"],
            "visit": p.visit.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    a = Arrangement.objects.get()
    assert response.json() == {"id": a.pk, "status": "referred"}
    male = c.post(
        "/api/v1/labour/arrangements",
        {"worker": p.male.pk, "stage": "pregnant", "expected_on": str(p.today)},
        content_type="application/json",
    )
    assert male.status_code == 400 and "as male" in male.json()["message"]
    assert c.get("/api/v1/labour/arrangements").status_code == 403
    c = _api(p.officer)
    listing = c.get("/api/v1/labour/arrangements?status=referred").json()
    assert listing["count"] == 1 and listing["items"][0]["measures"] == ["flexible_hours"]
    assert listing["items"][0]["visit"] == p.visit.pk
    assert c.get("/api/v1/labour/arrangements?review_due=true").json()["count"] == 0
    one = c.get(f"/api/v1/labour/arrangements/{a.pk}").json()
    assert one["stage"] == "lactating" and one["organisation"] == "SN-H1"
    pages = list(AuditLog.objects.filter(action="labour.arrangement.read").values_list("detail", flat=True))
    assert pages == [{"page": "api", "arrangements": [a.pk]}] * 2  # the empty answer shows none
    c = _api(p.bing)
    assert c.get(f"/api/v1/labour/arrangements/{a.pk}").status_code == 404


def test_referred_from_a_difficulty(world, english_client):
    p = world
    difficulty = care_services.open_difficulty(actor=p.care, worker=p.worker, description="怀孕仍上夜班")
    c = english_client
    c.force_login(p.care)
    page = c.get(reverse("care:difficulty_detail", args=[difficulty.pk])).content.decode()
    assert 'data-followup="arrangement"' in page and f"difficulty={difficulty.pk}" in page
    url = reverse("labour:arrangement_create") + f"?worker={p.worker.pk}&difficulty={difficulty.pk}"
    assert f'data-difficulty="{difficulty.pk}"' in c.get(url).content.decode()
    response = c.post(
        url,
        {
            "worker": p.worker.pk,
            "difficulty": difficulty.pk,
            "stage": "lactating",
            "lactating_until": str(p.today + timedelta(days=60)),
        },
    )
    assert response.status_code == 302
    a = Arrangement.objects.get()
    assert a.difficulty == difficulty and a.visit is None
    assert AuditLog.objects.get(action="labour.arrangement.refer").detail == {"opened_from": "difficulty"}
    # Another family's difficulty is ignored (not this family's): nothing is linked.
    other = registry_services.create_worker(
        actor=SYSTEM,
        organisation=p.shinan_hospital,
        name="别家乙",
        team=TeamType.HUBEI_AID,
        mobile="13800051019",
        gender=Gender.FEMALE,
    )
    c.force_login(p.yi)
    page = c.get(reverse("labour:arrangement_create") + f"?worker={other.pk}&difficulty={difficulty.pk}")
    assert "data-difficulty" not in page.content.decode()
