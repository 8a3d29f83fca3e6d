"""Forms of the week's pages: an action on an offer (close, settle, charge) and a check call's
answer."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from nuanxin.core.forms import BootstrapForm
from nuanxin.produce.choices import CallbackStatus
from nuanxin.produce.services.callbacks import ANSWERS


class ActionForm(BootstrapForm):
    """A button's form: nothing to fill in."""


class CallbackForm(BootstrapForm):
    status = forms.ChoiceField(
        label=_("What the family said"),
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        choices=[(s.value, s.label) for s in ANSWERS],
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


STATUS_FILTER = [("", _("All"))] + [(s.value, s.label) for s in CallbackStatus]
