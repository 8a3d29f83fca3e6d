"""Forms of the reviewer's buttons: approve (nothing to fill in), return with a comment, unlock
with a reason; each carries the version of the report the reviewer read."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from nuanxin.core.forms import BootstrapForm
from nuanxin.core.versioning import VersionedForm

TEXT_MAX = 2000


class ApproveForm(VersionedForm, BootstrapForm):
    """Approve: nothing but the version."""


class ReturnForm(VersionedForm, BootstrapForm):
    comment = forms.CharField(
        label=_("What to correct (sent back with the report)"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what to correct: the comment goes back with the report.")},
    )


class UnlockForm(VersionedForm, BootstrapForm):
    reason = forms.CharField(
        label=_("Why the approved report is unlocked"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason for unlocking: it is recorded.")},
    )
