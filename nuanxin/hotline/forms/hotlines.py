"""Forms of the hotline pages: a hotline's details, a line, a member. They check shapes; the
services (``services/hotlines.py``) decide, and a refusal lands on the field it names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nuanxin.core import textlimits
from nuanxin.core.forms import BootstrapForm, OrganisationField
from nuanxin.core.versioning import VersionedForm
from nuanxin.hotline.choices import Channel, MemberKind


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


class HotlineFields(BootstrapForm):
    """What a hotline has: its name, online channel, opening hours and minimum seats."""

    name = forms.CharField(label=_("Name"), max_length=100)
    online_channel = forms.CharField(
        label=_("Online channel"),
        required=False,
        max_length=200,
        help_text=_("A web address or an account name where people reach the counsellors online."),
    )
    always_open = forms.BooleanField(label=_("Open round the clock"), required=False, initial=True)
    opens_at = forms.TimeField(label=_("Opens at"), required=False, widget=TimeInput())
    closes_at = forms.TimeField(
        label=_("Closes at"),
        required=False,
        widget=TimeInput(),
        help_text=_("Only when not open round the clock; a closing time before the opening time is the next day."),
    )
    min_seats = forms.IntegerField(
        label=_("Minimum seats per shift"),
        min_value=1,
        max_value=50,
        initial=2,
        help_text=_("The national guidance asks for at least two counsellors on duty per line."),
    )

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "online_channel": data.get("online_channel") or "",
            "always_open": bool(data.get("always_open")),
            "opens_at": data.get("opens_at"),
            "closes_at": data.get("closes_at"),
            "min_seats": data["min_seats"],
        }


class HotlineCreateForm(HotlineFields):
    """A new hotline: which organisation runs it (one the user administers) comes first."""

    organisation = OrganisationField(label=_("Run by"))
    field_order = ["organisation", "name", "online_channel", "always_open", "opens_at", "closes_at", "min_seats"]

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["organisation"]
        field.queryset = organisations

    def service_values(self) -> dict[str, Any]:
        return {"organisation": self.cleaned_data["organisation"], **super().service_values()}


class HotlineEditForm(VersionedForm, HotlineFields):
    """A hotline's details (the organisation stays) and whether its public self-assessment page
    is open."""

    self_assessment_open = forms.BooleanField(
        label=_("Public self-assessment open"),
        required=False,
        help_text=_("When closed, the public link shows the hotline's numbers but takes no self-assessment."),
    )

    def service_values(self) -> dict[str, Any]:
        return {
            **super().service_values(),
            "self_assessment_open": bool(self.cleaned_data.get("self_assessment_open")),
            "version": self.cleaned_data["version"],
        }


class LineForm(BootstrapForm):
    """A line: a label, a number (none for an online channel), its channel and place."""

    label = forms.CharField(label=_("Label"), max_length=60, help_text=_("E.g. 心理援助热线."))
    number = forms.CharField(label=_("Number"), max_length=40, required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=999, initial=0)

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"label": data["label"], "number": data.get("number") or "", "channel": data["channel"],
                "order": data["order"]}


class LineEditForm(VersionedForm, LineForm):
    def service_values(self) -> dict[str, Any]:
        return {**super().service_values(), "version": self.cleaned_data["version"]}


class MemberForm(BootstrapForm):
    """Who joins the hotline as ``kind``: the people offered are those holding that role on
    the hotline's organisation (``selectors.hotlines.candidates``); the page chooses the kind
    (one tab each), the form carries it."""

    kind = forms.ChoiceField(choices=MemberKind.choices, widget=forms.HiddenInput)
    user: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Person"), queryset=None, empty_label=_("Choose a person")
    )

    def __init__(self, *args: Any, candidates: dict[str, list[Any]], kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from nuanxin.accounts.models import User

        self.candidates = candidates
        self.initial.setdefault("kind", kind)
        field: Any = self.fields["user"]
        field.queryset = User.objects.filter(pk__in=[u.pk for u in candidates.get(kind, [])])
        field.label_from_instance = lambda u: f"{u.full_name or u.username}{textlimits.in_brackets(u.username)}"
        posted = self.data.get("kind")
        role = MemberKind(posted if isinstance(posted, str) and posted in MemberKind.values else kind).label
        field.error_messages["invalid_choice"] = _(
            "This person does not hold the role “%(role)s” for the hotline's organisation: grant it first on the "
            "accounts page."
        ) % {"role": role}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, user = data.get("kind"), data.get("user")
        if kind and user and all(u.pk != user.pk for u in self.candidates.get(kind, [])):
            self.add_error(
                "user",
                _("%(user)s does not hold the role “%(role)s” here.")
                % {"user": user.full_name or user.username, "role": MemberKind(kind).label},
            )
        return data
