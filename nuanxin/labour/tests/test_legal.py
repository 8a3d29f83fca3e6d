"""Legal-aid cases: opening (by an officer, or referred by the family's care contact from a
visit or difficulty), the steps with their dates, closing with the outcome and the amount,
reopening, the lawyer, documents, the arbitration time limit on the pages and its warnings, the
escalation, the family's timeline and the API."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from nuanxin.care.hooks import followup_links
from nuanxin.care.selectors.timeline import family_timeline
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.labour.models import LegalCase
from nuanxin.labour.services import legal
from nuanxin.labour.tests.authz_legal import assign, lawyer, legal_case, pdf, worker
from nuanxin.notify.models import Notification
from nuanxin.orgs import services as org_services


@pytest.fixture
def officer(personas):
    user, _ = org_services.create_user(
        actor=SYSTEM,
        username="officer",
        organisation=personas.shinan,
        role=Role.LABOUR_OFFICER,
        password=personas.password,
        full_name="劳动干事",
    )
    return user


@pytest.fixture
def family(personas):
    w = worker(personas.shinan_hospital, "张三", family="李四", relation="配偶")
    assign(personas.care, w)
    return w


def today():
    return timezone.localdate()


# --- opening ---------------------------------------------------------------------------------------


def test_an_officer_opens_a_case_for_a_family_member_with_a_lawyer(personas, officer, family):
    lw = lawyer(personas.city, "市律师")
    member = family.family.get()
    case = legal.open_legal_case(
        actor=officer,
        worker=family,
        claimant="family",
        family_member=member,
        kind="dismissal",
        other_party="某物业公司",
        facts="违法解除劳动合同",
        infringed_on=today() - timedelta(days=20),
        lawyer=lw,
    )
    assert (case.status, case.owner, case.lawyer, case.family_member, case.organisation) == (
        "consultation",
        officer,
        lw,
        member,
        personas.shinan_hospital,
    )
    assert case.arbitration_deadline == today() - timedelta(days=20) + timedelta(days=365)
    row = AuditLog.objects.get(action="labour.legal.open")
    assert row.detail["lawyer"] == lw.pk and row.detail["claimant"] == "family"


def test_a_care_contact_refers_a_case_from_a_visit_and_an_officer_owns_it(personas, officer, family):
    from nuanxin.care.services import visits

    visit = visits.record_visit(actor=personas.care, worker=family, on=today())
    case = legal.open_legal_case(
        actor=personas.care,
        worker=family,
        kind="wages",
        other_party="某公司",
        facts="拖欠工资",
        infringed_on=today() - timedelta(days=40),
        visit=visit,
    )
    assert (case.owner, case.created_by, case.visit) == (officer, personas.care, visit)
    note = Notification.objects.get(kind="labour.legal_referred")
    assert note.recipient == officer
    assert family.name in note.title  # behind the sign-in, the case names the family


def test_legal_aid_e_mails_name_nobody(personas, officer, family):
    """The e-mails of a referral and of an escalation leave the system: no name, no unit."""
    type(officer).objects.filter(pk=officer.pk).update(email="officer@example.org")
    officer.refresh_from_db()
    case = legal.open_legal_case(
        actor=personas.care, worker=family, kind="wages", other_party="某公司", facts="拖欠工资",
        infringed_on=today() - timedelta(days=40),
    )
    assert case.owner == officer
    legal.escalate_overdue_legal_cases(today=today() + timedelta(days=60))
    from nuanxin.notify.models import Channel, Delivery

    mails = list(Delivery.objects.filter(channel=Channel.EMAIL, to="officer@example.org").order_by("pk"))
    assert [m.subject for m in mails] == [
        "暖心：有一件法律援助案件转给了您，请登录查看。",
        "暖心：您跟进的一件法律援助案件已逾期并已上报，请登录查看。",
    ]
    for mail in mails:
        for secret in (family.name, "李四", str(family.organisation)):
            assert secret not in mail.subject and secret not in mail.body
    # The care contact sees the case of their family, but does not move it.
    assert LegalCase.policy.allows(personas.care, "view", case)
    with pytest.raises(NotAllowed):
        legal.change_legal_status(actor=personas.care, case=case, to="mediation")


def test_a_care_contact_may_not_name_a_lawyer_nor_refer_another_family(personas, family):
    lw = lawyer(personas.shinan)
    stranger = worker(personas.shinan_hospital, "王五")
    with pytest.raises(NotAllowed):
        legal.open_legal_case(
            actor=personas.care,
            worker=family,
            kind="wages",
            other_party="某公司",
            facts="拖欠工资",
            infringed_on=today(),
            lawyer=lw,
        )
    with pytest.raises(NotAllowed):
        legal.open_legal_case(
            actor=personas.care,
            worker=stranger,
            kind="wages",
            other_party="某公司",
            facts="拖欠工资",
            infringed_on=today(),
        )
    assert not LegalCase.objects.exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"kind": "tax"}, "kind"),
        ({"other_party": " "}, "other_party"),
        ({"facts": ""}, "facts"),
        ({"infringed_on": "2020-01-01"}, "infringed_on"),
        ({"claimant": "family"}, "family_member"),
        ({"urgency": "soon"}, "urgency"),
    ],
)
def test_bad_case_input_is_refused_on_its_field(personas, family, values, field):
    values = {"kind": "wages", "other_party": "某公司", "facts": "拖欠工资", "infringed_on": today(), **values}
    with pytest.raises(ServiceError) as exc:
        legal.open_legal_case(actor=personas.yi, worker=family, **values)
    assert exc.value.field == field
    assert not LegalCase.objects.exists()


def test_the_right_cannot_be_infringed_tomorrow(personas, family, english):
    with pytest.raises(ServiceError) as exc:
        legal_case(family, infringed_on=today() + timedelta(days=1))
    assert exc.value.message == f"The day the right was infringed cannot be after today ({today().isoformat()})."


def test_another_familys_member_is_refused(personas, family):
    other = worker(personas.shinan_hospital, "王五", family="赵六")
    with pytest.raises(ServiceError) as exc:
        legal_case(family, claimant="family", family_member=other.family.get())
    assert exc.value.field == "family_member"


# --- the steps ---------------------------------------------------------------------------------


def test_the_steps_are_stamped_and_closing_records_the_outcome_and_amount(personas, officer, family):
    case = legal_case(family)
    case = legal.change_legal_status(actor=officer, case=case, to="mediation", version=case.version)
    assert case.mediation_at is not None and case.arbitration_at is None
    case = legal.change_legal_status(actor=officer, case=case, to="arbitration", version=case.version)
    assert case.arbitration_at is not None
    case = legal.change_legal_status(
        actor=officer, case=case, to="closed", version=case.version, outcome="won", amount_recovered="12,345.60"
    )
    case.refresh_from_db()
    assert (case.status, case.outcome, case.amount_recovered) == ("closed", "won", Decimal("12345.60"))
    assert case.closed_at is not None
    row = AuditLog.objects.get(action="labour.legal.outcome")
    assert row.detail == {"outcome": "won", "amount_recovered": "12345.60"}


@pytest.mark.parametrize(
    ("outcome", "amount", "field"),
    [
        (None, "0", "outcome"),
        ("won", None, "amount_recovered"),
        ("won", "-1", "amount_recovered"),
        ("won", "1.234", "amount_recovered"),
        ("won", "abc", "amount_recovered"),
        ("won", "NaN", "amount_recovered"),
    ],
)
def test_closing_needs_an_outcome_and_an_amount_from_zero(personas, family, outcome, amount, field):
    case = legal_case(family)
    with pytest.raises(ServiceError) as exc:
        legal.change_legal_status(actor=personas.yi, case=case, to="closed", outcome=outcome, amount_recovered=amount)
    assert exc.value.field == field
    case.refresh_from_db()
    assert (case.status, case.outcome, case.amount_recovered) == ("consultation", "", None)


def test_reopening_needs_a_reason_and_clears_the_outcome(personas, family, english):
    case = legal_case(family)
    case = legal.change_legal_status(actor=personas.yi, case=case, to="closed", outcome="settled", amount_recovered=0)
    with pytest.raises(ServiceError) as exc:
        legal.change_legal_status(actor=personas.yi, case=case, to="consultation")
    assert exc.value.message == "Say why the case is reopened."
    case = legal.change_legal_status(actor=personas.yi, case=case, to="consultation", note="对方未履行调解协议")
    case.refresh_from_db()
    assert (case.status, case.outcome, case.amount_recovered, case.closed_at) == ("consultation", "", None, None)


def test_a_stale_version_is_a_conflict(personas, family):
    case = legal_case(family)
    legal.change_legal_status(actor=personas.yi, case=case, to="mediation", version=case.version)
    with pytest.raises(ServiceError) as exc:
        legal.change_legal_status(actor=personas.yi, case=case, to="arbitration", version=case.version)
    assert exc.value.code == "conflict"


def test_a_closed_case_frees_its_lawyer(personas, family):
    lw = lawyer(personas.shinan, capacity=1)
    first = legal_case(family, lawyer=lw)
    with pytest.raises(ServiceError):
        legal_case(family, lawyer=lw)
    legal.change_legal_status(actor=personas.yi, case=first, to="closed", outcome="withdrawn", amount_recovered=0)
    second = legal_case(family, lawyer=lw)
    assert second.lawyer == lw
    # Reopening the first would take the lawyer over capacity: refused, nothing changed.
    with pytest.raises(ServiceError) as exc:
        legal.change_legal_status(actor=personas.yi, case=first, to="consultation", note="重新申请")
    assert exc.value.field == "lawyer"
    first.refresh_from_db()
    assert first.status == "closed"


def test_assigning_and_removing_the_lawyer(personas, family):
    lw = lawyer(personas.shinan)
    case = legal_case(family)
    case = legal.assign_lawyer(actor=personas.yi, case=case, lawyer=lw, version=case.version)
    assert case.lawyer == lw
    case = legal.assign_lawyer(actor=personas.yi, case=case, lawyer=None, version=case.version)
    assert case.lawyer is None
    assert [r.detail["lawyer"] for r in AuditLog.objects.filter(action="labour.legal.lawyer").order_by("pk")] == [
        lw.pk,
        None,
    ]


def test_a_new_infringement_day_restarts_the_warnings(personas, family):
    case = legal_case(family, infringed_on=today() - timedelta(days=360))
    assert legal.warn_time_limits() == 1
    case.refresh_from_db()
    assert case.limit_warned_for == 7
    case = legal.update_legal_case(
        actor=personas.yi, case=case, version=case.version, infringed_on=today() - timedelta(days=10)
    )
    case.refresh_from_db()
    assert (case.infringed_on, case.limit_warned_for) == (today() - timedelta(days=10), None)


# --- documents -----------------------------------------------------------------------------------


def test_documents_are_kept_privately_and_served_through_the_case(personas, family, client):
    case = legal_case(family)
    [doc] = legal.add_documents(actor=personas.yi, case=case, files=[pdf()])
    url = reverse("attachments:serve", kwargs={"pk": doc.pk})
    client.force_login(personas.yi)
    assert client.get(url).status_code == 200
    client.force_login(personas.bing)
    assert client.get(url).status_code == 404
    client.force_login(personas.counsellor)
    assert client.get(url).status_code == 404
    # The family's care contact sees the case, not its papers: neither served nor listed.
    assert LegalCase.policy.allows(personas.care, "view", case)
    client.force_login(personas.care)
    assert client.get(url).status_code == 404
    page = client.get(reverse("labour:legal_detail", kwargs={"pk": case.pk}))
    assert page.status_code == 200
    assert (page.context["may_see_documents"], page.context["documents"]) == (False, [])
    assert url not in page.content.decode()
    client.force_login(personas.auditor)
    assert client.get(url).status_code == 200


def test_a_file_that_is_not_what_it_says_is_refused(personas, family, english):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = legal_case(family)
    with pytest.raises(ServiceError) as exc:
        legal.add_documents(actor=personas.yi, case=case, files=[SimpleUploadedFile("合同.pdf", b"not a pdf")])
    assert exc.value.message.startswith("Document “合同.pdf”: ")
    assert legal.documents_of(case) == []


# --- the arbitration time limit ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_ago", "state", "days_left"),
    [(100, "ok", 265), (305, "near", 60), (360, "near", 5), (365, "near", 0), (366, "passed", -1)],
)
def test_the_limit_is_one_year_from_the_infringement(personas, family, days_ago, state, days_left):
    case = legal_case(family, infringed_on=today() - timedelta(days=days_ago))
    limit = legal.limit_of(case)
    assert (limit.state, limit.days_left) == (state, days_left)


def test_the_limit_no_longer_threatens_once_arbitration_is_applied(personas, family):
    case = legal_case(family, infringed_on=today() - timedelta(days=360))
    case = legal.change_legal_status(actor=personas.yi, case=case, to="arbitration")
    assert legal.limit_of(case).state == "reached"
    assert legal.warn_time_limits() == 0


def test_warnings_at_60_30_7_days_and_once_passed_each_once(personas, officer, family):
    infringed = today() - timedelta(days=300)  # 65 days left
    case = legal_case(family, infringed_on=infringed)
    assert legal.warn_time_limits() == 0
    assert legal.warn_time_limits(today=today() + timedelta(days=5)) == 1  # 60 days left
    assert legal.warn_time_limits(today=today() + timedelta(days=6)) == 0
    assert legal.warn_time_limits(today=today() + timedelta(days=40)) == 1  # 25 left: the 30-day warning
    assert legal.warn_time_limits(today=today() + timedelta(days=60)) == 1  # 5 left: 7
    assert legal.warn_time_limits(today=today() + timedelta(days=64)) == 0
    assert legal.warn_time_limits(today=today() + timedelta(days=66)) == 1  # passed
    assert legal.warn_time_limits(today=today() + timedelta(days=90)) == 0
    case.refresh_from_db()
    assert case.limit_warned_for == 0
    rows = AuditLog.objects.filter(action="labour.legal.limit_warning").order_by("pk")
    assert [r.detail["warned_for"] for r in rows] == [60, 30, 7, 0]
    # The owner (an officer) and the holders of "escalate" nearest the unit: 乙 and the officer at 市南区.
    notes = Notification.objects.filter(kind="labour.legal_time_limit")
    assert {n.recipient.username for n in notes} == {"officer", "yi"}
    assert notes.count() == 8


def test_a_case_opened_near_its_limit_is_warned_only_of_the_nearest_threshold(personas, family):
    case = legal_case(family, infringed_on=today() - timedelta(days=362))  # 3 days left
    assert legal.warn_time_limits() == 1
    case.refresh_from_db()
    assert case.limit_warned_for == 7
    assert legal.warn_time_limits() == 0


def test_overdue_cases_are_escalated_once_per_level(personas, family):
    case = legal_case(family, urgency="critical")
    later = today() + timedelta(days=3)
    assert legal.escalate_overdue_legal_cases(today=later) == 1
    assert legal.escalate_overdue_legal_cases(today=later) == 0
    case.refresh_from_db()
    assert case.escalation_level == 1
    assert Notification.objects.filter(kind="labour.legal_overdue").exists()


# --- the care work ---------------------------------------------------------------------------------


def test_the_care_pages_offer_legal_aid_to_those_who_may_open_it(personas, family):
    [link] = [f for f in followup_links(personas.care, family) if f.key == "legal"]
    assert link.url == f"{reverse('labour:legal_create')}?worker={family.pk}"
    assert [f for f in followup_links(personas.yi, family) if f.key == "legal"]
    assert not [f for f in followup_links(personas.auditor, family) if f.key == "legal"]
    assert not [f for f in followup_links(personas.bing, family) if f.key == "legal"]


def test_the_family_timeline_shows_the_case_to_those_allowed(personas, family):
    case = legal_case(family)
    assert [e.obj for e in family_timeline(personas.yi, family) if e.kind == "legal"] == [case]
    assert [e.obj for e in family_timeline(personas.care, family) if e.kind == "legal"] == [case]
    assert [e for e in family_timeline(personas.bing, family) if e.kind == "legal"] == []


# --- pages ---------------------------------------------------------------------------------------


def test_opening_from_a_difficulty_says_where_it_came_from(personas, officer, family, client):
    from nuanxin.care.services import difficulties

    difficulty = difficulties.open_difficulty(actor=personas.care, worker=family, description="单位拖欠工资")
    lw = lawyer(personas.city, "市律师", specialties=["wages"])
    client.force_login(officer)
    url = f"{reverse('labour:legal_create')}?worker={family.pk}&difficulty={difficulty.pk}"
    html = client.get(url).content.decode()
    assert 'data-source="difficulty"' in html and "市律师" in html
    response = client.post(
        url,
        {
            "worker": str(family.pk),
            "difficulty": str(difficulty.pk),
            "claimant": "worker",
            "kind": "wages",
            "other_party": "某公司",
            "facts": "拖欠工资三个月",
            "infringed_on": (today() - timedelta(days=10)).isoformat(),
            "urgency": "normal",
            "lawyer": str(lw.pk),
        },
    )
    case = LegalCase.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "labour:legal_detail", kwargs={"pk": case.pk}
    )
    assert (case.difficulty, case.lawyer, case.owner) == (difficulty, lw, officer)
    # The officer moves the case without reading the care pages: no link to them.
    html = client.get(response["Location"]).content.decode()
    assert "张三" in html and reverse("care:family", kwargs={"pk": family.pk}) not in html
    assert reverse("care:difficulty_detail", kwargs={"pk": difficulty.pk}) not in html


def test_the_page_and_list_show_the_limit_highlighted(personas, family, client):
    near = legal_case(family, infringed_on=today() - timedelta(days=340))
    legal_case(family, infringed_on=today() - timedelta(days=10))
    client.force_login(personas.yi)
    html = client.get(reverse("labour:legal_detail", kwargs={"pk": near.pk})).content.decode()
    assert 'id="nx-legal-limit-alert" data-limit="near" data-days="25"' in html
    html = client.get(reverse("labour:legal_list")).content.decode()
    assert html.count('data-limit="near"') == 1 and html.count('data-limit="ok"') == 1
    html = client.get(reverse("labour:legal_list") + "?near_limit=on").content.decode()
    assert html.count("data-case=") == 1


def test_closing_on_the_page_asks_for_the_outcome(personas, family, client, english_client):
    case = legal_case(family)
    english_client.force_login(personas.yi)
    url = reverse("labour:legal_transition", kwargs={"pk": case.pk})
    response = english_client.post(url, {"to": "closed", "version": str(case.version), "amount_recovered": "100"})
    assert response.status_code == 200
    assert "Choose the outcome of the case." in response.content.decode()
    response = english_client.post(
        url, {"to": "closed", "version": str(case.version), "outcome": "partly", "amount_recovered": "100.5"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.outcome, case.amount_recovered) == ("closed", "partly", Decimal("100.50"))


def test_a_full_lawyer_is_refused_on_the_page(personas, family, english_client):
    lw = lawyer(personas.shinan, "王明", capacity=1)
    legal_case(family, lawyer=lw)
    case = legal_case(family)
    english_client.force_login(personas.yi)
    response = english_client.post(
        reverse("labour:legal_lawyer", kwargs={"pk": case.pk}), {"lawyer": str(lw.pk), "version": str(case.version)}
    )
    assert response.status_code == 200
    assert "王明 already has 1 open cases and takes at most 1" in response.content.decode()
    case.refresh_from_db()
    assert case.lawyer is None


# --- API -----------------------------------------------------------------------------------------


def _api(user):
    from django.test import Client

    from nuanxin.accounts.services import create_api_token

    _token, plaintext = create_api_token(actor=SYSTEM, user=user, expires_days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def test_the_api_opens_lists_and_moves_cases(personas, family):
    api = _api(personas.yi)
    lw = lawyer(personas.shinan, "王明")
    response = api.post(
        "/api/v1/labour/legal-cases",
        json.dumps(
            {
                "worker": family.pk,
                "kind": "wages",
                "other_party": "某公司",
                "facts": "拖欠工资",
                "infringed_on": (today() - timedelta(days=320)).isoformat(),
                "lawyer": lw.pk,
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["lawyer_name"], body["days_left"], body["limit_state"]) == (
        "consultation",
        "王明",
        45,
        "near",
    )
    listed = api.get("/api/v1/labour/legal-cases?near_limit=true").json()
    assert [c["id"] for c in listed["items"]] == [body["id"]]
    url = f"/api/v1/labour/legal-cases/{body['id']}/transitions"
    response = api.post(url, json.dumps({"to": "closed", "version": body["version"]}), content_type="application/json")
    assert response.status_code == 400
    response = api.post(
        url,
        json.dumps({"to": "closed", "version": body["version"], "outcome": "won", "amount_recovered": "800.00"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert (response.json()["status"], Decimal(str(response.json()["amount_recovered"]))) == ("closed", Decimal("800"))
    response = api.post(
        url, json.dumps({"to": "mediation", "version": body["version"]}), content_type="application/json"
    )
    assert response.status_code == 409
    assert (
        _api(personas.bing).post(url, json.dumps({"to": "mediation"}), content_type="application/json").status_code
        == 404
    )
