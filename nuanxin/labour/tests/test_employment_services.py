"""Employment help's services: the directory of partner employers and leads, the leads offered
to a case, opening a case (care contact refers, labour officer owns), referrals and their
outcomes moving the case, and the care hooks."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from nuanxin.care import hooks as care_hooks
from nuanxin.care import services as care_services
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.labour.choices import EmploymentStatus, ReferralOutcome
from nuanxin.labour.hooks import employment as hooks
from nuanxin.labour.models import EmploymentCase, EmploymentCaseNote, PartnerEmployer, Referral
from nuanxin.labour.selectors import employment as selectors
from nuanxin.labour.services import employment as services
from nuanxin.labour.tests.test_employment_fixtures import build, org

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(english):
    pass


@pytest.fixture
def w(personas):
    return build(personas)


def _open(w, actor=None, **kw):
    kw.setdefault("family_member", w.member)
    return services.open_employment(actor=actor or w.p.care, worker=w.worker, **kw)


# --- the directory -----------------------------------------------------------------------


def test_an_officer_adds_an_employer_of_their_district_and_it_is_audited(w):
    employer = services.create_employer(
        actor=w.officer,
        organisation=org("SN"),
        name=" 市南家政 ",
        contact_name="王经理",
        contact_mobile="138 0004 1010",
    )
    assert (employer.name, employer.contact_mobile, employer.active) == ("市南家政", "+8613800041010", True)
    row = AuditLog.objects.get(action="labour.employer.create", object_id=str(employer.pk))
    assert row.detail == {"name": "市南家政"} and row.organisation_id == org("SN").pk


def test_the_directory_refuses_a_missing_or_repeated_name_and_a_bad_mobile(w):
    with pytest.raises(ServiceError, match=re.escape("Name the employer.")):
        services.create_employer(actor=w.officer, organisation=org("SN"), name="  ")
    with pytest.raises(ServiceError, match="already has a partner employer of this name"):
        services.create_employer(actor=w.officer, organisation=org("SN"), name="市南物业")
    with pytest.raises(ServiceError) as err:
        services.create_employer(actor=w.officer, organisation=org("SN"), name="新单位", contact_mobile="12345")
    assert err.value.field == "contact_mobile"
    assert PartnerEmployer.objects.filter(name="新单位").count() == 0


def test_care_contacts_and_other_districts_may_not_keep_the_directory(w):
    with pytest.raises(NotAllowed):
        services.create_employer(actor=w.p.care, organisation=org("SN-H1"), name="联系人的单位")
    with pytest.raises(NotAllowed):
        services.create_employer(actor=w.officer, organisation=org("SB"), name="越权单位")
    with pytest.raises(NotAllowed):
        services.add_lead(actor=w.p.bing, employer=w.district_employer, title="越权岗位")


def test_a_lead_cannot_close_before_today_nor_be_added_to_an_inactive_employer(w):
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(ServiceError, match=re.escape("The lead cannot close before today.")):
        services.add_lead(actor=w.officer, employer=w.district_employer, title="司机", open_until=yesterday)
    with pytest.raises(ServiceError, match="from 1 to 999"):
        services.add_lead(actor=w.officer, employer=w.district_employer, title="司机", openings=0)
    services.update_employer(
        actor=w.officer, employer=w.district_employer, name="市南物业", area="市南区", active=False, version=1
    )
    with pytest.raises(ServiceError, match="This employer is inactive"):
        services.add_lead(actor=w.officer, employer=w.district_employer, title="司机")


def test_an_employer_changed_since_the_form_opened_is_a_conflict(w):
    services.update_employer(actor=w.officer, employer=w.district_employer, name="市南物业公司", version=1)
    with pytest.raises(ServiceError, match="after you opened it"):
        services.update_employer(actor=w.p.yi, employer=w.district_employer, name="市南物业二", version=1)
    w.district_employer.refresh_from_db()
    assert (w.district_employer.name, w.district_employer.version) == ("市南物业公司", 2)


# --- the leads offered to a case ------------------------------------------------------------


def test_a_case_is_offered_the_open_leads_of_its_unit_and_every_level_above_matching_first(w):
    case = _open(w, wishes="保洁", area="市南区")
    offered = list(selectors.offered_leads(case))
    # unit, district, city; not 市北区's lead, nor the lead closed yesterday
    assert [lead.title for lead in offered] == ["保洁员", "收银员", "护工"]
    assert [lead.matches for lead in offered] == [True, False, False]
    services.update_employer(
        actor=w.p.jia, employer=w.city_employer, name="全市超市", active=False, version=w.city_employer.version
    )
    assert [lead.title for lead in selectors.offered_leads(case)] == ["保洁员", "护工"]


def test_leads_to_offer_leave_out_those_already_referred(w):
    case = _open(w)
    services.refer(actor=w.officer, case=case, lead=w.carer)
    assert w.carer.pk not in {lead.pk for lead in selectors.leads_to_offer(case)}
    assert w.carer.pk in {lead.pk for lead in selectors.offered_leads(case)}


# --- opening a case ------------------------------------------------------------------------


def test_a_care_contact_opens_one_for_an_assigned_family_and_the_officer_owns_it(w):
    visit = care_services.record_visit(actor=w.p.care, worker=w.worker, on=timezone.localdate(), mode="phone")
    case = _open(w, skills="会计证", wishes="文员", area="市南区", visit=visit)
    assert (case.status, case.seeker_name, case.family_member_id, case.visit_id) == (
        EmploymentStatus.SEEKING,
        "就业甲妻",
        w.member.pk,
        visit.pk,
    )
    assert case.owner == w.officer
    assert case.organisation == org("SN-H1") and case.due_on == timezone.localdate() + timedelta(days=30)
    row = AuditLog.objects.get(action="labour.employment.open", object_id=str(case.pk))
    assert row.detail == {"worker": w.worker.pk, "family_member": w.member.pk, "visit": visit.pk, "difficulty": None}
    assert list(EmploymentCaseNote.objects.filter(case=case).values_list("kind", flat=True)) == ["opened"]


def test_an_officer_owns_what_they_open(w):
    case = _open(w, actor=w.officer, family_member=None, seeker_name="就业甲之子")
    assert case.owner == w.officer and case.family_member is None and case.seeker_name == "就业甲之子"


def test_opening_needs_a_seeker_of_this_family(w):
    with pytest.raises(ServiceError, match=re.escape("Choose the family member seeking work, or write their name.")):
        _open(w, family_member=None, seeker_name=" ")
    stranger = w.other_worker.family.create(name="外人", name_key="外人")
    with pytest.raises(ServiceError, match=re.escape("Choose a family member of this worker.")):
        _open(w, actor=w.p.yi, family_member=stranger)
    assert EmploymentCase.objects.count() == 0


def test_who_may_open_it(w):
    with pytest.raises(NotAllowed):
        services.open_employment(actor=w.p.bing, worker=w.worker, seeker_name="越权")
    with pytest.raises(NotAllowed):
        services.open_employment(actor=w.p.counsellor, worker=w.worker, seeker_name="越权")
    with pytest.raises(NotAllowed):  # 市北区's family is not assigned to the care contact
        services.open_employment(actor=w.p.care, worker=w.other_worker, seeker_name="越权")
    assert EmploymentCase.objects.count() == 0


# --- referrals and outcomes ----------------------------------------------------------------


def test_referring_a_seeker_moves_the_case_to_referred_once_per_lead(w):
    case = _open(w)
    referral = services.refer(actor=w.officer, case=case, lead=w.cleaner, notes="已推荐")
    case.refresh_from_db()
    assert case.status == EmploymentStatus.REFERRED
    assert (referral.outcome, referral.referred_on) == (ReferralOutcome.PENDING, timezone.localdate())
    note = EmploymentCaseNote.objects.filter(case=case).order_by("-id").first()
    assert (note.kind, note.to_status, note.text) == ("status", "referred", "Referred to 保洁员 at 市南物业.")
    with pytest.raises(ServiceError, match=re.escape("The seeker is already referred to this lead.")):
        services.refer(actor=w.officer, case=case, lead=w.cleaner)
    services.refer(actor=w.officer, case=case, lead=w.cashier)  # a second lead: a note, still referred
    case.refresh_from_db()
    assert case.status == EmploymentStatus.REFERRED and case.referrals.count() == 2
    assert AuditLog.objects.filter(action="labour.referral.create").count() == 2


def test_a_lead_not_offered_to_the_case_is_refused(w):
    case = _open(w)
    for lead in (w.north_lead, w.closed_lead):
        with pytest.raises(ServiceError, match=re.escape("This lead is not open to this case.")):
            services.refer(actor=w.officer, case=case, lead=lead)
    with pytest.raises(ServiceError, match="cannot be in the future"):
        services.refer(actor=w.officer, case=case, lead=w.cleaner, referred_on=timezone.localdate() + timedelta(days=1))
    assert Referral.objects.count() == 0


def test_a_care_contact_may_not_refer_nor_record_outcomes(w):
    case = _open(w)
    with pytest.raises(NotAllowed):
        services.refer(actor=w.p.care, case=case, lead=w.cleaner)
    referral = services.refer(actor=w.officer, case=case, lead=w.cleaner)
    with pytest.raises(NotAllowed):
        services.record_outcome(actor=w.p.care, referral=referral, outcome=ReferralOutcome.EMPLOYED)
    with pytest.raises(NotAllowed):
        services.record_outcome(actor=w.p.bing, referral=referral, outcome=ReferralOutcome.EMPLOYED)


def test_an_employed_outcome_moves_the_case_to_employed_with_the_employer(w):
    case = _open(w)
    first = services.refer(actor=w.officer, case=case, lead=w.cleaner)
    services.record_outcome(actor=w.officer, referral=first, outcome=ReferralOutcome.INTERVIEW, version=1)
    case.refresh_from_db()
    assert case.status == EmploymentStatus.REFERRED
    services.record_outcome(actor=w.officer, referral=first, outcome=ReferralOutcome.EMPLOYED, version=2)
    case.refresh_from_db()
    first.refresh_from_db()
    assert (case.status, case.employer_name) == (EmploymentStatus.EMPLOYED, "市南物业")
    assert case.employed_at is not None and not case.is_active
    assert (first.outcome, first.outcome_on) == (ReferralOutcome.EMPLOYED, timezone.localdate())
    row = AuditLog.objects.filter(action="labour.referral.outcome").order_by("-id").first()
    assert row.detail == {
        "case": case.pk,
        "from": "interview",
        "to": "employed",
        "on": timezone.localdate().isoformat(),
    }
    reopened = services.change_employment_status(actor=w.officer, case=case, to="seeking", note="工作没做下去")
    assert (reopened.status, reopened.employer_name, reopened.employed_at) == ("seeking", "", None)
    services.change_employment_status(actor=w.officer, case=case, to="closed")
    with pytest.raises(ServiceError, match="not active"):
        services.refer(actor=w.officer, case=case, lead=w.cashier)


def test_the_last_open_referral_not_employed_sends_the_case_back_to_seeking(w):
    case = _open(w)
    a = services.refer(actor=w.officer, case=case, lead=w.cleaner)
    b = services.refer(actor=w.officer, case=case, lead=w.cashier)
    services.record_outcome(actor=w.officer, referral=a, outcome=ReferralOutcome.NOT_EMPLOYED)
    case.refresh_from_db()
    assert case.status == EmploymentStatus.REFERRED  # b is still waiting
    services.record_outcome(actor=w.officer, referral=b, outcome=ReferralOutcome.NOT_EMPLOYED)
    case.refresh_from_db()
    assert case.status == EmploymentStatus.SEEKING


def test_an_outcome_date_before_the_referral_or_in_the_future_is_refused(w):
    case = _open(w)
    today = timezone.localdate()
    referral = services.refer(actor=w.officer, case=case, lead=w.cleaner, referred_on=today - timedelta(days=3))
    with pytest.raises(
        ServiceError, match=r"cannot be before the referral \(" + (today - timedelta(days=3)).isoformat()
    ):
        services.record_outcome(
            actor=w.officer, referral=referral, outcome="interview", outcome_on=today - timedelta(days=4)
        )
    with pytest.raises(ServiceError, match="cannot be in the future"):
        services.record_outcome(
            actor=w.officer, referral=referral, outcome="interview", outcome_on=today + timedelta(days=1)
        )
    with pytest.raises(ServiceError, match=re.escape("Unknown outcome.")):
        services.record_outcome(actor=w.officer, referral=referral, outcome="hired")
    referral.refresh_from_db()
    assert (referral.outcome, referral.version) == ("pending", 1)


def test_employed_only_through_a_referral_closing_without_a_job_and_reopening_with_a_reason(w):
    case = _open(w)
    with pytest.raises(ServiceError, match="Record the job through the referral"):
        services.change_employment_status(actor=w.officer, case=case, to=EmploymentStatus.EMPLOYED)
    with pytest.raises(NotAllowed):
        services.change_employment_status(actor=w.p.care, case=case, to=EmploymentStatus.CLOSED)
    case = services.change_employment_status(actor=w.officer, case=case, to=EmploymentStatus.CLOSED, version=1)
    assert case.status == EmploymentStatus.CLOSED and case.closed_at is not None
    with pytest.raises(ServiceError, match=re.escape("Say why the case is reopened.")):
        services.change_employment_status(actor=w.officer, case=case, to=EmploymentStatus.SEEKING)
    case = services.change_employment_status(
        actor=w.officer, case=case, to=EmploymentStatus.SEEKING, note="又想找工作了"
    )
    assert case.status == EmploymentStatus.SEEKING and case.closed_at is None


def test_notes_and_updates(w):
    case = _open(w)
    services.add_employment_note(actor=w.officer, case=case, text="电话联系了家属")
    case = services.update_employment(actor=w.officer, case=case, wishes="收银", area="市北区", version=1)
    assert (case.wishes, case.area) == ("收银", "市北区")
    with pytest.raises(NotAllowed):
        services.add_employment_note(actor=w.p.care, case=case, text="联系人备注")
    assert [n.kind for n in EmploymentCaseNote.objects.filter(case=case).order_by("id")] == ["opened", "note", "edit"]


# --- the care hooks ----------------------------------------------------------------------------


def test_the_follow_up_button_is_offered_to_who_may_open_it(w):
    def keys(user, worker):
        return [f.key for f in care_hooks.followup_links(user, worker) if f.key == "employment"]

    assert keys(w.p.care, w.worker) == ["employment"]
    assert keys(w.p.yi, w.worker) == ["employment"]
    assert keys(w.officer, w.worker) == ["employment"]
    assert keys(w.p.bing, w.worker) == []
    assert keys(w.p.counsellor, w.worker) == []
    link = hooks.followups(user=w.p.care, worker=w.worker)[0]
    assert link.url == f"/labour/employment/new/?worker={w.worker.pk}"


def test_the_family_timeline_shows_the_cases_to_those_allowed(w):
    case = _open(w)
    for user in (w.p.care, w.p.yi, w.officer, w.p.auditor):
        entries = hooks.family_entries(user=user, worker=w.worker)
        assert [(e.kind, e.obj.pk) for e in entries] == [("employment", case.pk)], user
    for user in (w.p.bing, w.p.counsellor, w.p.viewer):
        assert hooks.family_entries(user=user, worker=w.worker) == [], user


def test_an_overdue_case_is_escalated_once_per_level(w):
    from nuanxin.notify.models import Notification

    case = _open(w)
    EmploymentCase.objects.filter(pk=case.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    assert services.escalate_overdue_employment() == 1
    assert services.escalate_overdue_employment() == 0
    case.refresh_from_db()
    assert case.escalation_level == 1
    note = EmploymentCaseNote.objects.filter(case=case, kind="escalation").get()
    assert "escalated to" in note.text
    told = set(
        Notification.objects.filter(kind="labour.employment.overdue").values_list("recipient__username", flat=True)
    )
    assert "labour-sn" in told
    assert AuditLog.objects.filter(action="labour.employment.escalate", object_id=str(case.pk)).count() == 1
