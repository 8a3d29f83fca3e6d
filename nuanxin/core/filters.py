"""The audit log's filter: one class serving the page and the export."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nuanxin.core import auditlabels, treelabels
from nuanxin.core.models import AuditLog, AuditOutcome
from nuanxin.core.policy import Policy


def audited_organisations(user):
    """The organisations whose audit rows ``user`` may read: those the grants of the roles of
    ``AuditLog.policy``'s "view" cover (core names no organisation model: it is the model the
    audit row's ``organisation`` points to)."""
    organisation_model = AuditLog._meta.get_field("organisation").related_model
    audited = Policy(path="path", actions={"view": AuditLog.policy.roles("view")})
    return audited.for_user(organisation_model.objects.all(), user, "view")


class _ShownTree(ModelChoiceIterator):
    """The options indented under the organisations offered (core/treelabels.py), from the
    one query that lists them."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for org, label in treelabels.labelled(self.queryset):
            yield (self.choice(org)[0], label)


class OrganisationChoiceField(forms.ModelChoiceField):
    iterator = _ShownTree


class AuditLogFilter(forms.Form):
    """Filters the audit rows the user may read (``AuditLog.objects.for_user``). Dates are
    whole days in the site's time zone, both ends included."""

    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    actor = forms.CharField(label=_("Acting user"), required=False, max_length=150,
                            help_text=_("Username, exactly."))
    action = forms.CharField(label=_("Action"), required=False, max_length=64,
                             widget=forms.TextInput(attrs={"list": "nx-audit-actions", "autocomplete": "off"}),
                             help_text=_("Part of the action's name or code, e.g. “mobile number” or “worker.”."))
    organisation = OrganisationChoiceField(label=_("Organisation (and everything under it)"), required=False,
                                           queryset=None, to_field_name="code", empty_label=_("All"))
    outcome = forms.ChoiceField(label=_("Outcome"), required=False,
                                choices=[("", _("All")), *AuditOutcome.choices])
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=64,
                                  help_text=_("e.g. registry.worker"))
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)

    def __init__(self, data, *, user):
        super().__init__(data)
        self.user = user
        self.fields["organisation"].queryset = audited_organisations(user).order_by("path")
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return cleaned

    @property
    def action_choices(self) -> list[tuple[str, str]]:
        """The labelled actions (code, label) the action field offers."""
        return auditlabels.action_choices()

    @property
    def active(self) -> bool:
        """Whether any filter is set (the form is bound even when empty)."""
        return any(str(self.data.get(name, "")).strip() for name in self.fields)

    def filters(self) -> dict[str, str]:
        """The filters in force, as the user typed them (for the export's audit row)."""
        if not self.is_valid():
            return {}
        return {name: str(self.data.get(name)).strip() for name in self.fields if str(self.data.get(name, "")).strip()}

    @property
    def qs(self):
        """The matching rows, newest first, with what the page and export show joined in.
        An invalid filter matches nothing (the page shows the field errors)."""
        rows = AuditLog.objects.for_user(self.user).select_related("organisation")
        if not self.is_valid():
            return rows.none()
        data = self.cleaned_data
        if data["since"]:
            rows = rows.filter(at__gte=_start_of(data["since"]))
        if data["until"]:
            rows = rows.filter(at__lt=_start_of(data["until"] + timedelta(days=1)))
        if data["actor"]:
            rows = rows.filter(actor_name__iexact=data["actor"].strip())
        if data["action"]:
            # the code's beginning (``worker.``), or any action whose code or label holds the text
            text = data["action"].strip()
            rows = rows.filter(Q(action__startswith=text) | Q(action__in=auditlabels.matching_actions(text)))
        if data["organisation"]:
            rows = rows.filter(organisation__path__startswith=data["organisation"].path)
        if data["outcome"]:
            rows = rows.filter(outcome=data["outcome"])
        if data["object_type"]:
            rows = rows.filter(object_type=data["object_type"].strip())
        if data["object_id"]:
            rows = rows.filter(object_id=data["object_id"].strip())
        return rows.order_by("-at", "-id")


def _start_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
