"""Forms of the catalogue pages (suppliers, pickup points, offers and their items). They check
shapes; the services decide, and a refusal lands on the field it names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nuanxin.core.forms import BootstrapForm, OrganisationField
from nuanxin.orgs import scope
from nuanxin.orgs.models import Organisation
from nuanxin.produce.choices import DEFAULT_CAP
from nuanxin.produce.models import PickupPoint, Supplier


def organisations(user: Any, model: Any) -> Any:
    """The organisations where ``user`` may keep ``model``'s rows (``change``)."""
    q = scope.scope_q(user, model.policy.roles("change"), "path")
    if q is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(q).order_by("path")


class _Org(BootstrapForm):
    model: Any = None

    def __init__(self, *args: Any, user: Any, with_org: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_org:
            del self.fields["organisation"]
            return
        orgs = organisations(user, self.model)
        field: Any = self.fields["organisation"]
        field.queryset = orgs
        if "organisation" not in self.initial:
            first = orgs.order_by("depth", "path").first()
            if first is not None:
                self.initial["organisation"] = first.pk


class SupplierForm(_Org):
    model = Supplier
    organisation = OrganisationField(label=_("Organisation"))
    name = forms.CharField(label=_("Name"))
    contact_name = forms.CharField(label=_("Contact person"), required=False)
    contact_mobile = forms.CharField(label=_("Contact mobile"), required=False)
    address = forms.CharField(label=_("Address"), required=False)
    products = forms.CharField(label=_("Products"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class PointForm(_Org):
    model = PickupPoint
    organisation = OrganisationField(label=_("Organisation"))
    name = forms.CharField(label=_("Name"))
    address = forms.CharField(label=_("Address"))
    hours = forms.CharField(label=_("Opening hours"), required=False)
    contact_name = forms.CharField(label=_("Contact person"), required=False)
    contact_mobile = forms.CharField(label=_("Contact mobile"), required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class OfferForm(BootstrapForm):
    point = forms.ModelChoiceField(label=_("Pickup point"), queryset=PickupPoint.objects.none())
    # ISO values whatever the language: a browser's date inputs take nothing else (F18)
    week = forms.DateField(
        label=_("Week (any day of it)"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    title = forms.CharField(label=_("Title"), required=False)
    cap = forms.DecimalField(
        label=_("Cap per family per week (¥)"), initial=DEFAULT_CAP, max_digits=10, decimal_places=2
    )
    cutoff_at = forms.DateTimeField(
        label=_("Order cut-off"),
        widget=forms.DateTimeInput(format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local"}),
    )
    pickup_on = forms.DateField(
        label=_("Pickup day"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    fund: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Fund charged with the subsidy"), queryset=Supplier.objects.none(), required=False
    )

    def __init__(self, *args: Any, user: Any, funds: list | None = None, **kwargs: Any) -> None:
        from nuanxin.funds.models import Fund

        super().__init__(*args, **kwargs)
        field: Any = self.fields["point"]
        field.queryset = PickupPoint.objects.for_user(user, "change").filter(active=True).select_related("organisation")
        fund: Any = self.fields["fund"]
        fund.queryset = Fund.objects.filter(pk__in=[f.pk for f in funds or []])
        fund.label_from_instance = lambda f: f"{f.name} ({f.organisation.name})"

    def clean_week(self) -> Any:
        """A new offer is for this week or a later one: a week that is over takes no orders."""
        from nuanxin.produce.services.offers import monday, this_week

        week = self.cleaned_data["week"]
        current = this_week()
        if week is not None and monday(week) < current:
            raise forms.ValidationError(
                _("The week of %(week)s is over: choose this week (from %(current)s) or a later one.")
                % {"week": f"{monday(week):%Y-%m-%d}", "current": f"{current:%Y-%m-%d}"}
            )
        return week


class ItemForm(BootstrapForm):
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Supplier.objects.none())
    name = forms.CharField(label=_("Item"))
    unit = forms.CharField(label=_("Unit"), required=False)
    price = forms.DecimalField(label=_("Price (¥)"), max_digits=10, decimal_places=2, min_value=0)
    subsidised_price = forms.DecimalField(label=_("Subsidised price (¥)"), max_digits=10, decimal_places=2, min_value=0)
    max_quantity = forms.IntegerField(label=_("At most per family"), initial=1, min_value=1, max_value=99)

    def __init__(self, *args: Any, suppliers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["supplier"]
        field.queryset = suppliers
