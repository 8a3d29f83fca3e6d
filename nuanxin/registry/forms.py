"""Forms of the register pages. They check shapes and give field-level messages; the services
normalise, decide and write (their refusals land on the field they name)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nuanxin.core.forms import BootstrapForm
from nuanxin.core.versioning import VersionedForm
from nuanxin.registry import normalise
from nuanxin.registry.choices import (
    Carrier,
    Gender,
    MaternityStatus,
    PersonnelCategory,
    TeamType,
    WorkerStatus,
)
from nuanxin.registry.filters import offer_units, unit_field


def _phone_field(label, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        **kwargs,
    )


def _clean_phone(value: str) -> str:
    try:
        return normalise.phone(value)
    except normalise.InvalidValue as exc:
        raise forms.ValidationError(exc.message) from None


class WorkerForm(BootstrapForm):
    """Create or edit a worker. ``allow_duplicate`` is offered once the service says the unit
    already has someone of that name."""

    organisation = unit_field(
        label=_("Unit"), empty_label="—", error_messages={"invalid_choice": _("Choose a unit in your scope.")}
    )
    name = forms.CharField(
        label=pgettext_lazy("a person's", "Name"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    gender = forms.ChoiceField(label=_("Gender"), required=False, choices=[("", "—"), *Gender.choices])
    team = forms.ChoiceField(label=_("Frontline team"), choices=[("", "—"), *TeamType.choices])
    category = forms.ChoiceField(
        label=_("Personnel category"), required=False, choices=[("", "—"), *PersonnelCategory.choices]
    )
    post_title = forms.CharField(label=_("Post and title"), required=False, max_length=100)
    mobile = _phone_field(_("Mobile"), help_text=_("e.g. 138 1234 5678"))
    status = forms.ChoiceField(label=_("Status"), choices=WorkerStatus.choices, initial=WorkerStatus.ON_DUTY)
    contact_name_hint = forms.CharField(
        label=_("Union contact (as written)"),
        required=False,
        max_length=50,
        help_text=_("Kept as text until a care contact is assigned."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    allow_duplicate = forms.BooleanField(
        label=_("This is a different person with the same name"), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        offer_units(field, user, "change")
        if not self.initial.get("organisation"):
            unit_unions = [org.code for org in field.queryset.filter(kind="unit_union")[:2]]
            if len(unit_unions) == 1:
                self.initial["organisation"] = unit_unions[0]

    def offer_duplicate_confirmation(self) -> None:
        field = self.fields["allow_duplicate"]
        field.widget = forms.CheckboxInput(attrs={"class": "form-check-input"})

    def clean_mobile(self):
        return _clean_phone(self.cleaned_data["mobile"])


class FamilyMemberForm(BootstrapForm):
    name = forms.CharField(
        label=pgettext_lazy("a person's", "Name"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    relation = forms.CharField(label=_("Relation"), required=False, max_length=20, help_text=_("e.g. 丈夫, 母亲, 女儿"))
    mobile = _phone_field(_("Mobile"))
    address = forms.CharField(label=_("Address"), required=False, max_length=200)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    is_primary = forms.BooleanField(
        label=_("Primary contact of the family"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def clean_mobile(self):
        return _clean_phone(self.cleaned_data["mobile"])


class DeploymentForm(BootstrapForm):
    batch = forms.CharField(label=_("Batch"), required=False, max_length=50, help_text=_("e.g. 第一批"))
    destination = forms.CharField(label=_("Destination"), required=False, max_length=100, initial="湖北省武汉市")
    # A date input takes ISO dates only, whatever the language (zh-hans would render 2020/02/09).
    departed_on = forms.DateField(
        label=_("Departed"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    returned_on = forms.DateField(
        label=_("Returned"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    deployed_mobile = _phone_field(_("Mobile used while deployed"))
    carrier = forms.ChoiceField(
        label=_("Carrier"),
        required=False,
        choices=[("", _("Suggest from the number")), *Carrier.choices],
        help_text=_("Numbers can move between carriers: correct the suggestion when you know better."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_deployed_mobile(self):
        return _clean_phone(self.cleaned_data["deployed_mobile"])

    def clean(self):
        data = super().clean()
        departed, returned = data.get("departed_on"), data.get("returned_on")
        if departed and returned and returned < departed:
            self.add_error("returned_on", _("The return date cannot be before the departure."))
        if not self.errors and not any(data.get(name) for name in self.fields if name != "version"):
            raise forms.ValidationError(_("The deployment is empty: fill in at least one field."))
        return data


class SensitiveForm(BootstrapForm):
    id_number = forms.CharField(label=_("ID-card number"), required=False, max_length=20)
    maternity = forms.ChoiceField(label=_("Pregnancy or lactation"), required=False, choices=MaternityStatus.choices)
    health_notes = forms.CharField(label=_("Health"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    children_under_14 = forms.IntegerField(label=_("Children under 14"), required=False, min_value=0, max_value=20)

    def clean_id_number(self):
        try:
            return normalise.id_number(self.cleaned_data["id_number"])
        except normalise.InvalidValue as exc:
            raise forms.ValidationError(exc.message) from None


# Edit pages carry the version they were opened at (core/versioning.py): a save from an older
# version is refused with who changed the record and when, and the user's input is kept.


class WorkerEditForm(VersionedForm, WorkerForm):
    pass


class FamilyMemberEditForm(VersionedForm, FamilyMemberForm):
    pass


class DeploymentEditForm(VersionedForm, DeploymentForm):
    pass


class SensitiveEditForm(VersionedForm, SensitiveForm):
    pass
