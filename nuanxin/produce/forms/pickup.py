"""The pickup page's form: the code the family says (the point is chosen above it)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from nuanxin.core.forms import BootstrapForm


class CodeForm(BootstrapForm):
    code = forms.CharField(
        label=_("Pickup code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "off",
                "autofocus": True,
                "placeholder": "000000",
                "class": "form-control-lg text-center nx-code",
            }
        ),
    )
