"""The employment pages' forms: a partner employer, a job lead, an employment case, a referral
and its outcome, the case's status and notes. The services check everything again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from nuanxin.cases.lifecycle import Urgency
from nuanxin.core.forms import BootstrapForm, OrganisationField
from nuanxin.core.versioning import VersionedForm
from nuanxin.labour.choices import EmploymentStatus, ReferralOutcome

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _text(label, *, rows: int = 2, help_text="") -> forms.CharField:
    return forms.CharField(
        label=label, required=False, widget=forms.Textarea(attrs={"rows": rows}), help_text=help_text
    )


class EmployerForm(BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    contact_name = forms.CharField(label=_("Contact person"), required=False, max_length=50)
    contact_mobile = forms.CharField(
        label=_("Contact mobile"), required=False, max_length=40, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    area = forms.CharField(
        label=_("Area"), required=False, max_length=100, help_text=_("The district or street it hires in")
    )


class EmployerCreateForm(EmployerForm):
    organisation = OrganisationField(label=_("Organisation"))

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.order_fields(["organisation"])


class EmployerEditForm(VersionedForm, EmployerForm):
    active = forms.BooleanField(
        label=_("Active (its leads are offered)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class LeadForm(BootstrapForm):
    title = forms.CharField(label=_("Job"), max_length=100)
    area = forms.CharField(label=_("Area"), required=False, max_length=100)
    requirements = _text(_("Requirements"))
    pay = forms.CharField(label=_("Pay"), required=False, max_length=50, help_text=_("e.g. 4000–5000 元/月"))
    openings = forms.IntegerField(label=_("Openings"), min_value=1, max_value=999, initial=1)
    open_until = forms.DateField(label=_("Open until"), required=False, widget=DATE)


class LeadEditForm(VersionedForm, LeadForm):
    pass


class EmploymentCreateForm(BootstrapForm):
    family_member = forms.ChoiceField(label=_("Family member seeking work"), required=False)
    seeker_name = forms.CharField(
        label=_("Or their name"),
        required=False,
        max_length=50,
        help_text=_("When the person is not in the register's family members."),
    )
    skills = _text(_("Skills and experience"), rows=3)
    wishes = _text(_("Work wished for"), help_text=_("e.g. 保洁, 收银, 社区工作"))
    area = forms.CharField(label=_("Area"), required=False, max_length=100, help_text=_("Where they can work."))
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(m.pk): m for m in members}
        self.fields["family_member"].choices = [("", "—")] + [
            (str(m.pk), f"{m.name} ({m.relation})" if m.relation else m.name) for m in members
        ]

    def clean_family_member(self):
        value = self.cleaned_data["family_member"]
        return self.members.get(value) if value else None


class EmploymentEditForm(VersionedForm, BootstrapForm):
    skills = _text(_("Skills and experience"), rows=3)
    wishes = _text(_("Work wished for"))
    area = forms.CharField(label=_("Area"), required=False, max_length=100)


class ReferForm(BootstrapForm):
    lead = forms.ChoiceField(label=_("Job lead"))
    referred_on = forms.DateField(label=_("Referred on"), required=False, widget=DATE)
    notes = _text(_("Notes"))

    def __init__(self, *args, leads, **kwargs):
        super().__init__(*args, **kwargs)
        self.leads = {str(lead.pk): lead for lead in leads}
        self.fields["lead"].choices = [
            (str(lead.pk), f"{lead.title} · {lead.employer.name}" + (f" · {lead.area}" if lead.area else ""))
            for lead in leads
        ]

    def clean_lead(self):
        return self.leads[self.cleaned_data["lead"]]


class OutcomeForm(VersionedForm, BootstrapForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ReferralOutcome.choices)
    outcome_on = forms.DateField(label=_("On"), required=False, widget=DATE)


class StatusForm(VersionedForm, BootstrapForm):
    to = forms.ChoiceField(label=_("New status"), choices=EmploymentStatus.choices)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the case is reopened."),
    )


class NoteForm(BootstrapForm):
    text = forms.CharField(label=_("Note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class CaseFilter(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *list(EmploymentStatus.choices)]
    )
