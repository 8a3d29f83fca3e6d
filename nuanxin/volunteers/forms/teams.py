"""Forms of the teams pages. They check shapes; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nuanxin.accounts.models import User
from nuanxin.core import roles
from nuanxin.core.forms import BootstrapForm, OrganisationField
from nuanxin.core.versioning import VersionedForm
from nuanxin.orgs import scope
from nuanxin.orgs.models import Organisation
from nuanxin.registry.models import Worker
from nuanxin.volunteers.models import Team


def organisations(user: Any) -> Any:
    """The organisations where ``user`` may open a team."""
    q = scope.scope_q(user, Team.policy.roles("manage"), "path")
    return Organisation.objects.none() if q is None else Organisation.objects.filter(q).order_by("path")


def leaders(organisation: Organisation) -> Any:
    """The active users holding the team leader role on ``organisation`` or above."""
    paths = scope.ancestor_paths(organisation.path)
    return (
        User.objects.filter(is_active=True, grants__role=roles.Role.TEAM_LEADER, grants__organisation__path__in=paths)
        .distinct()
        .order_by("username")
    )


class LeaderField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name() or obj.username} ({obj.username})"


class TeamForm(BootstrapForm):
    organisation = OrganisationField(label=_("Organisation"))
    name = forms.CharField(label=_("Team name"), max_length=100)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        orgs = organisations(user)
        field: Any = self.fields["organisation"]
        field.queryset = orgs
        first = orgs.order_by("depth", "path").first()
        if first is not None and "organisation" not in self.initial:
            self.initial["organisation"] = first.pk


class TeamEditForm(VersionedForm, BootstrapForm):
    name = forms.CharField(label=_("Team name"), max_length=100)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    leader = LeaderField(label=_("Team leader"), queryset=User.objects.none(), required=False)
    active = forms.BooleanField(label=_("Team active"), required=False)

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["leader"]
        field.queryset = leaders(team.organisation)
        field.help_text = _("A user holding the team leader role on the team's organisation.")


class VolunteerForm(BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=50)
    mobile = forms.CharField(label=_("Mobile"), max_length=30)
    skills = forms.CharField(label=_("Skills"), required=False, max_length=200)
    availability = forms.CharField(label=_("Availability"), required=False, max_length=200)
    consent_to_contact = forms.BooleanField(label=_("Agrees to be contacted"), required=False)


class VolunteerEditForm(VersionedForm, VolunteerForm):
    mobile = forms.CharField(
        label=_("Mobile"), max_length=30, required=False, help_text=_("Leave empty to keep the current number.")
    )
    worker = forms.ModelChoiceField(label=_("Registered worker"), queryset=Worker.objects.none(), required=False)
    user = LeaderField(label=_("User account"), queryset=User.objects.none(), required=False)
    active = forms.BooleanField(label=_("Active volunteer"), required=False)

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        path = team.organisation.path
        worker: Any = self.fields["worker"]
        worker.queryset = Worker.objects.filter(organisation__path__startswith=path).order_by("name", "id")
        worker.widget = forms.NumberInput(attrs={"class": "form-control"})
        worker.help_text = _("The register number (id) of the worker, if the volunteer is one.")
        user: Any = self.fields["user"]
        user.queryset = (
            User.objects.filter(is_active=True, grants__organisation__path__in=[*scope.ancestor_paths(path)])
            .distinct()
            .order_by("username")
        )
