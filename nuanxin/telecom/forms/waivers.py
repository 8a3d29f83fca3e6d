"""Forms of the fee-waiver pages. They check shapes; the services decide, and a refusal lands
on the field it names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nuanxin.core.forms import BootstrapForm, OrganisationField
from nuanxin.core.versioning import VersionedForm
from nuanxin.orgs import scope
from nuanxin.orgs.models import Organisation
from nuanxin.telecom.models import Waiver
from nuanxin.telecom.selectors.waivers import list_label
from nuanxin.telecom.services import transitions
from nuanxin.telecom.services.common import LISTS


def organisations(user: Any) -> Any:
    """The organisations whose lists ``user`` may manage (their scope's subtrees)."""
    q = scope.scope_q(user, Waiver.policy.roles("manage"), "path")
    if q is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(q).order_by("path")


def _carriers() -> list[tuple[str, Any]]:
    return [(name, list_label(name)) for name in LISTS]


class _Scoped(BootstrapForm):
    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        orgs = organisations(user)
        field: Any = self.fields["organisation"]
        field.queryset = orgs
        if "organisation" not in self.initial:
            first = orgs.order_by("depth", "path").first()
            if first is not None:
                self.initial["organisation"] = first.pk


class SendForm(_Scoped):
    carrier = forms.ChoiceField(label=_("Carrier"), choices=_carriers)
    organisation = OrganisationField(label=_("The lists of"), help_text=_(
        "Every listed number of the carrier in this organisation and the units under it."))


class ReplyForm(_Scoped):
    carrier = forms.ChoiceField(label=_("Carrier"), choices=_carriers)
    organisation = OrganisationField(label=_("The lists of"))
    file = forms.FileField(label=_("The carrier's reply (xlsx)"), help_text=_(
        "Any layout: the numbers are found by their column. Each number on the carrier's list is confirmed."))
    no_cutoff = forms.BooleanField(label=_("The reply also confirms “no cut-off” (免停机)"), required=False)


class SyncForm(BootstrapForm):
    pass


class TransitionForm(VersionedForm, BootstrapForm):
    transition = forms.ChoiceField(choices=[(t, t) for t in transitions.TRANSITIONS], widget=forms.HiddenInput)
    choice = forms.ChoiceField(
        label=_("Carrier"), required=False, widget=forms.RadioSelect,
        choices=[(transitions.KEEP_STATED, _("Keep the stated carrier")),
                 (transitions.TAKE_SEGMENT, _("Take the carrier of the number segment"))],
    )


class ConfirmManyForm(BootstrapForm):
    lines = forms.TypedMultipleChoiceField(coerce=int, choices=[], required=True,
                                           error_messages={"required": _("Choose at least one number to confirm.")})

    def __init__(self, *args: Any, offered: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["lines"]
        field.choices = [(pk, str(pk)) for pk in offered]
