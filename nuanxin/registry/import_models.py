"""Import batches (导入批次) of the official tables and the planned outcome of every row.

A batch is planned first (the dry run): every row of the file gets an ``ImportRow`` whose
``outcome`` says what applying will do and whose ``data`` / ``changes`` hold exactly what
will be written. Applying writes that stored plan, nothing else; undo reverses it while the
records it touched are unchanged since.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nuanxin.core import roles
from nuanxin.core.models import ScopedQuerySet
from nuanxin.core.policy import Policy
from nuanxin.registry.choices import TeamType


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be read")
    PLANNING = "planning", _("Reading the file")
    PLANNED = "planned", _("Dry run ready")
    REFUSED = "refused", _("File refused")
    APPLYING = "applying", _("Applying")
    APPLIED = "applied", _("Applied")
    UNDONE = "undone", _("Undone")
    FAILED = "failed", _("Failed")


class Outcome(models.TextChoices):
    # Its own context: the word of docs/import.md (新建), not the button's "Create" (创建).
    CREATE = "create", pgettext_lazy("import outcome", "Create")
    UPDATE = "update", _("Update")
    UNCHANGED = "unchanged", _("Unchanged")
    REJECT = "reject", _("Rejected")
    REVIEW = "review", _("Needs a decision")


class Decision(models.TextChoices):
    """What a person decided for a likely duplicate (a row in ``review``)."""

    NONE = "", _("Not decided")
    SAME = "same", _("Same person")
    NEW = "new", _("New person")
    SKIP = "skip", _("Do not import")


class ImportBatch(models.Model):
    """One uploaded file of the official tables, its dry-run plan and its application."""

    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="import_batches",
    )
    filename = models.CharField(_("file name"), max_length=200)
    file_kind = models.CharField(_("file type"), max_length=8)
    file_size = models.PositiveBigIntegerField(_("file size"), default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    # The upload waits for the dry run as the batch's attachment (core.attachments), not a path.
    default_team = models.CharField(
        _("default team for table 2"), max_length=32, choices=TeamType.choices, blank=True
    )
    auto_apply = models.BooleanField(_("apply after the dry run"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=BatchStatus.choices, default=BatchStatus.QUEUED, db_index=True
    )
    message = models.TextField(_("message"), blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    sheets = models.JSONField(_("sheets"), default=list, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    planned_at = models.DateTimeField(_("dry run at"), null=True, blank=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    # Every record the batch wrote has updated_at <= applied_until; later = changed since.
    applied_until = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applied by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("undone by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    policy = Policy(path="organisation__path", actions={"view": roles.REGISTER_CHANGE, "change": roles.REGISTER_CHANGE})

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.pk})"

    @property
    def is_busy(self) -> bool:
        return self.status in {BatchStatus.QUEUED, BatchStatus.PLANNING, BatchStatus.APPLYING}

    @property
    def progress_percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))

    def count(self, outcome: str) -> int:
        return int(self.counts.get(outcome, 0))


class ImportRow(models.Model):
    """One row of an uploaded table and its planned (then applied) outcome."""

    # Indexed by the unique (batch, index) constraint below: a batch's rows are always read in
    # order, the outcome filtered on the way (no index of its own: a 100,000-row import would
    # maintain it on every row it stores and again on every row the apply updates).
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows", db_index=False)
    index = models.PositiveIntegerField()  # order of application, 0-based, unique in the batch
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    line = models.PositiveIntegerField(_("row"))  # row number as the spreadsheet shows it
    table = models.PositiveSmallIntegerField(_("table"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices, blank=True)
    # [{"code": ..., "params": {...}}]: reasons of a rejection, notes otherwise (see messages.py)
    reasons = models.JSONField(default=list, blank=True)
    raw = models.JSONField(default=list, blank=True)  # the cells as written, for the rejects file
    data = models.JSONField(default=dict, blank=True)  # normalised values
    worker = models.ForeignKey(
        "registry.Worker", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ref_index = models.IntegerField(null=True, blank=True)  # the earlier row whose worker this is
    candidates = models.JSONField(default=list, blank=True)  # likely duplicates: worker ids
    changes = models.JSONField(default=dict, blank=True)  # what applying writes (see planner.py)
    versions = models.JSONField(default=dict, blank=True)  # updated_at seen by the dry run
    applied = models.JSONField(default=dict, blank=True)  # ids written, for undo

    class Meta:
        verbose_name = _("import row")
        verbose_name_plural = _("import rows")
        ordering = ["batch_id", "index"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "index"], name="import_row_unique_index"),
        ]

    def __str__(self) -> str:
        return f"{self.sheet}!{self.line} {self.outcome}"


class ImportProgress(models.Model):
    """How far the apply of a batch got, in points of ``tables.imports.progress.SCALE``. The apply
    is one transaction, so the batch row cannot show it: the task notes it on a database
    connection of its own (PostgreSQL), the page and the API read it, and the periodic sweep
    resets a batch whose note stopped moving (its worker was killed). No foreign key: the note
    is written while the apply holds the batch row; it goes when the apply ends."""

    batch_id = models.PositiveBigIntegerField(primary_key=True)
    done = models.PositiveIntegerField(default=0)
    noted_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.batch_id}: {self.done}"
