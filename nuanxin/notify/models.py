"""The in-app notification centre and the outbox of text messages and e-mails.

A ``Notification`` is what a user sees in the notification centre. Each one may have
``Delivery`` rows, one per outside channel (SMS, e-mail), sent by a task with retries.
Both carry a unique idempotency key, so the same reminder is never created, nor sent, twice.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from nuanxin.notify.choices import Channel, DeliveryStatus


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user, action: str = "view"):
        """A user's own notifications, and nobody else's."""
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A message in a user's notification centre (e.g. "8 families to visit this week")."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    # e.g. "care.week_due:2020-02-03:17" — one notification per recipient, kind and occasion.
    key = models.CharField(max_length=200, unique=True)
    # The title and body in every interface language, {"en": ["title", "body"], ...}: the
    # centre shows the reader's language (title/body above are the default language's copy,
    # used by e-mail and when a language is missing).
    texts = models.JSONField(_("texts"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notify_recipient_time_idx"),
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notify_unread_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def _in_language(self) -> tuple[str, str]:
        text = (self.texts or {}).get(get_language() or "")
        if isinstance(text, list | tuple) and len(text) == 2:
            return str(text[0]), str(text[1])
        return self.title, self.body

    @property
    def shown_title(self) -> str:
        """The title in the active language."""
        return self._in_language()[0]

    @property
    def shown_body(self) -> str:
        """The body in the active language."""
        return self._in_language()[1]


class Delivery(models.Model):
    """One text message or e-mail to send, with its attempts (the outbox)."""

    notification = models.ForeignKey(
        Notification,
        verbose_name=_("notification"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    to = models.CharField(_("to"), max_length=254)
    # SMS: the template id and its parameters, as Chinese providers require; the text is the
    # rendering for the console and file backends. E-mail: subject and text body.
    template = models.CharField(_("template"), max_length=64, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"), blank=True)
    key = models.CharField(max_length=220, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    provider_id = models.CharField(_("provider message id"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "sending"]),
                name="notify_delivery_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.to} ({self.get_status_display()})"
