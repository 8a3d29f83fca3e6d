"""Forms of recuperation's pages: a base, a programme (its ranking rule as criteria in order),
a batch, a nomination, an answer to an offer, charging the cost. They check shapes; the
services decide, and a refusal lands on the field it names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nuanxin.core.forms import BootstrapForm
from nuanxin.core.versioning import VersionedForm
from nuanxin.funds.models import Fund
from nuanxin.recuperation.choices import DEFAULT_RANKING, RankCriterion
from nuanxin.recuperation.models import Base
from nuanxin.registry.choices import TeamType
from nuanxin.registry.models import Worker

RANK_FIELDS = [f"rank_{i}" for i in range(1, len(RankCriterion.values) + 1)]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def _aware(value: Any) -> Any:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


class VersionForm(VersionedForm, BootstrapForm):
    """Only the version the page showed (open, close, held)."""


# --- bases --------------------------------------------------------------------------------------


class BaseFields(BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("E.g. 青岛湛山疗养院."))
    address = forms.CharField(label=_("Address"), max_length=200)
    capacity = forms.IntegerField(
        label=_("Capacity (people at a time)"), min_value=1, max_value=100000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("A batch at the base has at most this many places."),
    )
    contact_name = forms.CharField(label=_("Contact"), max_length=50, required=False)
    contact_phone = forms.CharField(
        label=_("Contact phone"), max_length=30, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"name": data["name"], "address": data["address"], "capacity": data["capacity"],
                "contact_name": data.get("contact_name") or "", "contact_phone": data.get("contact_phone") or "",
                "notes": data.get("notes") or ""}


class BaseCreateForm(BaseFields):
    pass


class BaseEditForm(VersionedForm, BaseFields):
    active = forms.BooleanField(
        label=_("In use"), required=False, help_text=_("A base no longer in use is not offered for new batches.")
    )

    def service_values(self) -> dict[str, Any]:
        return {**super().service_values(), "active": bool(self.cleaned_data.get("active")),
                "version": self.cleaned_data["version"]}


# --- programmes ---------------------------------------------------------------------------------


class ProgrammeFields(BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("E.g. 抗疫一线医务人员免费疗休养."))
    description = forms.CharField(label=_("Description"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    offer_hours = forms.IntegerField(
        label=_("An offer is held for (hours)"), min_value=1, max_value=720, initial=48,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("Then it passes to the next on the waiting list; never past the day before the batch."),
    )
    cost_per_place = forms.DecimalField(
        label=_("Cost per place (yuan)"), min_value=0, max_digits=9, decimal_places=2, initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
        help_text=_("Charged to a fund by a finance clerk for the places taken."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", pgettext_lazy("ranking", "(not used)")), *RankCriterion.choices]
        for i, key in enumerate(RANK_FIELDS, start=1):
            self.fields[key] = forms.ChoiceField(
                label=_("Ranking: criterion %(n)d") % {"n": i}, choices=choices, required=(i == 1),
                widget=forms.Select(attrs={"class": "form-select"}),
            )
            if key not in self.initial:
                self.initial[key] = DEFAULT_RANKING[i - 1] if i <= len(DEFAULT_RANKING) else ""
        self.order_fields(["name", "description", *RANK_FIELDS, "offer_hours", "cost_per_place"])

    def set_ranking(self, ranking: list[str]) -> None:
        for i, key in enumerate(RANK_FIELDS):
            self.initial[key] = ranking[i] if i < len(ranking) else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = [data.get(key) for key in RANK_FIELDS if data.get(key)]
        if len(set(chosen)) != len(chosen):
            self.add_error(RANK_FIELDS[0], _("Each criterion comes once in the ranking rule."))
        return data

    def ranking(self) -> list[str]:
        return [self.cleaned_data[key] for key in RANK_FIELDS if self.cleaned_data.get(key)]

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"name": data["name"], "description": data.get("description") or "", "ranking": self.ranking(),
                "offer_hours": data["offer_hours"], "cost_per_place": data["cost_per_place"]}


class ProgrammeCreateForm(ProgrammeFields):
    pass


class ProgrammeEditForm(VersionedForm, ProgrammeFields):
    def service_values(self) -> dict[str, Any]:
        return {**super().service_values(), "version": self.cleaned_data["version"]}


# --- batches ------------------------------------------------------------------------------------


class BatchFields(BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=50, help_text=_("E.g. 第一期."))
    base = forms.ModelChoiceField(label=_("Base"), queryset=Base.objects.none(), empty_label=None)
    starts_on = forms.DateField(label=pgettext_lazy("recuperation batch", "From"), widget=DateInput())
    ends_on = forms.DateField(label=pgettext_lazy("recuperation batch", "To"), widget=DateInput())
    places = forms.IntegerField(label=_("Places"), min_value=1, max_value=100000,
                                widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    teams = forms.MultipleChoiceField(
        label=_("Who may go"), choices=TeamType.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every frontline team."),
    )
    nominations_close_at = forms.DateTimeField(
        label=_("Nominations close"), required=False, widget=DateTimeInput(),
        help_text=_("Before the day the batch starts; empty: when a city administrator closes them."),
    )

    def __init__(self, *args: Any, bases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["base"]
        field.queryset = bases

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"name": data["name"], "base": data["base"], "starts_on": data["starts_on"],
                "ends_on": data["ends_on"], "places": data["places"], "teams": list(data.get("teams") or []),
                "nominations_close_at": _aware(data.get("nominations_close_at"))}


class BatchCreateForm(BatchFields):
    pass


class BatchEditForm(VersionedForm, BatchFields):
    def service_values(self) -> dict[str, Any]:
        return {**super().service_values(), "version": self.cleaned_data["version"]}


# --- candidates, offers, costs ------------------------------------------------------------------


class NominateForm(BootstrapForm):
    worker = forms.ModelChoiceField(label=_("Worker"), queryset=Worker.objects.none(),
                                    empty_label=pgettext_lazy("recuperation", "(choose a worker)"))
    note = forms.CharField(label=_("Note"), required=False, max_length=200,
                           help_text=_("E.g. what leave the unit can arrange."))

    def __init__(self, *args: Any, workers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["worker"]
        field.queryset = workers
        field.label_from_instance = lambda w: f"{w.name} · {w.get_team_display()} · {w.organisation.name}"


class ReasonForm(BootstrapForm):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)


class AttendanceForm(BootstrapForm):
    attended = forms.TypedChoiceField(
        label=_("Attendance"), choices=[("1", _("Attended")), ("0", _("Did not come"))], coerce=lambda v: v == "1",
    )


class ChargeForm(BootstrapForm):
    fund = forms.ModelChoiceField(label=_("Fund"), queryset=Fund.objects.none(),
                                  empty_label=pgettext_lazy("recuperation", "(choose a fund)"))
    on = forms.DateField(label=_("Date"), widget=DateInput())

    def __init__(self, *args: Any, funds: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["fund"]
        field.queryset = Fund.objects.filter(pk__in=[f.pk for f in funds]).select_related("organisation").order_by(
            "organisation__path", "name", "id")
        field.label_from_instance = lambda f: f"{f.name} · {f.organisation.name}"
        self.initial.setdefault("on", timezone.localdate())
