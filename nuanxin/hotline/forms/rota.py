"""The rota's forms: they check shapes; the services (``services.rota``) decide."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nuanxin.core import textlimits
from nuanxin.core.forms import BootstrapForm
from nuanxin.hotline.services.rota import MAX_WEEKS

WEEKDAYS = [
    ("0", _("Mon")),
    ("1", _("Tue")),
    ("2", _("Wed")),
    ("3", _("Thu")),
    ("4", _("Fri")),
    ("5", _("Sat")),
    ("6", _("Sun")),
]


class PatternForm(BootstrapForm):
    name = forms.CharField(label=_("Name"), help_text=_("e.g. 早班 (morning shift)"))
    starts_at = forms.TimeField(label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    hours = forms.IntegerField(label=_("Hours"), min_value=1, max_value=24, initial=8)
    weekdays = forms.MultipleChoiceField(
        label=pgettext_lazy("hotline", "Days"), choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple,
        initial=[d for d, _l in WEEKDAYS],
    )
    min_seats = forms.IntegerField(
        label=_("Minimum seats"), min_value=1, max_value=50, required=False,
        help_text=_("Empty: the hotline's minimum."),
    )
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)
    allow_overlap = forms.BooleanField(
        label=_("Overlap intended"), required=False,
        help_text=_("Keep this shift even where it overlaps another one (e.g. extra seats in a busy evening)."),
    )

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["weekdays"] = "".join(sorted(data["weekdays"]))
        return data


class GenerateForm(BootstrapForm):
    # an <input type=date> shows and sends only ISO dates (2026-12-07), whatever the language
    start = forms.DateField(
        label=pgettext_lazy("hotline", "First day"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    weeks = forms.IntegerField(label=pgettext_lazy("hotline", "Weeks"), min_value=1, max_value=MAX_WEEKS, initial=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound and "start" not in self.initial:
            today = timezone.localdate()
            self.initial["start"] = today + timedelta(days=7 - today.weekday())


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name or obj.username)


class AssignForm(BootstrapForm):
    counsellor = PersonField(queryset=None, label=_("Counsellor"), empty_label=_("Choose a counsellor"))

    def __init__(self, *args: Any, people: list[Any], **kwargs: Any) -> None:
        from nuanxin.accounts.models import User

        super().__init__(*args, **kwargs)
        field: Any = self.fields["counsellor"]
        field.queryset = User.objects.filter(pk__in=[p.pk for p in people])
        # by name, as the rota lists people
        order = {p.pk: i for i, p in enumerate(people)}
        field.choices = [("", field.empty_label)] + [
            (p.pk, field.label_from_instance(p)) for p in sorted(people, key=lambda p: order[p.pk])
        ]


class DutyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        start = timezone.localtime(obj.shift.starts_at)
        end = timezone.localtime(obj.shift.ends_at)
        name = textlimits.with_colon(obj.counsellor.full_name or obj.counsellor.username)  # 吴宁静：…
        return f"{name}{start:%m-%d %H:%M}–{end:%H:%M}"


class SwapForm(BootstrapForm):
    taker = PersonField(queryset=None, label=_("Colleague who takes it"), empty_label=_("Choose a colleague"))
    offered = DutyChoiceField(
        queryset=None, label=_("In exchange for one of their duties"), required=False,
        empty_label=_("Nothing in exchange"),
    )
    note = forms.CharField(label=_("Note"), required=False, help_text=_("e.g. a family matter that day"))

    def __init__(self, *args: Any, colleagues: list[Any], offers: Any, **kwargs: Any) -> None:
        from nuanxin.accounts.models import User

        super().__init__(*args, **kwargs)
        taker: Any = self.fields["taker"]
        taker.queryset = User.objects.filter(pk__in=[p.pk for p in colleagues])
        taker.choices = [("", taker.empty_label)] + [(p.pk, taker.label_from_instance(p)) for p in colleagues]
        offered: Any = self.fields["offered"]
        offered.queryset = offers

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        taker, offered = data.get("taker"), data.get("offered")
        if taker is not None and offered is not None and offered.counsellor_id != taker.pk:
            self.add_error("offered", _("Choose one of the colleague's duties on this hotline."))
        return data


class Carrier(BootstrapForm):
    """No fields: a button's post, whose refusal the page shows."""


class DecideForm(BootstrapForm):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])


class MonthField(forms.CharField):
    """``YYYY-MM``."""

    def to_python(self, value: Any) -> Any:
        from datetime import date

        value = super().to_python(value)
        if not value:
            return None
        try:
            year, month = (int(part) for part in value.split("-"))
            return date(year, month, 1)
        except ValueError:
            raise forms.ValidationError(_("Write the month as YYYY-MM.")) from None
