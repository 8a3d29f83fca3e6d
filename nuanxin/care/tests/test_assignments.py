"""Care assignments: one current contact per family and campaign, history, scoping."""

from datetime import timedelta

import pytest

from nuanxin.care import selectors, services
from nuanxin.care.models import CareAssignment, Difficulty, Visit, VisitDuty
from nuanxin.care.tests.helpers import W1, at, build_world, care_contact, fresh, worker
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.registry.models import Worker


def test_reassigning_keeps_the_history(personas):
    w = build_world(personas)
    other = care_contact("care2", personas.shinan, "二号联系人")  # a contact for all of 市南区
    with at(W1 + timedelta(days=1)):
        result = services.bulk_assign(actor=personas.yi, campaign=w.campaign, workers=[w.a1, w.a2], contact=other)
        assert (len(result["assigned"]), result["ended"], result["unchanged"]) == (2, 2, 0)
        again = services.bulk_assign(actor=personas.yi, campaign=w.campaign, workers=[w.a1, w.a2], contact=other)
        assert (len(again["assigned"]), again["ended"], again["unchanged"]) == (0, 0, 2)
    rows = list(CareAssignment.objects.filter(worker=w.a1).order_by("started_at").values_list("contact", "ended_at"))
    assert [r[0] for r in rows] == [personas.care.pk, other.pk]
    assert rows[0][1] is not None and rows[1][1] is None
    first = CareAssignment.objects.filter(worker=w.a1).earliest("started_at")
    assert CareAssignment.history.filter(id=first.pk).count() == 2  # created, then ended
    assert AuditLog.objects.filter(action="care.assign", object_id=str(w.a1.pk)).count() == 2
    # The duty belongs to the family, not the contact: still one for the week.
    assert VisitDuty.objects.filter(worker=w.a1, week=W1).count() == 1


def test_who_may_assign_whom(personas):
    w = build_world(personas)
    with at(W1 + timedelta(days=1)):
        with pytest.raises(NotAllowed):  # 丙 cannot touch 市南区 families
            services.bulk_assign(actor=personas.bing, campaign=w.campaign, workers=[w.a1], contact=w.care_sb)
        with pytest.raises(NotAllowed):  # a care contact does not assign
            services.bulk_assign(actor=personas.care, campaign=w.campaign, workers=[w.a1], contact=personas.care)
        with pytest.raises(ServiceError) as exc:  # 市北区's contact cannot look after a 市南区 family
            services.bulk_assign(actor=personas.jia, campaign=w.campaign, workers=[w.a1, w.b1], contact=w.care_sb)
        assert exc.value.field == "contact"
        with pytest.raises(ServiceError):  # an admin is not a care contact
            services.bulk_assign(actor=personas.jia, campaign=w.campaign, workers=[w.a1], contact=personas.yi)
    # All or nothing: the refused requests changed nothing.
    assert CareAssignment.objects.current().get(worker=w.a1).contact == personas.care
    assert CareAssignment.objects.count() == 5


def test_unassigned_families_and_suggestions_from_the_imported_names(personas):
    w = build_world(personas)
    hinted = worker(personas.shinan_hospital, "新一", contact_name_hint="二号 联系人")
    unknown = worker(personas.shinan_hospital, "新二", contact_name_hint="不存在")
    other = care_contact("care2", personas.shinan_hospital, "二号联系人")
    with at(W1 + timedelta(days=1)):
        services.unassign(actor=personas.yi, campaign=w.campaign, worker=w.a3)
    assert [x.name for x in selectors.unassigned_families(personas.yi, fresh(personas.shinan), w.campaign)] == [
        "安三",
        "新二",
        "新一",
    ]
    assert list(selectors.unassigned_families(personas.bing, fresh(personas.shinan), w.campaign)) == []
    assert list(selectors.unassigned_families(personas.care, fresh(personas.shinan), w.campaign)) == []
    assert selectors.suggest_contacts(w.campaign, [hinted, unknown]) == [(hinted, [other]), (unknown, [])]
    with at(W1 + timedelta(days=1)):
        result = services.assign_from_hints(actor=personas.yi, campaign=w.campaign, workers=[hinted, unknown, w.a3])
    assert result == {"assigned": 1, "ambiguous": [], "unmatched": [unknown.pk, w.a3.pk]}
    assert CareAssignment.objects.current().get(worker=hinted).contact == other
    assert VisitDuty.objects.filter(worker=hinted, week=W1).count() == 1


