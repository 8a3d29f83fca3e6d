"""Forms of the tasks, shifts and the public sign-up pages. They check shapes; the services decide."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nuanxin.core.forms import BootstrapForm
from nuanxin.core.versioning import VersionedForm
from nuanxin.volunteers.choices import TaskKind
from nuanxin.volunteers.services.shifts import MOST_SERVED


class TaskForm(BootstrapForm):
    title = forms.CharField(label=_("Task"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind of task"), choices=TaskKind.choices)
    place = forms.CharField(label=_("Place"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TaskEditForm(VersionedForm, TaskForm):
    open_for_signup = forms.BooleanField(label=_("Open for sign-up by link"), required=False)
    new_link = forms.BooleanField(label=_("Replace the sign-up link (the old link stops working)"), required=False)


class ShiftForm(BootstrapForm):
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=_("To"), widget=forms.TimeInput(attrs={"type": "time"}))
    needed = forms.IntegerField(label=_("People needed"), min_value=1, max_value=1000)
    notes = forms.CharField(label=_("Notes"), required=False)

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        starts_at = timezone.make_aware(datetime.combine(data["day"], data["start"]))
        ends_at = timezone.make_aware(datetime.combine(data["day"], data["end"]))
        return {"starts_at": starts_at, "ends_at": ends_at, "needed": data["needed"], "notes": data["notes"]}


class AssignForm(BootstrapForm):
    volunteer: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Volunteer"), queryset=None)  # type: ignore[arg-type]

    def __init__(self, *args: Any, volunteers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["volunteer"]
        field.queryset = volunteers


class ServedForm(VersionedForm, BootstrapForm):
    people_served = forms.IntegerField(
        label=_("People served"),
        min_value=0,
        max_value=MOST_SERVED,
        required=False,
        error_messages={"max_value": _("At most %(limit_value)s people served on one shift: check the number.")},
    )


class SignUpForm(BootstrapForm):
    shift = forms.TypedChoiceField(label=_("Shift"), coerce=int, widget=forms.RadioSelect)
    name = forms.CharField(label=_("Your name"), max_length=50)
    mobile = forms.CharField(
        label=_("Your mobile"), max_length=30, widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"})
    )
    consent = forms.BooleanField(
        label=_("I agree that the team leader may contact me about the shifts."),
        required=False,
    )

    def __init__(self, *args: Any, shifts: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["shift"]
        field.choices = shifts
