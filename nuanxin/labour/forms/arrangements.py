"""The arrangement forms: referring one (the care contact's phone form), agreeing or changing
it with the employer, ending it. The services check the rules (a woman worker, the dates the
stage needs, dates in order, a measure when agreed); the forms only read the input."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from nuanxin.core.forms import BootstrapForm
from nuanxin.core.versioning import VersionedForm
from nuanxin.labour.choices import MEASURES, Stage


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _date(label, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=DateInput(), **kwargs)


class ReferForm(BootstrapForm):
    stage = forms.ChoiceField(label=_("She is"), choices=Stage.choices, widget=forms.RadioSelect)
    expected_on = _date(_("Expected delivery date"), help_text=_("When she is pregnant."))
    lactating_until = _date(_("Breastfeeding until about"), help_text=_("When she is breastfeeding."))
    measures = forms.MultipleChoiceField(
        label=_("What would help her (optional)"),
        choices=MEASURES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label=_("What you heard"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. “she is on night shifts”. Only the labour officers read it."),
    )


class AgreeForm(VersionedForm, BootstrapForm):
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices, widget=forms.RadioSelect)
    expected_on = _date(_("Expected delivery date"))
    lactating_until = _date(_("Breastfeeding until"))
    measures = forms.MultipleChoiceField(
        label=_("Measures agreed with the employer"),
        choices=MEASURES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    starts_on = _date(_("From"))
    ends_on = _date(_("Until"), help_text=_("Leave empty while the end is not known."))
    confirmed_by = forms.CharField(
        label=_("Confirmed at the unit by"), required=False, help_text=_("Name and post, e.g. 王主任（护理部）.")
    )
    confirmed_on = _date(_("Confirmed on"))
    review_on = _date(_("Review on"), help_text=_("The labour officers are reminded before this date."))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class EndForm(VersionedForm, BootstrapForm):
    on = _date(_("Ended on"), help_text=_("Today when left empty."))
    reason = forms.CharField(label=_("Why"), required=False, help_text=_("E.g. maternity leave began."))


class ListFilter(forms.Form):
    status = forms.ChoiceField(required=False, choices=())
    show = forms.ChoiceField(required=False, choices=(("", ""), ("due", ""), ("ending", "")))
