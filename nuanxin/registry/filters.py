"""The one filter of the register, used by the list page, the API and the export page:
organisation subtree (by code), frontline team, personnel category, status and a search."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from nuanxin.core.forms import BootstrapForm, OrganisationField
from nuanxin.registry import selectors
from nuanxin.registry.choices import PersonnelCategory, TeamType, WorkerStatus


def unit_field(**kwargs) -> OrganisationField:
    """The register's organisation picker (the one of core/forms.py): an organisation is named
    by its code in the form's data and labelled by its name. ``offer_units`` fills it."""
    return OrganisationField(None, to_field_name="code", with_code=False, **kwargs)


def offer_units(field: OrganisationField, user, action: str = "view") -> None:
    """Offer in ``field`` the organisations whose register ``user`` may see (``"view"``) or
    change (``"change"``), in tree order."""
    field.queryset = selectors.register_organisations(user, action)
    field.base_depth = selectors.shallowest_depth(user, action)


class WorkerFilter(BootstrapForm):
    """Narrow the visible workers. Without a status, workers removed from the register are
    left out; choose that status to see them."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=50,
        help_text=_("Name, pinyin (zhangsan), initials (zs) or the last four digits of the mobile"),
    )
    org = unit_field(label=_("Organisation"), required=False, empty_label=_("All organisations"))
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
        offer_units(self.fields["org"], user)
        self.fields["q"].widget.attrs.update({"placeholder": "张三 / zhangsan / zs / 5678", "type": "search"})

    def filter_queryset(self, qs: QuerySet) -> QuerySet:
        """Apply the valid filters to ``qs`` (already scoped to the user)."""
        data = {}
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data  # the valid fields only: a bad one is shown, not applied
        org = data.get("org")
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
