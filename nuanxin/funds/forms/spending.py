"""Forms of the spending pages: an expenditure (with receipts and beneficiaries), receipts
added later, a condolence round and its people picker, the spending list's filters."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nuanxin.core.forms import BootstrapForm, OrganisationField
from nuanxin.funds.choices import Category, EntryStatus, PayeeKind
from nuanxin.funds.models import Fund
from nuanxin.registry.choices import TeamType, WorkerStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY_ATTRS = {"inputmode": "decimal", "autocomplete": "off", "placeholder": "2000.00"}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ReceiptsField(forms.FileField):
    """Several files at once (the checks by content are the service's: ``services/receipts.py``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.webp,application/pdf,image/*"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        if isinstance(data, list | tuple):
            return [super(ReceiptsField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


def fund_categories(fund: Fund) -> list[tuple[str, Any]]:
    allowed = fund.categories or list(Category.values)
    return [(value, label) for value, label in Category.choices if value in allowed]


class ExpenditureForm(BootstrapForm):
    amount = forms.CharField(label=_("Amount (yuan)"), widget=forms.TextInput(attrs=MONEY_ATTRS))
    category = forms.ChoiceField(label=_("Category"))
    on = forms.DateField(label=_("Date"), widget=DATE)
    payee_kind = forms.ChoiceField(
        label=_("Paid to"), choices=PayeeKind.choices, widget=forms.RadioSelect, initial=PayeeKind.SUPPLIER
    )
    payee = forms.CharField(
        label=_("Payee"), required=False, max_length=100,
        help_text=_("The supplier's name; for payments to people, the beneficiaries below say who."),
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    quantity = forms.DecimalField(
        label=_("Quantity"), required=False, min_value=0, max_digits=14, decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
        help_text=_("For goods, e.g. 260000 bottles of disinfectant."),
    )
    unit = forms.CharField(
        label=_("Unit"), required=False, max_length=16, widget=forms.TextInput(attrs={"placeholder": "瓶"})
    )
    receipts = ReceiptsField(
        label=_("Receipts"), required=False,
        help_text=_("PDF files or photos (PNG, JPEG, WebP), several at once, each at most 10 MB."),
    )

    def __init__(self, *args: Any, fund: Fund, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            ("", _("— choose a category —")), *fund_categories(fund)
        ]
        self.initial.setdefault("on", timezone.localdate())

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "amount": data["amount"],
            "category": data["category"],
            "on": data["on"],
            "payee_kind": data["payee_kind"],
            "payee": data.get("payee") or "",
            "description": data.get("description") or "",
            "quantity": data.get("quantity"),
            "unit": data.get("unit") or "",
        }


class ReceiptForm(BootstrapForm):
    receipts = ReceiptsField(
        label=_("Receipts"), help_text=_("PDF files or photos (PNG, JPEG, WebP), several at once, each at most 10 MB.")
    )


class PickerForm(BootstrapForm):
    """The people picker's filters (the register's: unit, frontline team, status, search)."""

    q = forms.CharField(
        label=_("Search"), required=False, max_length=50,
        help_text=_("Name, pinyin (zhangsan), initials (zs) or the last four digits of the mobile"),
    )
    unit = OrganisationField(None, to_field_name="code", with_code=False, label=_("Unit"), required=False,
                             empty_label=_("All units"))
    team = forms.ChoiceField(
        label=_("Frontline team"), required=False, choices=[("", _("All teams")), *TeamType.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("", _("All in the register")), *[(v, lbl) for v, lbl in WorkerStatus.choices if v != "archived"]],
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(OrganisationField, self.fields["unit"])
        field.queryset = units
        self.fields["q"].widget.attrs.update({"placeholder": "张三 / zhangsan / zs / 5678", "type": "search"})

    def values(self) -> dict[str, Any]:
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "q": data.get("q") or "",
            "unit": data.get("unit"),
            "team": data.get("team") or "",
            "status": data.get("status") or "",
        }


class RoundForm(BootstrapForm):
    name = forms.CharField(
        label=_("Name of the round"), max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "援鄂医疗队员慰问金"}),
    )
    amount_per_person = forms.CharField(label=_("Amount per person (yuan)"), widget=forms.TextInput(attrs=MONEY_ATTRS))
    on = forms.DateField(label=_("Date"), widget=DATE)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    pasted = forms.CharField(
        label=_("Or paste a list"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One person a line: a name, a mobile, or a name and the mobile's last four digits (张三 5678)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("on", timezone.localdate())


class RoundAddForm(BootstrapForm):
    on = forms.DateField(label=_("Date"), widget=DATE)
    pasted = RoundForm.base_fields["pasted"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("on", timezone.localdate())


class SpendingFilter(BootstrapForm):
    category = forms.ChoiceField(label=_("Category"), required=False)
    month = forms.CharField(
        label=_("Month"), required=False, widget=forms.DateInput(attrs={"type": "month", "placeholder": "2020-02"})
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *EntryStatus.choices]
    )

    def __init__(self, *args: Any, categories: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = [("", _("All categories")), *categories]

    def clean_month(self) -> str:
        from nuanxin.funds.selectors.spending import month_of

        value = (self.cleaned_data.get("month") or "").strip()
        if value and month_of(value) is None:
            raise forms.ValidationError(_("Enter the month as 2020-02."))
        return value

    def values(self) -> dict[str, Any]:
        from nuanxin.funds.selectors.spending import month_of

        if not self.is_bound or not self.is_valid():
            return {"category": "", "month": None, "status": ""}
        data = self.cleaned_data
        return {
            "category": data.get("category") or "",
            "month": month_of(data.get("month") or ""),
            "status": data.get("status") or "",
        }
