"""The forms of the crisis case and callback pages (phone-first: radio buttons for the few
choices, the browser's own date-time picker)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nuanxin.core.forms import BootstrapForm
from nuanxin.core.versioning import VersionedForm
from nuanxin.hotline.choices import AttemptResult, CallbackStatus, Channel, CrisisStatus, HandoverTo, RiskLevel
from nuanxin.hotline.selectors.cases import ACTIVE, ALL

TEXT_LIMIT = 5000


class DateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time picker (``datetime-local``), in local time."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def local_now() -> str:
    return f"{timezone.localtime():%Y-%m-%dT%H:%M}"


def _status_choices(statuses: Any) -> list[tuple[str, Any]]:
    return [(ACTIVE, pgettext_lazy("hotline", "Active")), *statuses.choices, (ALL, _("All"))]


class QueueFilter(BootstrapForm):
    """The filters of the callback queue and the crisis list: hotline, status, overdue."""

    hotline = forms.TypedChoiceField(label=_("Hotline"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, hotlines: list[Any], statuses: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hotlines = {h.pk: h for h in hotlines}
        hotline_field = self.fields["hotline"]
        assert isinstance(hotline_field, forms.ChoiceField)
        hotline_field.choices = [("", _("All my hotlines")), *((h.pk, h.name) for h in hotlines)]
        status_field = self.fields["status"]
        assert isinstance(status_field, forms.ChoiceField)
        status_field.choices = _status_choices(statuses)
        self.fields["overdue"].widget.attrs["class"] = "form-check-input"

    def values(self) -> dict[str, Any]:
        """The valid filters (a bad one is shown, not applied); unbound: the active ones."""
        if not self.is_bound:
            return {"status": ACTIVE}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "hotline": self.hotlines.get(data.get("hotline")) if data.get("hotline") else None,
            "status": data.get("status") or ACTIVE,
            "overdue": bool(data.get("overdue")),
        }


def callback_filter(data: Any, hotlines: list[Any]) -> QueueFilter:
    return QueueFilter(data, hotlines=hotlines, statuses=CallbackStatus)


def crisis_filter(data: Any, hotlines: list[Any]) -> QueueFilter:
    return QueueFilter(data, hotlines=hotlines, statuses=CrisisStatus)


class VersionForm(VersionedForm, BootstrapForm):
    """A button with the version the page showed (claim, release)."""


class AttemptForm(VersionedForm, BootstrapForm):
    result = forms.ChoiceField(label=_("Result"), choices=AttemptResult.choices, widget=forms.RadioSelect)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    retry_at = forms.DateTimeField(
        label=_("Try again at"),
        required=False,
        widget=DateTimeInput(),
        help_text=_("Needed when there was no answer: the callback goes back to the queue until then."),
    )
    note = forms.CharField(
        label=_("Outcome or note"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when the caller was reached: what was said and agreed."),
    )


class NoteForm(BootstrapForm):
    text = forms.CharField(label=_("Note"), max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(VersionedForm, BootstrapForm):
    note = forms.CharField(
        label=_("Why it is closed without a try"), max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 2})
    )


YES_NO = [("", _("Not asked")), ("yes", _("Yes")), ("no", _("No"))]


def _tristate(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def tristate_initial(value: bool | None) -> str:
    return {True: "yes", False: "no"}.get(value, "") if value is not None else ""


class RiskAssessmentForm(VersionedForm, BootstrapForm):
    """The structured risk assessment: four questions (yes / no / not asked), the protective
    factors, a note, and the risk level."""

    ideation = forms.TypedChoiceField(
        label=_("Suicidal thoughts"), choices=YES_NO, required=False, coerce=_tristate, empty_value=None,
        widget=forms.RadioSelect,
    )
    plan = forms.TypedChoiceField(
        label=_("A plan"), choices=YES_NO, required=False, coerce=_tristate, empty_value=None,
        widget=forms.RadioSelect,
    )
    means = forms.TypedChoiceField(
        label=_("Access to means"), choices=YES_NO, required=False, coerce=_tristate, empty_value=None,
        widget=forms.RadioSelect,
    )
    past_attempts = forms.TypedChoiceField(
        label=_("Past attempts"), choices=YES_NO, required=False, coerce=_tristate, empty_value=None,
        widget=forms.RadioSelect,
    )
    protective_factors = forms.CharField(
        label=_("Protective factors"), required=False, max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("People, reasons for living, help already in place."),
    )
    note = forms.CharField(
        label=_("Assessment note"), required=False, max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 2})
    )
    risk = forms.ChoiceField(
        label=_("Risk level"),
        choices=[(v, label) for v, label in RiskLevel.choices if v != RiskLevel.NONE],
    )


class ContactForm(VersionedForm, BootstrapForm):
    at = forms.DateTimeField(label=_("Reached at"), required=False, widget=DateTimeInput(),
                             help_text=_("Leave empty for now."))
    note = forms.CharField(label=_("Note"), required=False, max_length=TEXT_LIMIT,
                           widget=forms.Textarea(attrs={"rows": 2}))


class HandoverForm(VersionedForm, BootstrapForm):
    to = forms.ChoiceField(
        label=_("Handed over to"),
        choices=[(v, label) for v, label in HandoverTo.choices if v],
        widget=forms.RadioSelect,
    )
    at = forms.DateTimeField(label=_("Handed over at"), widget=DateTimeInput())
    person = forms.CharField(label=_("Received by"), max_length=100,
                             help_text=_("The name (and post) of the person who took the case over."))
    note = forms.CharField(label=_("Note"), required=False, max_length=TEXT_LIMIT,
                           widget=forms.Textarea(attrs={"rows": 2}))


class CrisisStatusForm(VersionedForm, BootstrapForm):
    to = forms.ChoiceField(label=_("New status"), choices=CrisisStatus.choices)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when a closed case is reopened."),
    )
