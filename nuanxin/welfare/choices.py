"""The mutual-aid scheme's coded values."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EnrolmentSource(models.TextChoices):
    """How a worker came to be in a scheme."""

    # Already a member: read from the scheme's own list (its xlsx).
    IMPORTED = "imported", _("Already a member (from the scheme's list)")
    # Enrolled by the union under the aid team's name (measure 3).
    ENROLLED = "enrolled", _("Enrolled by the union")


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", _("Checked, not yet applied")
    APPLIED = "applied", _("Applied")
    DISCARDED = "discarded", _("Discarded")
