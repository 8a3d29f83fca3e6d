"""Base models: the append-only audit log and the organisation-scoped queryset."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from nuanxin.core import roles
from nuanxin.core.policy import Policy


class AuditOutcome(models.TextChoices):
    SUCCESS = "success", _("Success")
    DENIED = "denied", _("Denied")
    FAILURE = "failure", _("Failure")


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or remove an audit row."""


class AuditLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The audit log is append-only.")

    def delete(self):
        raise AppendOnlyError("The audit log is append-only.")

    def for_user(self, user, action: str = "view"):
        return self.model.policy.for_user(self, user, action)


class AuditLog(models.Model):
    """One thing that happened: who did what to which object, where, with what outcome.

    Rows are written by service functions in the same transaction as the change and are
    never updated or deleted (the ORM refuses, and database triggers refuse too).
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=AuditOutcome.choices, default=AuditOutcome.SUCCESS
    )
    ip = models.GenericIPAddressField(_("client IP"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=16, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects = AuditLogQuerySet.as_manager()

    # Rows that belong to no organisation (e.g. a failed login for an unknown name) are shown
    # to auditors whose grant covers the whole tree.
    policy = Policy(path="organisation__path", actions={"view": roles.AUDITORS}, ownerless_at_root=True)

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["actor", "at"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise AppendOnlyError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The audit log is append-only.")


class ScopedQuerySet(models.QuerySet):
    """A queryset whose ``for_user(user, action)`` keeps only the rows the model's ``policy``
    (``core/policy.py``) lets ``user`` do ``action`` to."""

    def for_user(self, user, action: str = "view"):
        return self.model.policy.for_user(self, user, action)


class SchedulerLease(models.Model):
    """The single row that says which scheduler process may run periodic jobs."""

    name = models.CharField(max_length=32, unique=True)
    holder = models.CharField(max_length=128)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("scheduler lease")

    def __str__(self) -> str:
        return f"{self.name}: {self.holder}"


class PeriodicRun(models.Model):
    """One run of a periodic job for one time slot; the unique key makes enqueueing idempotent."""

    job = models.CharField(max_length=64)
    slot = models.DateTimeField()
    enqueued_at = models.DateTimeField(auto_now_add=True)
    task_result_id = models.CharField(max_length=64, blank=True)
    # True: the slot was found later than the job's late limit and was not run.
    skipped = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("periodic run")
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="periodic_run_unique_slot")]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M}"


class IdempotencyKey(models.Model):
    """The first answer to a create request sent with a one-time key (the API's
    ``Idempotency-Key`` header or a form's one-time token): a retry with the same key gets
    this answer again instead of creating a second record. See ``nuanxin.core.idempotency``.

    A row is inserted in the same transaction as the create it guards, so the unique
    (user, key) constraint decides a race: a concurrent duplicate waits on the insert until
    the first request commits (and then replays its answer) or rolls back (and then runs).
    Rows are pruned after 24 hours.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=300)  # "api:<header>" or "form:<token>"
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # sha256 of method, path (and the API's body)
    status = models.PositiveSmallIntegerField(null=True, blank=True)  # the stored answer's status
    content_type = models.CharField(max_length=100, blank=True)
    body = models.TextField(blank=True)  # the API's JSON answer
    location = models.TextField(blank=True)  # a page's redirect (or the API's Location header)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key[:40]}"


# Private files (nuanxin/core/attachments.py): the model lives in its own module.
from nuanxin.core.attachment_models import Attachment  # noqa: E402, F401
