"""notify: once per key, queued delivery, retries with backoff, failures recorded."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from nuanxin.core.errors import NotAllowed
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.notify import services, sms
from nuanxin.notify.models import Delivery, Notification
from nuanxin.orgs import services as org_services

T0 = datetime(2020, 2, 3, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def lines(path):
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


@pytest.fixture
def yi(personas):
    return org_services.update_user(
        actor=SYSTEM, user=personas.yi, full_name="乙", email="yi@example.org", mobile="13900002222"
    )


def send(user, occasion="2020-W06"):
    return services.notify(
        recipient=user,
        kind="test.kind",
        occasion=occasion,
        title="标题",
        body="正文",
        url="/care/",
        sms=services.Sms("care_week_due", {"count": 2}, "短信正文"),
    )


def test_notify_once_per_key_with_sms_and_email(yi, sms_file, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = send(yi)
        assert send(yi) is None  # same kind, occasion and recipient
    assert len(callbacks) == 1
    assert first.key == f"test.kind:2020-W06:{yi.pk}"
    assert sorted(Delivery.objects.values_list("channel", "status", "attempts")) == [
        ("email", "sent", 1),
        ("sms", "sent", 1),
    ]
    assert len(lines(sms_file)) == 1
    assert [(m.subject, m.to) for m in mail.outbox] == [("标题", ["yi@example.org"])]
    with django_capture_on_commit_callbacks(execute=True):
        assert send(yi, occasion="2020-W07") is not None
    assert Notification.objects.count() == 2 and len(lines(sms_file)) == 2


def test_inactive_users_get_nothing(personas):
    org_services.set_user_active(actor=SYSTEM, user=personas.yi, active=False)
    personas.yi.refresh_from_db()
    assert send(personas.yi) is None
    assert Notification.objects.count() == 0


class Flaky(sms.BaseBackend):
    failures = 0
    sent: list = []

    def send(self, message):
        if Flaky.failures > 0:
            Flaky.failures -= 1
            raise sms.SmsError("provider busy")
        Flaky.sent.append(message)
        return "ok-1"


class Broken(sms.BaseBackend):
    def send(self, message):
        raise sms.SmsError("号码错误", permanent=True)


def sms_delivery():
    return Delivery.objects.get(channel="sms")


def test_failed_attempts_are_retried_with_backoff(yi, settings, django_capture_on_commit_callbacks):
    settings.NUANXIN_SMS_BACKEND = "nuanxin.notify.tests.test_services.Flaky"
    settings.NUANXIN_NOTIFY_RETRY_SECONDS = 60
    Flaky.failures, Flaky.sent = 2, []
    with time_machine.travel(T0, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            send(yi)
        d = sms_delivery()
        assert (d.status, d.attempts, d.next_attempt_at, d.last_error) == (
            "pending",
            1,
            T0 + timedelta(seconds=60),
            "SmsError: provider busy",
        )
        assert services.retry_due_deliveries() == 0  # not due yet
        assert services.attempt_delivery(delivery_id=d.pk) == "skipped"
    with time_machine.travel(T0 + timedelta(seconds=61), tick=False):
        assert services.retry_due_deliveries() == 1  # the periodic sweep; fails again
        d = sms_delivery()
        assert (d.status, d.attempts, d.next_attempt_at) == ("pending", 2, T0 + timedelta(seconds=61 + 120))
    with time_machine.travel(T0 + timedelta(seconds=200), tick=False):
        assert services.retry_due_deliveries() == 1
        assert services.retry_due_deliveries() == 0
    d = sms_delivery()
    assert (d.status, d.attempts, d.provider_id, d.last_error) == ("sent", 3, "ok-1", "")
    assert len(Flaky.sent) == 1 and Flaky.sent[0].out_id == d.key


def test_gives_up_after_the_last_attempt_or_a_permanent_error(yi, settings, django_capture_on_commit_callbacks):
    settings.NUANXIN_SMS_BACKEND = "nuanxin.notify.tests.test_services.Flaky"
    settings.NUANXIN_NOTIFY_MAX_ATTEMPTS = 2
    Flaky.failures, Flaky.sent = 5, []
    with time_machine.travel(T0, tick=False), django_capture_on_commit_callbacks(execute=True):
        send(yi)
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        services.retry_due_deliveries()
        assert services.retry_due_deliveries() == 0
    assert (sms_delivery().status, sms_delivery().attempts) == ("failed", 2)
    assert AuditLog.objects.filter(action="notify.delivery_failed", outcome="failure").count() == 1
    settings.NUANXIN_SMS_BACKEND = "nuanxin.notify.tests.test_services.Broken"
    with time_machine.travel(T0, tick=False), django_capture_on_commit_callbacks(execute=True):
        send(yi, occasion="other")
    broken = Delivery.objects.get(channel="sms", key__contains=":other:")
    assert (broken.status, broken.attempts, broken.last_error) == ("failed", 1, "SmsError: 号码错误")


def test_a_claimed_delivery_is_not_sent_twice(yi, settings):
    settings.NUANXIN_SMS_BACKEND = "nuanxin.notify.tests.test_services.Flaky"
    Flaky.failures, Flaky.sent = 0, []
    with time_machine.travel(T0, tick=False):
        send(yi)  # no on-commit here: nothing queued yet
        d = sms_delivery()
        Delivery.objects.filter(pk=d.pk).update(status="sending", claimed_at=T0)  # another worker has it
        assert services.attempt_delivery(delivery_id=d.pk) == "skipped"
        assert services.retry_due_deliveries() == 1  # only the e-mail, never queued
    # A worker that died mid-send: after ten minutes the row is taken up again.
    with time_machine.travel(T0 + timedelta(minutes=11), tick=False):
        assert services.retry_due_deliveries() == 1
    assert sorted(Delivery.objects.values_list("status", flat=True)) == ["sent", "sent"]
    assert len(Flaky.sent) == 1


def test_mark_read(yi, personas):
    n = send(yi)
    other = send(personas.bing)
    with pytest.raises(NotAllowed):
        services.mark_read(actor=personas.bing, notification=n)
    services.mark_read(actor=yi, notification=n)
    assert Notification.objects.get(pk=n.pk).read_at is not None
    assert services.mark_all_read(actor=personas.bing) == 1
    assert Notification.objects.get(pk=other.pk).read_at is not None


def test_periodic_job_declared():
    from nuanxin.core.periodic import Every
    from nuanxin.notify.periodic import JOBS

    assert [(j.name, j.schedule) for j in JOBS] == [("notify.retry_deliveries", Every(5))]
