"""Forms of the care pages. They check shapes and give field-level errors; the services
decide (a refusal lands on the field it names, see ``add_service_error`` /
``add_formset_error``)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nuanxin.care.choices import (
    Cadence,
    DifficultyCategory,
    DifficultyStatus,
    Urgency,
    VisitMode,
)
from nuanxin.care.services import ITEM_NUMBER_MAX, too_large_message
from nuanxin.core.errors import ServiceError
from nuanxin.core.forms import BootstrapForm, OrganisationField
from nuanxin.core.pages import add_service_error
from nuanxin.core.versioning import VersionedForm
from nuanxin.registry.choices import TeamType


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


# --- visits ---------------------------------------------------------------------------------


class VisitForm(BootstrapForm):
    """One visit: quick on a phone (date defaults to today, the mode is one tap)."""

    on = forms.DateField(label=_("Date"), widget=DateInput())
    mode = forms.ChoiceField(
        label=_("Mode"), choices=VisitMode.choices, widget=forms.RadioSelect, initial=VisitMode.HOME
    )
    visitors = forms.CharField(label=_("Visitors"), required=False, max_length=200)
    state_of_mind = forms.CharField(
        label=_("State of mind"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    opinions = forms.CharField(
        label=_("Opinions heard"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    notes = forms.CharField(label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate().isoformat()
        self.fields["on"].widget.attrs["max"] = today
        self.fields["visitors"].widget.attrs["placeholder"] = _("Who visited, e.g. 张联络、王市南")

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {k: data[k] for k in ("on", "mode", "visitors", "state_of_mind", "opinions", "notes")}

    def add_error(self, field, error):
        # The version is hidden: its problems (a version the visit never had) show above the form.
        super().add_error(None if field == "version" else field, error)


class ItemForm(BootstrapForm):
    """A row of necessities delivered: item, quantity, unit and value in yuan."""

    item = forms.CharField(label=_("Item"), required=False, max_length=100)
    quantity = forms.DecimalField(
        label=_("Quantity"), required=False, min_value=0, max_value=ITEM_NUMBER_MAX, decimal_places=2
    )
    unit = forms.CharField(label=_("Unit"), required=False, max_length=20)
    value = forms.DecimalField(
        label=_("Value (yuan)"), required=False, min_value=0, max_value=ITEM_NUMBER_MAX, decimal_places=2
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].widget.attrs["placeholder"] = _("e.g. rice, vegetables")
        for name in ("quantity", "value"):
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "step": "0.01"})
            # The real bound, not Django's "no more than 10 digits" nor a sign rule: 1e308 and
            # 99999999999999999999 are too large, -1 is negative, "abc" or "inf" not a number.
            self.fields[name].error_messages.update(
                {
                    "invalid": _("Enter a number."),
                    "min_value": _("Enter a number that is not negative."),
                    "max_value": too_large_message(),
                }
            )
        self.fields["quantity"].widget.attrs["placeholder"] = "1"
        self.fields["unit"].widget.attrs["placeholder"] = _("e.g. kg")

    def clean(self):
        data = super().clean()
        if not data.get("item") and any(data.get(k) not in (None, "") for k in ("quantity", "unit", "value")):
            self.add_error("item", _("Name the item delivered."))
        return data


class NewDifficultyForm(BootstrapForm):
    """A difficulty raised during the visit (blank rows are ignored)."""

    description = forms.CharField(
        label=_("Difficulty"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=DifficultyCategory.choices, initial=DifficultyCategory.LIFE
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)

    def has_changed(self):
        # Only a description makes a row: category and urgency always have a value.
        return bool((self["description"].value() or "").strip())


class BaseRowFormSet(forms.BaseFormSet):
    """Rows the user may leave blank (or tick to remove): ``filled_forms()`` are the rows
    whose ``key_field`` is filled, ``rows()`` their values."""

    key_field = ""

    def filled_forms(self) -> list:
        return [
            f
            for f in self.forms
            if getattr(f, "cleaned_data", None)
            and not (self.can_delete and self._should_delete_form(f))  # type: ignore[attr-defined]  # Django's, not in django-stubs
            and (f.cleaned_data.get(self.key_field) or "").strip()
        ]

    def rows(self) -> list[dict]:
        return [f.cleaned_data for f in self.filled_forms()]


class ItemRows(BaseRowFormSet):
    key_field = "item"


class DifficultyRows(BaseRowFormSet):
    key_field = "description"


ItemFormSet = forms.formset_factory(ItemForm, formset=ItemRows, extra=1, max_num=50, absolute_max=50, can_delete=True)
DifficultyFormSet = forms.formset_factory(
    NewDifficultyForm, formset=DifficultyRows, extra=1, max_num=10, absolute_max=10
)


def item_rows(formset) -> list[dict]:
    """The filled item rows in the service's shape (strings, as a form would post them)."""
    result = []
    for row in formset.rows():
        result.append(
            {
                "item": row["item"],
                "quantity": "" if row.get("quantity") is None else str(row["quantity"]),
                "unit": row.get("unit") or "",
                "value": "" if row.get("value") is None else str(row["value"]),
            }
        )
    return result


