"""Sending notifications: the in-app notification centre, text messages and e-mail.

``notify`` is the one entry point. It creates the in-app notification and one outbox row
(``Delivery``) per outside channel, and queues a task per delivery once the transaction
commits. Everything carries an idempotency key, unique in the database: calling ``notify``
twice for the same recipient, kind and occasion creates and sends nothing the second time.

Delivery is at least once per key and at most once in practice: a task first *claims* the
delivery with a conditional UPDATE (so two workers never send it together), sends it outside
any transaction, then records the outcome. A failed attempt is retried with exponential
backoff (``NUANXIN_NOTIFY_RETRY_SECONDS`` doubling, at most ``NUANXIN_NOTIFY_MAX_ATTEMPTS``):
re-enqueued with ``run_after`` where the task backend can defer, and in any case picked up
by the ``notify.retry_deliveries`` periodic job. A worker that dies mid-send leaves the row
"sending"; after ``STALE_CLAIM`` it is retried (the only case a message could go twice).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from nuanxin.core import audit
from nuanxin.core.policy import SYSTEM
from nuanxin.notify import sms as sms_backends
from nuanxin.notify.choices import Channel, DeliveryStatus
from nuanxin.notify.models import Delivery, Notification

logger = logging.getLogger("nuanxin.notify")

STALE_CLAIM = timedelta(minutes=10)


@dataclass(frozen=True)
class Sms:
    """A text message by template: ``template`` is our template name (mapped to the
    provider's id by settings), ``params`` its parameters, ``text`` our own rendering."""

    template: str
    params: dict = field(default_factory=dict)
    text: str = ""


def make_key(kind: str, occasion: str, recipient) -> str:
    """The idempotency key of a notification: one per kind, occasion and recipient."""
    return f"{kind}:{occasion}:{recipient.pk}"[:200]


def notify(
    *,
    recipient,
    kind: str,
    occasion: str,
    title: str = "",
    body: str = "",
    texts: Callable[[], tuple[str, str]] | None = None,
    url: str = "",
    sms: Sms | None = None,
    email: bool = True,
    email_text: tuple[str, str] | None = None,
    actor=SYSTEM,
) -> Notification | None:
    """Tell ``recipient`` something: in the notification centre, by text message (when an
    ``sms`` template is given and they have a mobile) and by e-mail (when they have an
    address). ``occasion`` names what it is about (e.g. the week, or a difficulty and its
    escalation level); the same (kind, occasion, recipient) is only ever notified once, and
    ``None`` is returned the second time. Inactive accounts get nothing.

    ``texts``, when given, renders (title, body) with gettext: it is called once per interface
    language, so the centre shows each reader their own language; ``title`` and ``body`` are
    then the default language's (text messages and e-mails go in it). ``email_text`` is the
    e-mail's (subject, body) when the notification's own texts name people who must stay
    behind the sign-in (an e-mail, like a text message, leaves the system)."""
    if recipient is None or not recipient.is_active:
        return None
    key = make_key(kind, occasion, recipient)
    if Notification.objects.filter(key=key).exists():
        return None
    rendered = {}
    if texts is not None:
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                rendered[code] = [str(t) for t in texts()]
        title, body = rendered.get(settings.LANGUAGE_CODE) or next(iter(rendered.values()))
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient, kind=kind, title=title[:200], body=body, url=url[:300], key=key,
                texts={code: [t[:200], b] for code, (t, b) in rendered.items()},
            )
            deliveries = []
            if sms is not None and recipient.mobile:
                deliveries.append(
                    Delivery(
                        notification=notification,
                        recipient=recipient,
                        channel=Channel.SMS,
                        to=recipient.mobile,
                        template=sms.template,
                        params=sms.params,
                        body=sms.text,
                        key=f"{key}:sms",
                    )
                )
            if email and recipient.email:
                subject, text = email_text or (title, body)
                text += f"\n\n{url}" if url and url.startswith("http") else ""
                deliveries.append(
                    Delivery(
                        notification=notification,
                        recipient=recipient,
                        channel=Channel.EMAIL,
                        to=recipient.email,
                        subject=subject[:200],
                        body=text,
                        key=f"{key}:email",
                    )
                )
            created = Delivery.objects.bulk_create(deliveries)
    except IntegrityError:
        # Another process notified the same occasion at the same moment.
        return None
    ids = [d.pk for d in created]
    if ids:
        transaction.on_commit(lambda: _enqueue(ids))
    return notification


