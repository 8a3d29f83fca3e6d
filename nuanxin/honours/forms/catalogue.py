"""Forms of the catalogue pages: an award type, a call for nominations, the quota table. They
check shapes; the services (``services/catalogue.py``) decide, and a refusal lands on the
field it names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nuanxin.core.forms import BootstrapForm
from nuanxin.core.versioning import VersionedForm
from nuanxin.honours.choices import AwardLevel, RecipientKind
from nuanxin.honours.models import AwardType

MAX_PLACES = 10000


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class AwardTypeFields(BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=60, help_text=_("E.g. 青岛市五一劳动奖章."))
    level = forms.ChoiceField(label=_("Level"), choices=AwardLevel.choices, initial=AwardLevel.CITY)
    recipient = forms.ChoiceField(
        label=_("Awarded to"), choices=RecipientKind.choices, initial=RecipientKind.PERSON, widget=forms.RadioSelect
    )
    description = forms.CharField(label=_("Description"), required=False, max_length=2000, widget=forms.Textarea(
        attrs={"rows": 3}))

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"name": data["name"], "level": data["level"], "recipient": data["recipient"],
                "description": data.get("description") or ""}


class AwardTypeCreateForm(AwardTypeFields):
    code = forms.SlugField(
        label=_("Code"), max_length=40,
        help_text=_("Letters, digits, hyphens and underscores, e.g. qd_wuyi_jiangzhang."),
    )
    field_order = ["name", "code", "level", "recipient", "description"]

    def service_values(self) -> dict[str, Any]:
        return {"code": self.cleaned_data["code"], **super().service_values()}


class AwardTypeEditForm(VersionedForm, AwardTypeFields):
    active = forms.BooleanField(
        label=_("In use"), required=False, help_text=_("An award type no longer in use is not offered for new calls.")
    )

    def service_values(self) -> dict[str, Any]:
        return {**super().service_values(), "active": bool(self.cleaned_data.get("active")),
                "version": self.cleaned_data["version"]}


class CallFields(BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("E.g. 2020 年度表彰."))
    award_types = forms.ModelMultipleChoiceField(
        label=_("Award types"), queryset=AwardType.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    deadline = forms.DateTimeField(label=_("Deadline for nominations"), widget=DateTimeInput())
    notice_days = forms.IntegerField(
        label=_("Public notice (days)"), min_value=1, max_value=60, initial=5,
        help_text=_("How long the city's public notice of a nomination lasts."),
    )
    frontline_first = forms.BooleanField(label=_("Frontline epidemic staff first"), required=False, initial=True)
    description = forms.CharField(label=_("Description"), required=False, max_length=5000, widget=forms.Textarea(
        attrs={"rows": 4}))

    def __init__(self, *args: Any, award_types: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["award_types"]
        field.queryset = award_types if award_types is not None else AwardType.objects.filter(active=True)

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        deadline = data["deadline"]
        if timezone.is_naive(deadline):
            deadline = timezone.make_aware(deadline)
        return {
            "name": data["name"],
            "award_types": list(data["award_types"]),
            "deadline": deadline,
            "notice_days": data["notice_days"],
            "frontline_first": bool(data.get("frontline_first")),
            "description": data.get("description") or "",
        }


class CallCreateForm(CallFields):
    pass


class CallEditForm(VersionedForm, CallFields):
    def service_values(self) -> dict[str, Any]:
        return {**super().service_values(), "version": self.cleaned_data["version"]}


class VersionForm(VersionedForm, BootstrapForm):
    """Only the version the page showed (open, close)."""


def quota_key(organisation: Any, award_type: Any) -> str:
    return f"q_{organisation.pk}_{award_type.pk if award_type is not None else 'all'}"


class QuotaForm(BootstrapForm):
    """The quota table: one row per organisation (the city and the organisations one level
    below it), one column for all award types together and one per award type of the call. An
    empty cell is no limit."""

    def __init__(self, *args: Any, organisations: list[Any], award_types: list[Any], current: dict, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.organisations = organisations
        self.columns: list[Any] = [None, *award_types]
        self.current = current  # (organisation pk, award type pk or None) -> places
        for org in organisations:
            for award_type in self.columns:
                key = quota_key(org, award_type)
                label = f"{org.name} · {award_type.name if award_type is not None else _('All award types')}"
                self.fields[key] = forms.IntegerField(
                    label=label, required=False, min_value=0, max_value=MAX_PLACES,
                    widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "form-control-sm nx-quota"}),
                )
                self.initial[key] = current.get((org.pk, award_type.pk if award_type is not None else None))

    def rows(self) -> list[tuple[Any, list[tuple[Any, Any]]]]:
        """(organisation, [(column label, bound field), ...]) per row."""
        labels = [_("All award types") if at is None else at.name for at in self.columns]
        return [
            (org, [(label, self[quota_key(org, at)]) for label, at in zip(labels, self.columns, strict=True)])
            for org in self.organisations
        ]

    def changes(self) -> list[tuple[str, Any, Any, int | None]]:
        """(field name, organisation, award type or None, places or None) of every changed cell."""
        result = []
        for org in self.organisations:
            for award_type in self.columns:
                key = quota_key(org, award_type)
                value = self.cleaned_data.get(key)
                before = self.current.get((org.pk, award_type.pk if award_type is not None else None))
                if value != before:
                    result.append((key, org, award_type, value))
        return result