def add_formset_error(form, formsets: dict, exc: ServiceError) -> None:
    """A service refusal on ``items.2.value`` lands on that row's field; others on the form."""
    field = exc.field or ""
    prefix, _dot, rest = field.partition(".")
    if prefix in formsets and rest:
        index, _dot, name = rest.partition(".")
        filled = formsets[prefix].filled_forms()
        if index.isdigit() and int(index) < len(filled) and name in filled[int(index)].fields:
            filled[int(index)].add_error(name, exc.message)
            return
    add_service_error(form, exc)


# --- duties ---------------------------------------------------------------------------------


class ExcuseForm(BootstrapForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("e.g. the family asked not to be visited this week"),
    )


# --- difficulties ---------------------------------------------------------------------------


class DifficultyFilter(BootstrapForm):
    """The filters of the difficulty list."""

    STATUS_CHOICES = [("active", _("Open or in progress")), ("", _("All statuses")), *DifficultyStatus.choices]

    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories")), *DifficultyCategory.choices]
    )
    urgency = forms.ChoiceField(label=_("Urgency"), required=False, choices=[("", _("Any urgency")), *Urgency.choices])
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    # the one organisation picker (core/forms.py), by code as the report pages' links carry it
    org = OrganisationField(
        label=_("Organisation"),
        required=False,
        with_code=False,
        to_field_name="code",
        empty_label=_("All organisations"),
    )

    def __init__(self, data=None, *, organisations, **kwargs):
        if data is not None and "status" not in data:
            data = data.copy()
            data["status"] = "active"
        super().__init__(data, **kwargs)
        self.fields["org"].queryset = organisations
        self.fields["overdue"].widget.attrs["class"] = "form-check-input"

    def values(self) -> dict:
        """The valid filters (a bad one is shown, not applied)."""
        if not self.is_bound:
            return {"status": "active"}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v}


class DifficultyCreateForm(BootstrapForm):
    description = forms.CharField(label=_("Difficulty"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    category = forms.ChoiceField(
        label=_("Category"), choices=DifficultyCategory.choices, initial=DifficultyCategory.LIFE
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)


class TransitionForm(VersionedForm, BootstrapForm):
    to = forms.ChoiceField(label=_("New status"), choices=DifficultyStatus.choices)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when a difficulty is reopened."),
    )


class NoteForm(BootstrapForm):
    text = forms.CharField(label=_("Note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class OwnerForm(VersionedForm, BootstrapForm):
    owner = forms.ChoiceField(label=_("Owner"))

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {str(u.pk): u for u in candidates}
        self.fields["owner"].choices = [(str(u.pk), u.display_name) for u in candidates]

    def clean_owner(self):
        return self.candidates[self.cleaned_data["owner"]]


# --- assignments ----------------------------------------------------------------------------


class AssignForm(forms.Form):
    """The bulk action of the assignment page: the checked families, and a care contact
    (assign or reassign), no one (end the assignments) or the suggestions."""

    ACTIONS = [
        ("assign", _("Assign")),
        ("unassign", _("Remove the care contact")),
        ("suggest", _("Assign the suggestions")),
    ]

    action = forms.ChoiceField(choices=ACTIONS)
    workers = forms.TypedMultipleChoiceField(coerce=int, error_messages={"required": _("Choose at least one family.")})
    contact = forms.ChoiceField(label=_("Care contact"), required=False)
    campaign = forms.IntegerField(widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, worker_ids, contacts, **kwargs):
        super().__init__(*args, **kwargs)
        self.contacts = {str(u.pk): u for u in contacts}
        self.fields["workers"].choices = [(i, i) for i in worker_ids]
        self.fields["contact"].choices = [("", "—"), *[(str(u.pk), u.display_name) for u in contacts]]

    def clean(self):
        data = super().clean()
        if data.get("action") == "assign" and not data.get("contact"):
            self.add_error("contact", _("Choose the care contact."))
        return data

    @property
    def contact_user(self):
        return self.contacts.get(self.cleaned_data.get("contact") or "")


# --- campaigns ------------------------------------------------------------------------------


class CadenceFields(BootstrapForm):
    """One select per frontline team: how often its families are visited."""

    def __init__(self, *args, campaign=None, **kwargs):
        super().__init__(*args, **kwargs)
        for team in TeamType:
            name = f"cadence_{team.value}"
            self.fields[name] = forms.ChoiceField(label=team.label, choices=Cadence.choices)
            self.fields[name].widget.attrs["class"] = "form-select"
            if campaign is not None:
                self.initial.setdefault(name, campaign.cadence_for(team.value))
            else:
                self.initial.setdefault(name, Cadence.WEEKLY if team == TeamType.HUBEI_AID else Cadence.NONE)

    def cadence(self) -> dict:
        return {team.value: self.cleaned_data[f"cadence_{team.value}"] for team in TeamType}

    def cadence_fields(self):
        return [self[f"cadence_{team.value}"] for team in TeamType]


class CampaignCreateForm(CadenceFields):
    name = forms.CharField(label=_("Name"), max_length=200)
    starts_on = forms.DateField(label=_("Start"), widget=DateInput())

    field_order = ["name", "starts_on"]


class CampaignEditForm(VersionedForm, CadenceFields):
    pass


class DeclareEndForm(VersionedForm, BootstrapForm):
    on = forms.DateField(
        label=_("Epidemic declared over on"),
        required=False,
        widget=DateInput(),
        help_text=_("The week of this date is the last with visits. Leave it empty to withdraw a declaration."),
    )
    confirm = forms.BooleanField(label=_("I understand that no visit duties open after that week."), required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm"].widget.attrs["class"] = "form-check-input"
