"""Forms of the organisation and user pages. They validate shapes; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nuanxin.core import roles
from nuanxin.core.forms import BootstrapForm, OrganisationField, TreeChoices
from nuanxin.core.roles import GRANTABLE_BY, Role
from nuanxin.core.versioning import VersionedForm
from nuanxin.orgs import scope
from nuanxin.orgs.choices import OrgKind
from nuanxin.orgs.models import Organisation, OrganisationGroup

# The organisation picker of these pages is core's (tables/imports/forms.py still imports
# these two names).
OrgChoiceField = OrganisationField


def base_depth(user) -> int:
    """The depth of the shallowest organisation the user manages (the pickers' indent), from
    the grants already read: no query."""
    paths = scope.scope_paths(user, roles.MANAGERS)
    return min((len(p) // scope.STEPLEN for p in paths), default=1)


class UserFilterForm(BootstrapForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    org = OrganisationField(label=_("Organisation"), queryset=Organisation.objects.none(), required=False,
                         empty_label=_("All organisations"))
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("All roles")), *Role.choices])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = Organisation.objects.for_user(user, "change")
        self.fields["org"].base_depth = base_depth(user)
        self.fields["q"].widget.attrs["placeholder"] = _("Username or name")


class OrganisationCreateForm(BootstrapForm):
    code = forms.CharField(label=_("Code"), max_length=64,
                           help_text=_("A stable identifier without spaces, e.g. QD-SN-01."))
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrgKind.choices, initial=OrgKind.UNIT_UNION)


class OrganisationEditForm(VersionedForm, BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrgKind.choices)


class _OfferedChoices(TreeChoices):
    """The options of a ``MoveTargetField``: its ``offered`` organisations."""

    def __init__(self, field):
        super().__init__(field)
        self.queryset = field.offered


class MoveTargetField(OrganisationField):
    """Offers the organisations outside the moved subtree (``offered``) but accepts any the user
    manages (``queryset``): a parent that became a descendant after the page was opened (a
    move made meanwhile) is then refused with the move's own message, not as an unknown choice."""

    iterator = _OfferedChoices
    offered = Organisation.objects.none()


class OrganisationMoveForm(VersionedForm, BootstrapForm):
    new_parent = MoveTargetField(label=_("New parent organisation"), queryset=Organisation.objects.none())

    def __init__(self, *args, user, org: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org
        field: Any = self.fields["new_parent"]
        managed = Organisation.objects.for_user(user, "change")
        field.offered = managed.exclude(path__startswith=org.path)
        field.queryset = managed  # after ``offered``: this builds the options
        field.base_depth = base_depth(user)

    def clean_new_parent(self):
        new_parent = self.cleaned_data["new_parent"]
        path = Organisation.objects.filter(pk=self.org.pk).values_list("path", flat=True).first() or ""
        if new_parent.path.startswith(path):  # read again: a move made meanwhile changes paths
            raise forms.ValidationError(_("An organisation cannot be moved under itself or its own descendants."))
        return new_parent


class UserCreateForm(BootstrapForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=100, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    mobile = forms.CharField(label=_("Mobile"), max_length=32, required=False)
    organisation = OrganisationField(label=_("Home organisation"), queryset=Organisation.objects.none(),
                                  help_text=_("The first role is granted on this organisation and all under it."))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to generate one; it is shown once."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.for_user(user, "change")
        self.fields["organisation"].base_depth = base_depth(user)
        self.fields["role"].choices = role_choices(user)


class UserEditForm(VersionedForm, BootstrapForm):
    full_name = forms.CharField(label=_("Full name"), max_length=100, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    mobile = forms.CharField(label=_("Mobile"), max_length=32, required=False)


def role_choices(user) -> list[tuple[str, Any]]:
    """The roles ``user`` may grant somewhere (the service checks the organisation)."""
    allowed: set[str] = set()
    for role in scope.roles_of(user):
        allowed |= GRANTABLE_BY.get(role, frozenset())
    return [(value, label) for value, label in Role.choices if value in allowed]


class GrantForm(BootstrapForm):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    organisation = OrganisationField(label=_("On organisation"), queryset=Organisation.objects.none(), required=False,
                                  empty_label="—")
    group = forms.ModelChoiceField(label=_("Or on group"), queryset=OrganisationGroup.objects.none(), required=False,
                                   empty_label="—")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.for_user(user, "change")
        self.fields["organisation"].base_depth = base_depth(user)
        self.fields["role"].choices = role_choices(user)
        if OrganisationGroup.policy.may(user, "manage"):
            self.fields["group"].queryset = OrganisationGroup.objects.all()
        else:
            del self.fields["group"]

    def clean(self):
        data = super().clean()
        if bool(data.get("organisation")) == bool(data.get("group")):
            raise forms.ValidationError(_("Choose one organisation or one group."))
        return data


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses ids no primary key can have before asking the database (SQLite cannot bind an
    integer beyond 64 bits: it was a server error)."""

    def _check_values(self, value):
        for pk in value:
            try:
                ok = 0 < int(str(pk)) < 2**63
            except ValueError:
                ok = False
            if not ok:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


class GroupForm(BootstrapForm):
    code = forms.CharField(label=_("Code"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=200)
    members = BoundedModelMultipleChoiceField(
        label=_("Members"),
        queryset=Organisation.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        members: Any = self.fields["members"]
        members.label_from_instance = lambda o: f"{'　' * (o.depth - 1)}{o.name} ({o.code})"
        if editing:
            del self.fields["code"]
            del self.fields["name"]


class GroupEditForm(VersionedForm, GroupForm):
    """A group's members, from the version the page was opened at (core/versioning.py)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, editing=True, **kwargs)
