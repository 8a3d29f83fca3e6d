"""The legal pages' forms: a lawyer, a legal-aid case, its lawyer, status, notes, details and
documents. The services check everything again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nuanxin.cases.lifecycle import Urgency
from nuanxin.core.forms import BootstrapForm, OrganisationField
from nuanxin.core.versioning import VersionedForm
from nuanxin.labour.choices import Claimant, DisputeKind, LegalOutcome, LegalStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CHECK = {"class": "form-check-input"}


class LawyerForm(BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=50)
    firm = forms.CharField(label=_("Law firm"), required=False, max_length=100)
    mobile = forms.CharField(
        label=_("Mobile"), required=False, max_length=40, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    specialties = forms.MultipleChoiceField(
        label=_("Specialties"),
        required=False,
        choices=DisputeKind.choices,
        widget=forms.CheckboxSelectMultiple(attrs=CHECK),
    )
    capacity = forms.IntegerField(
        label=_("Open cases at most"),
        min_value=1,
        max_value=99,
        initial=5,
        help_text=_("A lawyer with this many open cases is not given another one."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class LawyerCreateForm(LawyerForm):
    organisation = OrganisationField(label=_("Lawyer team of"))

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["organisation"]
        field.queryset = organisations
        self.order_fields(["organisation"])


class LawyerEditForm(VersionedForm, LawyerForm):
    active = forms.BooleanField(
        label=_("Active (offered for new cases)"), required=False, widget=forms.CheckboxInput(attrs=CHECK)
    )


def _lawyer_choices(lawyers: list[Any]) -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = [("", _("No lawyer yet"))]
    for lw in lawyers:
        full = lw.load >= lw.capacity
        label = f"{lw.name} · {lw.organisation.name} · {lw.load}/{lw.capacity}"
        if getattr(lw, "matches", False):
            label += " ★"
        if full:
            label += " " + str(_("(full)"))
        rows.append((str(lw.pk), label))
    return rows


class LawyerChoiceMixin:
    """A ``lawyer`` field offering ``lawyers`` (services.lawyers.candidates): name, team,
    load/capacity, ★ for a matching specialty."""

    fields: dict[str, Any]
    cleaned_data: dict[str, Any]

    def _set_lawyers(self, lawyers: list[Any]) -> None:
        self.lawyers = {str(lw.pk): lw for lw in lawyers}
        field: Any = self.fields["lawyer"]
        field.choices = _lawyer_choices(lawyers)

    def clean_lawyer(self) -> Any:
        value = self.cleaned_data.get("lawyer")
        return self.lawyers.get(value) if value else None


class LegalCreateForm(LawyerChoiceMixin, BootstrapForm):
    claimant = forms.ChoiceField(
        label=_("Whose dispute"),
        choices=Claimant.choices,
        initial=Claimant.WORKER,
        widget=forms.RadioSelect(attrs=CHECK),
    )
    family_member = forms.ChoiceField(label=_("Family member"), required=False)
    kind = forms.ChoiceField(label=_("Kind of dispute"), choices=[("", "—"), *DisputeKind.choices])
    other_party = forms.CharField(
        label=_("Other party"), max_length=100, help_text=_("Usually the employer: its full name.")
    )
    facts = forms.CharField(label=_("Facts"), widget=forms.Textarea(attrs={"rows": 4}))
    infringed_on = forms.DateField(
        label=_("Right infringed on"),
        widget=DATE,
        help_text=_(
            "The day the person knew or should have known that their right was infringed: "
            "arbitration must be applied for within one year of it."
        ),
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    lawyer = forms.ChoiceField(label=_("Lawyer"), required=False)

    def __init__(self, *args: Any, members: list[Any], lawyers: list[Any] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = {str(m.pk): m for m in members}
        members_field: Any = self.fields["family_member"]
        members_field.choices = [("", "—")] + [
            (str(m.pk), f"{m.name} ({m.relation})" if m.relation else m.name) for m in members
        ]
        if lawyers is None:  # a care contact refers the case: the officers give it a lawyer
            del self.fields["lawyer"]
            self.lawyers = {}
        else:
            self._set_lawyers(lawyers)

    def clean_family_member(self) -> Any:
        value = self.cleaned_data["family_member"]
        return self.members.get(value) if value else None


class LegalEditForm(VersionedForm, BootstrapForm):
    kind = forms.ChoiceField(label=_("Kind of dispute"), choices=DisputeKind.choices)
    other_party = forms.CharField(label=_("Other party"), max_length=100)
    facts = forms.CharField(label=_("Facts"), widget=forms.Textarea(attrs={"rows": 4}))
    infringed_on = forms.DateField(label=_("Right infringed on"), widget=DATE)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)


class LawyerAssignForm(LawyerChoiceMixin, VersionedForm, BootstrapForm):
    lawyer = forms.ChoiceField(label=_("Lawyer"), required=False)

    def __init__(self, *args: Any, lawyers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_lawyers(lawyers)


class TransitionForm(VersionedForm, BootstrapForm):
    to = forms.ChoiceField(label=_("New step"), choices=LegalStatus.choices)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when a closed case is reopened."),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome (when closing)"), required=False, choices=[("", "—"), *LegalOutcome.choices]
    )
    amount_recovered = forms.CharField(
        label=_("Amount recovered, yuan (when closing)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("0 if nothing was recovered."),
    )


class NoteForm(BootstrapForm):
    text = forms.CharField(label=_("Note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class OwnerForm(VersionedForm, BootstrapForm):
    owner = forms.ChoiceField(label=_("Owner"))

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {str(u.pk): u for u in candidates}
        field: Any = self.fields["owner"]
        field.choices = [(str(u.pk), u.display_name) for u in candidates]

    def clean_owner(self) -> Any:
        return self.candidates[self.cleaned_data["owner"]]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.webp,application/pdf,image/*"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class DocumentsForm(BootstrapForm):
    documents = MultipleFileField(
        label=_("Documents"),
        help_text=_("PDF or photos (JPEG, PNG, WebP), at most 20 MB each, 10 at once."),
    )


class LegalFilter(BootstrapForm):
    status = forms.ChoiceField(label=_("Step"), required=False, choices=[("", _("Any step")), *LegalStatus.choices])
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any kind")), *DisputeKind.choices])
    near_limit = forms.BooleanField(
        label=_("Time limit near or passed"), required=False, widget=forms.CheckboxInput(attrs=CHECK)
    )

    def values(self) -> dict[str, Any]:
        return self.cleaned_data if self.is_valid() else {}
