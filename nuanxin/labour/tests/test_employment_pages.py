"""Employment help's pages and API: the directory, opening a case from a visit (the care
contact), referring and recording the job (the officer), the family page's button and timeline,
``GET/POST /api/v1/labour/employment-cases``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from nuanxin.accounts.services import create_api_token
from nuanxin.care import services as care_services
from nuanxin.core.policy import SYSTEM
from nuanxin.labour.choices import EmploymentStatus, ReferralOutcome
from nuanxin.labour.models import EmploymentCase, JobLead, PartnerEmployer, Referral
from nuanxin.labour.services import employment as services
from nuanxin.labour.tests.test_employment_fixtures import build, org

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(personas):
    return build(personas)


def _client(user, password) -> Client:
    c = Client()
    c.cookies["nuanxin_language"] = "en"
    assert c.login(username=user.username, password=password)
    return c


def _api(user) -> Client:
    _token, secret = create_api_token(actor=SYSTEM, user=user, expires_days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")


def _text(response) -> str:
    return response.content.decode()


# --- the directory -----------------------------------------------------------------------


def test_the_officer_adds_an_employer_and_a_lead_on_the_pages(w):
    c = _client(w.officer, w.p.password)
    listing = _text(c.get("/labour/employers/"))
    assert "市南物业" in listing and "全市超市" not in listing  # the city's employer is above 市南区's scope
    response = c.post("/labour/employers/new/", {"organisation": org("SN").pk, "name": "海鲜市场", "area": "市南区"})
    employer = PartnerEmployer.objects.get(name="海鲜市场")
    assert response.status_code == 302 and response["Location"] == f"/labour/employers/{employer.pk}/"
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = c.post(
        f"/labour/employers/{employer.pk}/leads/new/", {"title": "售货员", "openings": "2", "open_until": yesterday}
    )
    assert response.status_code == 200 and "The lead cannot close before today." in _text(response)
    assert JobLead.objects.filter(employer=employer).count() == 0
    response = c.post(f"/labour/employers/{employer.pk}/leads/new/", {"title": "售货员", "openings": "2"})
    assert response.status_code == 302
    page = _text(c.get(f"/labour/employers/{employer.pk}/"))
    assert "售货员" in page and "2 openings" in page


def test_a_care_contact_has_no_directory(w):
    c = _client(w.p.care, w.p.password)
    assert c.get("/labour/employers/").status_code == 403


# --- opening, referring, the job -------------------------------------------------------------


def test_a_care_contact_opens_employment_help_from_a_visit(w):
    visit = care_services.record_visit(actor=w.p.care, worker=w.worker, on=timezone.localdate(), mode="phone")
    c = _client(w.p.care, w.p.password)
    family = _text(c.get(f"/care/families/{w.worker.pk}/"))
    assert (
        f'data-followup="employment" href="/labour/employment/new/?worker={w.worker.pk}&amp;visit={visit.pk}"' in family
    )
    url = f"/labour/employment/new/?worker={w.worker.pk}&visit={visit.pk}"
    form = _text(c.get(url))
    assert f"Opened from the visit of {visit.on.isoformat()}." in form and "就业甲妻 (配偶)" in form
    response = c.post(url, {"family_member": "", "seeker_name": "", "urgency": "normal"})
    assert "Choose the family member seeking work, or write their name." in _text(response)
    response = c.post(url, {"family_member": str(w.member.pk), "wishes": "保洁", "area": "市南区", "urgency": "normal"})
    case = EmploymentCase.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/labour/employment/{case.pk}/"
    assert (case.visit_id, case.seeker_name, case.owner) == (visit.pk, "就业甲妻", w.officer)
    detail = _text(c.get(response["Location"]))
    assert "Refer to a job" not in detail and "Seeking work" in detail  # the care contact follows, does not move it
    family = _text(c.get(f"/care/families/{w.worker.pk}/"))
    assert f'data-employment="{case.pk}"' in family  # on the family's timeline


def test_the_create_page_needs_a_family_in_scope(w):
    c = _client(w.p.bing, w.p.password)
    assert c.get(f"/labour/employment/new/?worker={w.worker.pk}").status_code == 404
    # Without a family the page finds one: among 市北区's units only.
    page = c.get("/labour/employment/new/", {"q": w.worker.name})
    assert page.status_code == 200
    assert page.context["found"] == []


def test_the_officer_refers_the_seeker_and_records_the_job(w):
    case = services.open_employment(actor=w.p.care, worker=w.worker, family_member=w.member, wishes="保洁")
    c = _client(w.officer, w.p.password)
    detail = _text(c.get(f"/labour/employment/{case.pk}/"))
    assert detail.index("保洁员 · 市南物业") < detail.index("收银员 · 全市超市") < detail.index("护工 · 医院后勤公司")
    assert "包装工" not in detail and "门卫" not in detail
    response = c.post(f"/labour/employment/{case.pk}/refer/", {"lead": str(w.cleaner.pk)})
    assert response.status_code == 302
    referral = Referral.objects.get()
    case.refresh_from_db()
    assert case.status == EmploymentStatus.REFERRED
    response = c.post(
        f"/labour/referrals/{referral.pk}/outcome/",
        {"outcome": "employed", "outcome_on": timezone.localdate().isoformat(), "version": "1"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.employer_name) == (EmploymentStatus.EMPLOYED, "市南物业")
    detail = _text(c.get(f"/labour/employment/{case.pk}/"))
    assert 'id="nx-employment-employer">市南物业' in detail
    # a stale outcome form is a conflict on the page, nothing changed
    response = c.post(f"/labour/referrals/{referral.pk}/outcome/", {"outcome": "not_employed", "version": "1"})
    assert response.status_code == 200 and "after you opened it" in _text(response)
    referral.refresh_from_db()
    assert referral.outcome == ReferralOutcome.EMPLOYED


def test_closing_without_a_job_and_the_list(w):
    case = services.open_employment(actor=w.p.care, worker=w.worker, seeker_name="就业甲之子")
    c = _client(w.p.yi, w.p.password)
    response = c.post(f"/labour/employment/{case.pk}/status/", {"to": "closed", "note": "", "version": "1"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == EmploymentStatus.CLOSED
    listing = _text(c.get("/labour/employment/?status=closed"))
    assert "就业甲之子" in listing and "Closed without a job" in listing
    assert "就业甲之子" not in _text(c.get("/labour/employment/?status=seeking"))


# --- API -------------------------------------------------------------------------------------


def test_the_api_lists_and_opens_cases(w):
    case = services.open_employment(actor=w.p.care, worker=w.worker, family_member=w.member)
    services.refer(actor=w.officer, case=case, lead=w.cleaner)
    answer = _api(w.p.care).get("/api/v1/labour/employment-cases").json()
    assert answer["count"] == 1
    item = answer["items"][0]
    assert (item["id"], item["status"], item["unit"], item["seeker_name"]) == (case.pk, "referred", "SN-H1", "就业甲妻")
    assert [(r["job"], r["employer"], r["outcome"]) for r in item["referrals"]] == [("保洁员", "市南物业", "pending")]
    assert _api(w.p.bing).get("/api/v1/labour/employment-cases").json()["count"] == 0

    response = _api(w.p.care).post(
        "/api/v1/labour/employment-cases",
        {"worker": w.worker.pk, "seeker_name": "就业甲之女", "wishes": "文员"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "seeking" and response.json()["owner"] == w.officer.pk
    stranger = w.other_worker.family.create(name="外人", name_key="外人")
    response = _api(w.p.yi).post(
        "/api/v1/labour/employment-cases",
        {"worker": w.worker.pk, "family_member": stranger.pk},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["message"] == "Choose a family member of this worker."
    response = _api(w.p.bing).post(
        "/api/v1/labour/employment-cases",
        {"worker": w.worker.pk, "seeker_name": "越权"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert EmploymentCase.objects.count() == 2


def test_the_officer_changes_the_wishes_and_the_leads_follow(w):
    case = services.open_employment(actor=w.p.care, worker=w.worker, family_member=w.member, wishes="保洁")
    c = _client(w.officer, w.p.password)
    response = c.post(
        f"/labour/employment/{case.pk}/edit/", {"skills": "", "wishes": "收银", "area": "", "version": "1"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.wishes, case.version) == ("收银", 2)
    detail = _text(c.get(f"/labour/employment/{case.pk}/"))
    assert detail.index("收银员 · 全市超市") < detail.index("保洁员 · 市南物业")
    response = c.post(
        f"/labour/employment/{case.pk}/edit/", {"skills": "", "wishes": "司机", "area": "", "version": "1"}
    )
    assert response.status_code == 200 and "after you opened it" in _text(response)
    assert (
        _client(w.p.care, w.p.password)
        .post(f"/labour/employment/{case.pk}/edit/", {"wishes": "司机", "version": "2"})
        .status_code
        == 403
    )
