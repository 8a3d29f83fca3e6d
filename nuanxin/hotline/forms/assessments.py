"""The assessment forms: a scale's answers (one radio group per question, built from the scale's
data), the public page's callback request (mobile + a separate, unticked consent box), the
counsellor's form for a scale taken during a call, and the list's filter."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nuanxin.core.errors import ServiceError
from nuanxin.core.forms import BootstrapForm
from nuanxin.hotline import callers, scales
from nuanxin.hotline.models import Hotline

MOBILE_MAX = 32


def question_name(item: scales.Item) -> str:
    return f"q{item.number}"


class AnswersForm(forms.Form):
    """One required radio group per question of ``scale`` (``q1`` … ``qN``), the options as the
    scale prints them. ``answers()`` gives the printed values in order."""

    def __init__(self, *args: Any, scale: scales.Scale, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scale = scale
        for item in scale.items:
            self.fields[question_name(item)] = forms.TypedChoiceField(
                label=str(item.text),
                choices=[(str(o.value), str(o.label)) for o in item.options],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Answer this question.")},
            )

    def questions(self) -> list[tuple[scales.Item, forms.BoundField]]:
        """Each item with its bound field (the template renders them as big tappable rows)."""
        return [(item, self[question_name(item)]) for item in self.scale.items]

    def answers(self) -> list[int]:
        return [self.cleaned_data[question_name(item)] for item in self.scale.items]


def _mobile(value: str) -> str:
    try:
        return callers.normalise(value, field="mobile")
    except ServiceError as exc:
        raise forms.ValidationError(exc.message) from None


CHINESE_MOBILE = re.compile(r"1[3-9]\d{9}")


def chinese_mobile(value: str) -> str:
    """The public page's number: an 11-digit Chinese mobile (spaces and hyphens allowed, with or
    without +86), in E.164 form; anything else (a landline, "12345") a ``ValidationError``: the
    hotline calls back on a mobile the person gave, and a mistyped number would reach nobody."""
    digits = re.sub(r"[\s\-()（）]", "", value or "")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
            break
    if not CHINESE_MOBILE.fullmatch(digits):
        raise forms.ValidationError(_("Enter an 11-digit mobile number."), code="mobile")
    return _mobile(digits)


class CallbackForm(BootstrapForm):
    """Leave a mobile for a callback, with the explicit, separate consent PIPL art. 29 asks for
    (the box is never ticked in advance)."""

    mobile = forms.CharField(
        label=_("Your mobile number"),
        max_length=MOBILE_MAX,
        help_text=_("An 11-digit mobile number, e.g. 138 0013 8000."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"required": _("Enter the mobile number to call back.")},
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the hotline keeps my mobile number and my result so that a counsellor can call me "
            "back. The number is used for nothing else and is deleted with the record."
        ),
        required=False,
    )

    def clean_mobile(self) -> str:
        return chinese_mobile(self.cleaned_data["mobile"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("consent"):
            self.add_error("consent", _("Tick the box to agree that the hotline keeps your number and calls you back."))
        return data


class TakeForm(BootstrapForm):
    """A counsellor takes a scale with a caller: the hotline (one of theirs, fixed by the call
    when there is one), and optionally the caller's mobile with their consent to a callback."""

    hotline = forms.TypedChoiceField(label=_("Hotline"), coerce=int)
    mobile = forms.CharField(
        label=_("Number to call back"),
        max_length=MOBILE_MAX,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    consent = forms.BooleanField(label=_("The caller agrees to be called back on this number"), required=False)

    def __init__(self, *args: Any, hotlines: list[Hotline], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hotlines = {h.pk: h for h in hotlines}
        field: Any = self.fields["hotline"]
        field.choices = [(h.pk, h.name) for h in hotlines]

    def clean_mobile(self) -> str:
        value = (self.cleaned_data.get("mobile") or "").strip()
        return _mobile(value) if value else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mobile") and not data.get("consent"):
            self.add_error(
                "consent", _("Keep the number only with the caller's consent: tick the box or clear the number.")
            )
        if data.get("consent") and not data.get("mobile") and "mobile" not in self.errors:
            self.add_error("mobile", _("Enter the mobile number to call back."))
        return data

    def chosen_hotline(self) -> Hotline:
        return self.hotlines[self.cleaned_data["hotline"]]


FLAG_CHOICES = [("", _("All results")), ("flagged", _("At or above the cut-off")), ("crisis", _("Crisis answers"))]


class AssessmentFilter(BootstrapForm):
    hotline = forms.TypedChoiceField(label=_("Hotline"), required=False, coerce=int, empty_value=None)
    scale = forms.ChoiceField(label=_("Scale"), required=False)
    flag = forms.ChoiceField(label=_("Results"), required=False, choices=FLAG_CHOICES)

    def __init__(self, *args: Any, hotlines: list[Hotline], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hotline: Any = self.fields["hotline"]
        hotline.choices = [("", _("All my hotlines")), *[(h.pk, h.name) for h in hotlines]]
        scale: Any = self.fields["scale"]
        scale.choices = [("", _("All scales")), *[(s.code, s.code) for s in scales.all()]]

    def values(self) -> dict[str, Any]:
        """The filter's values; an invalid filter is ignored (the whole list)."""
        if not self.is_bound or not self.is_valid():
            return {}
        return dict(self.cleaned_data)
