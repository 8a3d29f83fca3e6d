"""Forms of the funds' pages: a fund, income, allocations down, returns up, the statement's
period, a threshold. They check shapes (an amount through ``ledger.money``, so the message is
the service's); the services decide, and a refusal lands on the field it names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nuanxin.core.errors import ServiceError
from nuanxin.core.forms import BootstrapForm, OrganisationField
from nuanxin.core.versioning import VersionedForm
from nuanxin.funds.choices import Category, FundSource, IncomeKind
from nuanxin.funds.services import ledger


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class AmountField(forms.CharField):
    """An amount in yuan (e.g. 2000 or 2000.50), read by the ledger's rule: the refusal is the
    ledger's message."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Amount (yuan)"))
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        if value in (None, ""):
            return None
        try:
            return ledger.money(value)
        except ServiceError as exc:
            raise forms.ValidationError(exc.message) from None


def date_field(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput(), **kwargs)


class FundFields(BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("E.g. 疫情防控专项资金."))
    source = forms.ChoiceField(label=_("Source"), choices=FundSource.choices, initial=FundSource.OWN_BUDGET)
    starts_on = date_field(_("From"))
    ends_on = date_field(_("Until"), required=False)
    categories = forms.MultipleChoiceField(
        label=_("Spending categories"), choices=Category.choices, widget=forms.CheckboxSelectMultiple,
        initial=list(Category.values),
    )

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"], "source": data["source"], "starts_on": data["starts_on"],
            "ends_on": data.get("ends_on"), "categories": list(data["categories"]),
        }


class FundCreateForm(FundFields):
    organisation = OrganisationField(label=_("Organisation"))
    field_order = ["organisation", "name", "source", "starts_on", "ends_on", "categories"]

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["organisation"]
        field.queryset = organisations

    def service_values(self) -> dict[str, Any]:
        return {"organisation": self.cleaned_data["organisation"], **super().service_values()}


class FundEditForm(VersionedForm, FundFields):
    active = forms.BooleanField(label=_("Open for new entries"), required=False)

    def service_values(self) -> dict[str, Any]:
        return {
            **super().service_values(), "active": bool(self.cleaned_data.get("active")),
            "version": self.cleaned_data["version"],
        }


class IncomeForm(BootstrapForm):
    income_kind = forms.ChoiceField(label=_("Kind of income"), choices=IncomeKind.choices)
    amount = AmountField()
    on = date_field(_("Date"), initial=timezone.localdate)
    payee = forms.CharField(
        label=_("From"), max_length=100, required=False, help_text=_("Who gave the money (a donor), if anyone.")
    )
    description = forms.CharField(label=_("Description"), required=False, max_length=1000, widget=forms.Textarea(
        attrs={"rows": 2}))

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "income_kind": data["income_kind"], "amount": data["amount"], "on": data["on"],
            "payee": data.get("payee") or "", "description": data.get("description") or "",
        }


class AllocationForm(BootstrapForm):
    """Allocate to organisations below: a checkbox and an amount for each organisation offered
    (``pick_<id>``, ``amount_<id>``), or one amount for every organisation chosen."""

    on = date_field(_("Date"), initial=timezone.localdate)
    same_amount = AmountField(
        label=_("The same amount for each (yuan)"), required=False,
        help_text=_("Used for every organisation chosen without an amount of its own."),
    )
    description = forms.CharField(label=_("Description"), required=False, max_length=1000, widget=forms.Textarea(
        attrs={"rows": 2}))

    every_child = forms.BooleanField(
        label=_("Every organisation directly below"), required=False,
        help_text=_("E.g. every street of a district, each with the same amount (or its own amount below)."),
    )
    field_order = ["on", "same_amount", "every_child", "description"]

    def __init__(self, *args: Any, organisations: list, base_depth: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisations = organisations
        self.base_depth = base_depth
        for org in organisations:
            self.fields[f"pick_{org.pk}"] = forms.BooleanField(label=org.name, required=False)
            amount = AmountField(label=_("Amount (yuan)"), required=False)
            amount.widget.attrs["class"] = "form-control form-control-sm"
            amount.widget.attrs["aria-label"] = f"{org.name} {amount.label}"
            self.fields[f"amount_{org.pk}"] = amount

    def rows(self) -> list[tuple[Any, Any, Any]]:
        return [(org, self[f"pick_{org.pk}"], self[f"amount_{org.pk}"]) for org in self.organisations]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = []
        for org in self.organisations:
            child = data.get("every_child") and org.depth == self.base_depth + 1
            if not (data.get(f"pick_{org.pk}") or child):
                continue
            amount = data.get(f"amount_{org.pk}") or data.get("same_amount")
            if amount is None:
                if f"amount_{org.pk}" not in self.errors:
                    self.add_error(
                        f"amount_{org.pk}",
                        _("Enter the amount for “%(org)s”, or one amount for all.") % {"org": org.name},
                    )
                continue
            chosen.append((org, amount))
        if not chosen and not self.errors:
            raise forms.ValidationError(_("Choose at least one organisation to allocate to."))
        data["chosen"] = chosen
        return data


class ReturnForm(BootstrapForm):
    to_fund: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Return to"), queryset=None, empty_label=_("Choose a fund above")
    )
    amount = AmountField()
    on = date_field(_("Date"), initial=timezone.localdate)
    description = forms.CharField(label=_("Description"), required=False, max_length=1000, widget=forms.Textarea(
        attrs={"rows": 2}))

    def __init__(self, *args: Any, targets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["to_fund"]
        field.queryset = targets
        field.label_from_instance = lambda f: f"{f.organisation.name} · {f.name}"

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"to_fund": data["to_fund"], "amount": data["amount"], "on": data["on"],
                "description": data.get("description") or ""}


class PeriodForm(BootstrapForm):
    start = date_field(_("From"), required=False)
    end = date_field(_("Until"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end of the period cannot be before its start."))
        return data


class ThresholdForm(BootstrapForm):
    organisation = OrganisationField(label=_("Organisation"))
    threshold = forms.CharField(
        label=_("Threshold (yuan)"), max_length=30,
        help_text=_("An entry above it (or entries recorded together above it) needs the parent organisation's "
                    "approver too."),
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["organisation"]
        field.queryset = organisations
        self.fields["threshold"].widget.attrs["inputmode"] = "decimal"