def text_message(*, to: str, sms: Sms, key: str, actor=SYSTEM) -> Delivery | None:
    """Text a bare number (someone without an account: a worker of the register, by the mobile
    the register holds): one outbox row (``Delivery``) with no notification and no recipient,
    sent by the same tasks and retries as ``notify``'s. ``key`` is the idempotency key (e.g.
    ``recuperation.offer:17:person``): the same key is only ever sent once, and ``None`` is
    returned the second time (or when ``to`` is empty). Queued once the transaction commits."""
    to = (to or "").strip()
    if not to:
        return None
    key = key[:220]
    if Delivery.objects.filter(key=key).exists():
        return None
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(
                channel=Channel.SMS, to=to, template=sms.template, params=sms.params, body=sms.text, key=key
            )
    except IntegrityError:
        # Another process texted the same occasion at the same moment.
        return None
    pk = delivery.pk
    transaction.on_commit(lambda: _enqueue([pk]))
    return delivery


def _enqueue(ids: list[int], run_after=None) -> None:
    from nuanxin.notify import tasks

    task = tasks.deliver
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # the periodic retry job will pick it up
        task = task.using(run_after=run_after)
    for pk in ids:
        try:
            task.enqueue(pk)
        except Exception:
            # The outbox row stays pending; the periodic retry job will send it.
            logger.exception("could not enqueue delivery %s", pk)


def backoff(attempts: int) -> timedelta:
    """Wait before the next attempt: the base delay, doubling per failed attempt (max 1 day)."""
    seconds = settings.NUANXIN_NOTIFY_RETRY_SECONDS * (2 ** max(0, attempts - 1))
    return timedelta(seconds=min(seconds, 24 * 3600))


def _send(delivery: Delivery) -> str:
    if delivery.channel == Channel.SMS:
        message = sms_backends.SmsMessage(
            to=delivery.to, template=delivery.template, params=delivery.params, text=delivery.body, out_id=delivery.key
        )
        return sms_backends.get_backend().send(message)
    send_mail(delivery.subject, delivery.body, None, [delivery.to], fail_silently=False)
    return ""


def attempt_delivery(*, delivery_id: int, actor=SYSTEM) -> str:
    """Try to send one outbox row now. Returns its status afterwards, or ``"skipped"`` when
    it is not due (already sent, failed for good, waiting for its next attempt, or being sent
    by another worker)."""
    now = timezone.now()
    claimed = (
        Delivery.objects.filter(pk=delivery_id)
        .filter(
            Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            | Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_CLAIM)
        )
        .update(status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return "skipped"
    delivery = Delivery.objects.get(pk=delivery_id)
    try:
        provider_id = _send(delivery)
    except Exception as exc:
        permanent = isinstance(exc, sms_backends.SmsError) and exc.permanent
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if permanent or delivery.attempts >= settings.NUANXIN_NOTIFY_MAX_ATTEMPTS:
            Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, last_error=error)
            logger.warning("delivery %s failed for good after %s attempts: %s", delivery.pk, delivery.attempts, error)
            with transaction.atomic():
                audit.record(
                    actor,
                    "notify.delivery_failed",
                    obj=delivery,
                    outcome="failure",
                    detail={"channel": delivery.channel, "attempts": delivery.attempts, "error": error[:500]},
                )
            return DeliveryStatus.FAILED
        next_at = timezone.now() + backoff(delivery.attempts)
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.PENDING, next_attempt_at=next_at, last_error=error
        )
        logger.info("delivery %s attempt %s failed, retry at %s: %s", delivery.pk, delivery.attempts, next_at, error)
        _enqueue([delivery.pk], run_after=next_at)
        return DeliveryStatus.PENDING
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), provider_id=(provider_id or "")[:100], last_error=""
    )
    return DeliveryStatus.SENT


def retry_due_deliveries(*, actor=SYSTEM, limit: int = 1000) -> int:
    """Queue every outbox row whose next attempt is due (and rows stuck "sending" by a worker
    that died). Idempotent: the claim in ``attempt_delivery`` stops double sending."""
    now = timezone.now()
    ids = list(
        Delivery.objects.filter(
            Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            | Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_CLAIM)
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    _enqueue(ids)
    return len(ids)


@transaction.atomic
def mark_read(*, actor, notification: Notification) -> Notification:
    """Mark one of the actor's own notifications read. (Reading state is the user's own
    business: no audit row.)"""
    if notification.recipient_id != getattr(actor, "pk", None):
        from nuanxin.core.errors import NotAllowed

        raise NotAllowed("not your notification")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def mark_all_read(*, actor) -> int:
    """Mark every unread notification of the actor read."""
    return Notification.objects.for_user(actor).unread().update(read_at=timezone.now())
