"""notify.text_message: a text message to a bare number (someone without an account), once per
key, sent and retried like notify's deliveries."""

import json

import pytest

from nuanxin.notify import services
from nuanxin.notify.models import Delivery, Notification

pytestmark = pytest.mark.django_db

SMS = services.Sms("recuperation_offer_person", {"batch": "第一期"}, "您已获得疗休养名额。")


def lines(path):
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def test_once_per_key_and_sent_after_the_commit(sms_file, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = services.text_message(to="+8613800000001", sms=SMS, key="test.person:1")
        assert services.text_message(to="+8613800000001", sms=SMS, key="test.person:1") is None
    assert len(callbacks) == 1
    assert first is not None
    row = Delivery.objects.get()
    assert (row.channel, row.to, row.template, row.params, row.body, row.key, row.status, row.attempts) == (
        "sms", "+8613800000001", "recuperation_offer_person", {"batch": "第一期"}, "您已获得疗休养名额。",
        "test.person:1", "sent", 1,
    )
    assert row.notification is None and row.recipient is None
    assert not Notification.objects.exists()
    [sent] = [json.loads(line) for line in lines(sms_file)]
    assert sent["to"].endswith("13800000001")


def test_another_key_sends_again(sms_file, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.text_message(to="+8613800000001", sms=SMS, key="test.person:1")
        services.text_message(to="+8613800000001", sms=SMS, key="test.person:2")
    assert Delivery.objects.count() == 2 and len(lines(sms_file)) == 2


def test_no_number_no_message(sms_file, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert services.text_message(to="", sms=SMS, key="test.person:3") is None
        assert services.text_message(to="   ", sms=SMS, key="test.person:3") is None
    assert callbacks == [] and not Delivery.objects.exists()


def test_a_rolled_back_transaction_sends_nothing(sms_file, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                services.text_message(to="+8613800000001", sms=SMS, key="test.person:4")
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert callbacks == [] and not Delivery.objects.exists() and lines(sms_file) == []
