"""Reminders go out once, by the periodic jobs, however often they run."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import translation

from nuanxin.care import reminders, services, tasks
from nuanxin.care.tests.helpers import W1, at, build_world, sms_lines
from nuanxin.core.policy import SYSTEM
from nuanxin.notify.models import Delivery, Notification
from nuanxin.orgs import services as org_services

W2 = W1 + timedelta(days=7)


@pytest.fixture(autouse=True)
def english():
    """Exact assertions on the English texts (Chinese comes from the catalogue)."""
    with translation.override("en"):
        yield


def give_contact_details(user, email="", mobile=""):
    return org_services.update_user(actor=SYSTEM, user=user, full_name=user.full_name, email=email, mobile=mobile)


def test_monday_reminder_goes_out_once_even_when_the_job_runs_twice(
    personas, sms_file, django_capture_on_commit_callbacks
):
    w = build_world(personas)
    give_contact_details(personas.care, email="care@example.org", mobile="13900001111")
    with at(W1 + timedelta(days=2)):
        services.record_visit(actor=personas.care, worker=w.a1, on=W1, mode="phone")
    with at(W2, 8), django_capture_on_commit_callbacks(execute=True):
        tasks.remind_week.enqueue()  # the periodic job: opens the week, then reminds
        tasks.remind_week.enqueue()  # the scheduler catching up, or an operator by hand
    note = Notification.objects.get(recipient=personas.care)
    assert note.kind == "care.week_due" and note.key == f"care.week_due:2020-W06:{personas.care.pk}"
    assert note.shown_title == "3 families to visit this week (2020-W06)"  # the reader's language
    assert note.shown_body == "Families due this week: 安二、安三、安一"  # by pinyin
    assert note.title == "本周（2020-W06）有 3 户家庭待走访"  # the default language's copy
    with translation.override("zh-hans"):
        assert (note.shown_title, note.shown_body) == (note.title, note.body)
    lines = sms_lines(sms_file)
    assert [(line["to"], line["template"], line["params"]) for line in lines] == [
        ("13900001111", "care_week_due", {"count": 3, "week": "2020-W06"})
    ]
    assert "安一" not in lines[0]["text"]  # no family names leave the system by SMS
    assert [m.to for m in mail.outbox] == [["care@example.org"]]
    # The e-mail leaves the system too: the count and the week, no family names.
    assert (mail.outbox[0].subject, mail.outbox[0].body) == (
        "3 families to visit this week (2020-W06)",
        "Nuanxin: you have 3 families to visit this week (2020-W06). Please sign in to see them.",
    )
    assert sorted(Delivery.objects.values_list("channel", "status")) == [("email", "sent"), ("sms", "sent")]
    # 市北区's contact has no mobile and no e-mail: in-app only.
    assert Notification.objects.filter(recipient=w.care_sb).count() == 1
    assert Delivery.objects.filter(recipient=w.care_sb).count() == 0


def test_next_week_brings_a_new_reminder(personas, django_capture_on_commit_callbacks):
    build_world(personas)
    with at(W1, 8), django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_week_reminders() == 2
    with at(W2, 8), django_capture_on_commit_callbacks(execute=True):
        services.open_duties()
        assert reminders.send_week_reminders() == 2
        assert reminders.send_week_reminders() == 0
    assert Notification.objects.filter(recipient=personas.care).count() == 2


def test_wednesday_admins_hear_of_the_families_still_unvisited_in_their_scope(
    personas, django_capture_on_commit_callbacks
):
    w = build_world(personas)
    with at(W1 + timedelta(days=1)):
        services.record_visit(actor=personas.care, worker=w.a1, on=W1, mode="phone")
    with at(W1 + timedelta(days=2), 9), django_capture_on_commit_callbacks(execute=True):
        tasks.remind_unvisited.enqueue()
        tasks.remind_unvisited.enqueue()
    notes = {n.recipient.username: n for n in Notification.objects.filter(kind="care.unvisited")}
    assert sorted(notes) == ["bing", "jia", "yi"]
    assert (notes["yi"].shown_title, notes["yi"].shown_body) == (
        "2 families not visited yet this week (2020-W05)",
        "市南区人民医院工会: 2",
    )
    assert (notes["bing"].shown_title, notes["bing"].shown_body) == (
        "1 family not visited yet this week (2020-W05)",
        "市北区人民医院工会: 1",
    )
    assert notes["jia"].shown_title == "3 families not visited yet this week (2020-W05)"
    assert Notification.objects.filter(recipient=personas.viewer).count() == 0


def test_nothing_due_nothing_sent(personas):
    w = build_world(personas)
    with at(W1 + timedelta(days=2)):
        for worker in (w.a1, w.a2, w.a3):
            services.record_visit(actor=personas.care, worker=worker, on=W1, mode="video")
        services.record_visit(actor=w.care_sb, worker=w.b1, on=W1, mode="video")
        assert reminders.send_unvisited_reminders() == 0
        assert reminders.send_week_reminders() == 0
    assert Notification.objects.count() == 0


def test_periodic_jobs_are_declared():
    from nuanxin.care.periodic import JOBS
    from nuanxin.core.periodic import DailyAt, Every, WeeklyAt

    assert {job.name: job.schedule for job in JOBS} == {
        "care.sync_unassigned": Every(60),
        "care.open_duties": DailyAt(0, 10),
        "care.remind_week": WeeklyAt(0, 8),
        "care.remind_unvisited": WeeklyAt(2, 9),
        "care.escalate_difficulties": DailyAt(9, 30),
    }


def test_only_the_reminders_have_a_late_limit_of_four_hours():
    from datetime import timedelta

    from nuanxin.care.periodic import JOBS

    assert {job.name: job.late_limit for job in JOBS} == {
        "care.sync_unassigned": None,
        "care.open_duties": None,
        "care.remind_week": timedelta(hours=4),
        "care.remind_unvisited": timedelta(hours=4),
        "care.escalate_difficulties": None,
    }
