"""Forms of the mutual-aid scheme's pages. They check shapes; the services decide, and a
refusal lands on the field it names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nuanxin.core.forms import BootstrapForm, OrganisationField
from nuanxin.core.versioning import VersionedForm
from nuanxin.registry.choices import TeamType


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class SchemeFields(BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("E.g. 青岛市职工互助保障."))
    year = forms.IntegerField(label=_("Scheme year"), min_value=2000, max_value=2100)
    cover_from = forms.DateField(label=_("Cover from"), widget=DateInput())
    cover_to = forms.DateField(label=_("Cover to"), widget=DateInput())
    contribution = forms.DecimalField(
        label=_("Contribution per person (yuan)"), min_value=0, max_digits=10, decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    teams = forms.MultipleChoiceField(
        label=_("Eligible frontline teams"), choices=TeamType.choices, initial=[TeamType.HUBEI_AID],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The Hubei aid team by default; add the other frontline teams to extend the scheme to them."),
    )
    description = forms.CharField(label=_("Description"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def service_values(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"name": d["name"], "year": d["year"], "cover_from": d["cover_from"], "cover_to": d["cover_to"],
                "contribution": d["contribution"], "teams": list(d["teams"]), "description": d.get("description") or ""}


class SchemeCreateForm(SchemeFields):
    pass


class SchemeEditForm(VersionedForm, SchemeFields):
    active = forms.BooleanField(label=_("Open for enrolment"), required=False)

    def service_values(self) -> dict[str, Any]:
        return {**super().service_values(), "active": bool(self.cleaned_data.get("active")),
                "version": self.cleaned_data["version"]}


class EnrolForm(BootstrapForm):
    team_name = forms.CharField(
        label=_("Enrolled under the team's name"), max_length=100, required=False,
        help_text=_(
            "E.g. 青岛市第2批援鄂医疗队. A name typed here applies to everyone ticked; left empty, each "
            "person is enrolled under the team name of the batch they were deployed with."
        ),
    )
    workers = forms.MultipleChoiceField(label=_("Workers"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, workers: list[Any], teams: dict[int, str] | None = None, **kwargs: Any) -> None:
        """``teams`` (worker id → their own batch's team name): shown beside each name when the
        workers come from more than one batch."""
        super().__init__(*args, **kwargs)
        field: Any = self.fields["workers"]
        field.choices = [
            (str(w.pk), f"{w.name} · {teams[w.pk]}" if teams and w.pk in teams else w.name) for w in workers
        ]
        self.initial.setdefault("workers", [str(w.pk) for w in workers])


class ImportForm(BootstrapForm):
    organisation = OrganisationField(label=_("For the workers of"))
    file = forms.FileField(
        label=_("The scheme's list (xlsx)"),
        help_text=_(
            "A header row with 姓名 and 身份证号 or 手机号 (单位 and 参保日期 when given); it may start below a title."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["organisation"]
        field.queryset = organisations


class ChargeForm(BootstrapForm):
    fund = forms.ChoiceField(label=_("Fund"))
    on = forms.DateField(label=_("Date"), widget=DateInput())
    payee = forms.CharField(label=_("Paid to"), max_length=100, required=False,
                            help_text=_("Left empty: the scheme's name."))

    def __init__(self, *args: Any, funds: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.funds = {str(f.pk): f for f in funds}
        field: Any = self.fields["fund"]
        field.choices = [(str(f.pk), f"{f.organisation.name} · {f.name}") for f in funds]
