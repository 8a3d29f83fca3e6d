"""The one filter of the register, used by the list page, the API and the export page:
organisation subtree (by code), frontline team, personnel category, status and a search."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from nuanxin.orgs.forms import BootstrapForm
from nuanxin.registry import selectors
from nuanxin.registry.choices import PersonnelCategory, TeamType, WorkerStatus

INDENT = "\u3000"


def org_choices(orgs, *, empty_label=None) -> list[tuple[str, str]]:
    """(code, indented name) for a select of organisations in tree order."""
    orgs = list(orgs)
    base = min((o.depth for o in orgs), default=1)
    choices = [("", empty_label)] if empty_label is not None else []
    return choices + [(o.code, f"{INDENT * (o.depth - base)}{o.name}") for o in orgs]


class WorkerFilter(BootstrapForm):
    """Narrow the visible workers. Without a status, workers removed from the register are
    left out; choose that status to see them."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=50,
        help_text=_("Name, pinyin (zhangsan), initials (zs) or the last four digits of the mobile"),
    )
    org = forms.ChoiceField(label=_("Organisation"), required=False)
    team = forms.ChoiceField(
        label=_("Frontline team"), required=False, choices=[("", _("All teams")), *TeamType.choices]
    )
    category = forms.ChoiceField(
        label=_("Personnel category"), required=False, choices=[("", _("All categories")), *PersonnelCategory.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All in the register")), *WorkerStatus.choices]
    )

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        self.organisations = {o.code: o for o in selectors.register_organisations(user)}
        self.fields["org"].choices = org_choices(self.organisations.values(), empty_label=_("All organisations"))
        self.fields["q"].widget.attrs.update({"placeholder": "张三 / zhangsan / zs / 5678", "type": "search"})

    def filter_queryset(self, qs: QuerySet) -> QuerySet:
        """Apply the valid filters to ``qs`` (already scoped to the user)."""
        data = {}
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data  # the valid fields only: a bad one is shown, not applied
        org = self.organisations.get(data.get("org") or "")
        if org is not None:
            qs = qs.filter(organisation__path__startswith=org.path)
        for field in ("team", "category"):
            if data.get(field):
                qs = qs.filter(**{field: data[field]})
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        else:
            qs = qs.exclude(status=WorkerStatus.ARCHIVED)
        return selectors.search_workers(qs, data.get("q") or "")
