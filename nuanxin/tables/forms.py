"""Forms of the official tables' pages (the import's own form is in ``imports/forms.py``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from nuanxin.core.forms import BootstrapForm
from nuanxin.registry.filters import offer_units, unit_field


class ExportForm(BootstrapForm):
    table = forms.TypedChoiceField(
        label=_("Table"),
        coerce=int,
        choices=[
            (1, "1 · 青岛市援鄂医疗队成员联系表"),
            (2, "2 · 抗疫一线医护职工联系表"),
            (3, "3 · 青岛市援鄂医疗队成员在鄂期间联系方式统计表"),
        ],
        widget=forms.RadioSelect,
        initial=1,
    )
    org = unit_field(
        label=_("Reporting organisation"),
        help_text=_("Its workers and those of every unit under it."),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose an organisation in your scope.")},
    )
    by_carrier = forms.BooleanField(
        label=_("Table 3: one sheet per carrier (for the fee waiver)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        offer_units(self.fields["org"], user, "change")