def test_a_care_contact_sees_only_the_families_assigned_to_them(personas):
    w = build_world(personas)
    unassigned = worker(personas.shinan_hospital, "未指派")
    with at(W1 + timedelta(days=1)):
        services.record_visit(actor=personas.yi, worker=unassigned, on=W1, mode="phone")
        services.record_visit(actor=personas.care, worker=w.a1, on=W1, mode="phone")
        services.open_difficulty(actor=personas.yi, worker=unassigned, description="未指派家庭的困难")
        services.open_difficulty(actor=personas.care, worker=w.a1, description="安一家的困难")
    care = personas.care
    assert sorted(Worker.objects.for_user(care).values_list("name", flat=True)) == ["安一", "安三", "安二", "疾控"]
    assert list(Visit.objects.for_user(care).values_list("worker__name", flat=True)) == ["安一"]
    assert list(Difficulty.objects.for_user(care).values_list("worker__name", flat=True)) == ["安一"]
    assert sorted(VisitDuty.objects.for_user(care).values_list("worker__name", flat=True)) == ["安一", "安三", "安二"]
    # 丙 sees nothing of 市南区; viewers and counsellors no personal data at all.
    for user in (personas.bing, personas.viewer, personas.counsellor, personas.auditor):
        assert Visit.objects.for_user(user).filter(worker__organisation__code="SN-H1").count() == 0
        assert Difficulty.objects.for_user(user).exclude(worker=w.b1).count() == 0
        assert VisitDuty.objects.for_user(user).exclude(worker=w.b1).count() == 0
    assert VisitDuty.objects.for_user(personas.viewer).count() == 0
    assert VisitDuty.objects.for_user(personas.viewer, "report").count() == 4  # counts only (MED units)


def test_a_worker_moved_to_another_unit_is_followed_by_the_duties_and_the_contact(personas):
    """Moving a worker between units: the open duties from this week on go with them, and a
    care contact who may not look after the new unit's families stops being theirs, so the
    family shows in the new unit's unassigned list (not lost between the two)."""
    from nuanxin.registry import services as registry_services

    w = build_world(personas)
    w2 = W1 + timedelta(days=7)
    with at(W1 + timedelta(days=2)):
        difficulty = services.open_difficulty(actor=personas.care, worker=w.a1, description="老人无人照护")
    assert (difficulty.organisation, difficulty.owner) == (personas.shinan_hospital, personas.care)
    with at(w2 + timedelta(days=1)):
        services.open_duties()
        registry_services.update_worker(actor=personas.jia, worker=w.a1, organisation=personas.shibei_hospital)
    duties = dict(VisitDuty.objects.filter(worker=w.a1).values_list("week", "organisation__code"))
    assert duties == {W1: personas.shinan_hospital.code, w2: personas.shibei_hospital.code}
    assert CareAssignment.objects.current().filter(worker=w.a1).count() == 0
    assert CareAssignment.objects.get(worker=w.a1).contact == personas.care  # kept as history
    assert [x.name for x in selectors.unassigned_families(personas.bing, fresh(personas.shibei), w.campaign)] == [
        "安一"
    ]
    row = AuditLog.objects.get(action="care.worker_moved")
    assert (row.actor_id, row.detail) == (
        personas.jia.pk,
        {"from": personas.shinan_hospital.code, "to": personas.shibei_hospital.code, "duties": 1, "ended": 1,
         "difficulties": 1, "owners_cleared": [difficulty.pk]},
    )
    assert AuditLog.objects.filter(action="care.unassign", object_id=str(w.a1.pk)).count() == 1
    difficulty.refresh_from_db()
    # The new unit follows it up; the old unit's care contact no longer owns it.
    assert (difficulty.organisation, difficulty.owner) == (personas.shibei_hospital, None)
    last = difficulty.history.order_by("-history_id").first()
    assert (last.history_type, last.history_user, last.organisation, last.owner) == (
        "~", personas.jia, personas.shibei_hospital, None
    )
    with at(w2 + timedelta(days=1)):
        assert selectors.difficulty_summary(personas.bing, fresh(personas.shibei))["total"] == 1
        assert selectors.difficulty_summary(personas.yi, fresh(personas.shinan))["total"] == 0
    # Other changes of the worker leave no care row.
    with at(w2 + timedelta(days=1)):
        registry_services.update_worker(actor=personas.jia, worker=w.a1, post_title="护士")
    assert AuditLog.objects.filter(action="care.worker_moved").count() == 1
