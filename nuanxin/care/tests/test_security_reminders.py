"""What leaves the system (text messages, e-mail) and what stays in the notification centre
when a difficulty is overdue: never the difficulty's description or category, which can be
about health or the mind (PIPL art. 28); the page behind the link, scoped, shows them."""

import json
from datetime import date

from django.core import mail
from django.utils import translation

from nuanxin.care import services
from nuanxin.care.tests.helpers import W1, at, build_world, sms_lines
from nuanxin.core.policy import SYSTEM
from nuanxin.notify.models import Delivery, Notification
from nuanxin.orgs import services as org_services

SECRET = "确诊后焦虑失眠需要心理疏导"


def test_overdue_and_escalation_notices_carry_no_description_or_category(
    personas, sms_file, django_capture_on_commit_callbacks
):
    w = build_world(personas)
    for user, address in ((personas.care, "care@example.org"), (personas.yi, "yi@example.org")):
        org_services.update_user(actor=SYSTEM, user=user, full_name=user.full_name, email=address, mobile="13900001111")
    with at(W1):
        services.open_difficulty(
            actor=personas.care, worker=w.a1, description=SECRET, category="psychological", urgency="urgent"
        )
    with translation.override("zh-hans"), at(date(2020, 1, 31), 9, 30), django_capture_on_commit_callbacks(
        execute=True
    ):
        assert services.escalate_overdue_difficulties() == 1
    notes = list(Notification.objects.order_by("recipient__username"))
    assert [(n.recipient.username, n.kind) for n in notes] == [
        ("care", "care.difficulty_overdue"),
        ("yi", "care.difficulty_escalated"),
    ]
    outgoing = [*(n.title + n.body + str(n.texts) for n in notes), *(m.subject + m.body for m in mail.outbox)]
    outgoing += [d.body for d in Delivery.objects.all()]
    outgoing += [json.dumps(line, ensure_ascii=False) for line in sms_lines(sms_file)]
    assert len(mail.outbox) == 2
    for text in outgoing:
        assert SECRET not in text
        assert "心理" not in text  # the category's label
        assert "Psychological" not in text
    # E-mails, like text messages, leave the system: they do not name the family either.
    assert [(m.subject, "安一" in m.subject + m.body) for m in mail.outbox] == [
        ("逾期困难（1 天）", False),
        ("逾期困难已上报至市南区总工会（1 天）", False),
    ]
