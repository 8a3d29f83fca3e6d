"""The reports' choices: period types, sources, field kinds and a report's life cycle."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PeriodType(models.TextChoices):
    WEEKLY = "weekly", _("Weekly (Monday to Sunday)")
    MONTHLY = "monthly", _("Monthly")
    ONCE = "once", _("Once (up to a date)")


class FormSource(models.TextChoices):
    """Where a report comes from: a form filled and sent up, or the official tables 1–3 (an
    applied import of the organisation within the period counts as sending)."""

    FILLED = "filled", _("Filled in and submitted")
    TABLES = "tables", _("The official tables (an import counts as sending)")


class FieldKind(models.TextChoices):
    COMPUTED = "computed", _("Computed by the system")
    NUMBER = "number", _("Whole number entered by hand")
    AMOUNT = "amount", _("Amount (yuan) entered by hand")
    TEXT = "text", _("Text")


class ReportStatus(models.TextChoices):
    """Draft (computed figures recomputed on every view) → submitted (frozen) → approved (locked)
    or returned with comments (editable again, then resubmitted). An unlock by the level above
    takes an approved report back to submitted."""

    DRAFT = "draft", pgettext_lazy("report status", "Not submitted")
    SUBMITTED = "submitted", pgettext_lazy("report status", "Submitted")
    RETURNED = "returned", pgettext_lazy("report status", "Returned")
    APPROVED = "approved", pgettext_lazy("report status", "Approved")


EDITABLE = frozenset({ReportStatus.DRAFT, ReportStatus.RETURNED})
# A fall of more than this share from the previous period's figure needs a comment.
DROP_NEEDS_COMMENT = 0.5
