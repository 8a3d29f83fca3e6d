"""Forms of the entries' pages: a rejection's reason, a reversal."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nuanxin.core.forms import BootstrapForm
from nuanxin.core.versioning import VersionedForm
from nuanxin.funds.forms.funds import date_field


class RejectForm(VersionedForm, BootstrapForm):
    reason = forms.CharField(label=_("Reason for rejection"), max_length=1000, widget=forms.Textarea(
        attrs={"rows": 3}))


class ReversalForm(BootstrapForm):
    reason = forms.CharField(
        label=_("Why it is reversed"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The reversal cancels the entry once approved; the entry itself stays in the ledger."),
    )
    on = date_field(_("Date"), initial=timezone.localdate)
