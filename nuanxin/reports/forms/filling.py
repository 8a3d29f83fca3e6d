"""The report's form: the values entered by hand and the comments on figures that fell by
more than half. Values are kept as typed (text) so that nothing is lost when the service refuses
one; the service checks them (whole numbers, no negative counts, required ones at submission)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nuanxin.core.versioning import VersionedForm
from nuanxin.reports.choices import FieldKind
from nuanxin.reports.services import reports as services

VALUE_MAX = 2000


def value_name(key: str) -> str:
    return f"v_{key}"


def comment_name(key: str) -> str:
    return f"c_{key}"


def typed_number(raw: Any) -> int | Decimal | None:
    """A posted value as a number when it reads as one (``None`` otherwise: the service says why)."""
    text = str(raw or "").strip().replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    return int(number) if number == number.to_integral_value() else number


def shown(value: Any) -> str:
    """A stored value as the input shows it."""
    if value is None:
        return ""
    return str(value)


class ValuesForm(VersionedForm):
    """``rows``: the report's rows (``services.reports.rows``); an input for each entered field
    and a comment for each figure that needs one (or has one): from the stored values, and, when
    the form is posted, from the values just typed (a fall typed and submitted at once gets its
    box on the refusal page, with everything typed kept)."""

    def __init__(self, *args: Any, rows: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            field = row.field
            if field.kind != FieldKind.COMPUTED:
                if field.kind == FieldKind.TEXT:
                    widget: forms.Widget = forms.Textarea(attrs={"rows": 2, "class": "form-control"})
                else:
                    widget = forms.TextInput(
                        attrs={
                            "class": "form-control text-end",
                            "inputmode": "decimal" if field.kind == FieldKind.AMOUNT else "numeric",
                            "autocomplete": "off",
                        }
                    )
                self.fields[value_name(field.key)] = forms.CharField(
                    label=field.label,
                    required=False,
                    max_length=VALUE_MAX,
                    strip=True,
                    initial=shown(row.value),
                    widget=widget,
                    help_text=field.help_text,
                )
            if row.needs_comment or row.comment or self._typed_fall(row):
                self.fields[comment_name(field.key)] = forms.CharField(
                    label=_("Why it fell by more than half"),
                    required=False,
                    max_length=VALUE_MAX,
                    strip=True,
                    initial=row.comment or "",
                    widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
                )

    def _typed_fall(self, row: Any) -> bool:
        field = row.field
        if not self.is_bound or field.kind == FieldKind.COMPUTED or not services.watched(field):
            return False
        typed = typed_number(self.data.get(value_name(field.key)))
        return services.falls_by_more_than_half(typed, row.previous)

    def entries(self) -> tuple[dict[str, str], dict[str, str]]:
        """(values, comments) as typed, by field key."""
        data = self.cleaned_data
        values: dict[str, str] = {}
        comments: dict[str, str] = {}
        for row in self.rows:
            key = row.field.key
            if value_name(key) in self.fields:
                values[key] = data.get(value_name(key)) or ""
            if comment_name(key) in self.fields:
                comments[key] = data.get(comment_name(key)) or ""
        return values, comments

    def value_field(self, key: str) -> Any:
        name = value_name(key)
        return self[name] if name in self.fields else None

    def comment_field(self, key: str) -> Any:
        name = comment_name(key)
        return self[name] if name in self.fields else None
