"""Form helpers every app shares: Bootstrap classes on widgets, and the one organisation
picker. Rendered with the one field partial, ``templates/partials/field.html``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _


class BootstrapForm(forms.Form):
    """Gives widgets Bootstrap classes and marks fields with errors invalid."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput | forms.RadioSelect):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class TreeChoices(ModelChoiceIterator):
    """The options in tree order; notes the shallowest depth read for the indent."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        queryset = self.queryset
        if queryset is None:
            return
        rows = list(queryset.order_by("path"))
        field: Any = self.field
        field._read_depth = min((row.depth for row in rows), default=1)
        for row in rows:
            yield self.choice(row)


class OrganisationField(forms.ModelChoiceField):
    """The organisation picker: the organisations of ``queryset`` (usually
    ``Organisation.objects.for_user(user, action)``) in tree order, each indented by its depth
    below the shallowest one offered (ideographic spaces), named with its code when
    ``with_code``. Give the queryset when building the form (``field.queryset = ...``)."""

    iterator = TreeChoices

    def __init__(
        self,
        queryset: QuerySet[Any] | None = None,
        *,
        with_code: bool = True,
        base_depth: int | None = None,
        **kwargs: Any,
    ) -> None:
        self.with_code = with_code
        self._base_depth = base_depth
        kwargs.setdefault("empty_label", _("Choose an organisation"))
        super().__init__(queryset, **kwargs)

    @property
    def base_depth(self) -> int:
        """The depth the indent counts from: given, or the shallowest of the organisations the
        options were last read from (no query of its own), else 1."""
        return self._base_depth or getattr(self, "_read_depth", None) or 1

    @base_depth.setter
    def base_depth(self, value: int | None) -> None:
        self._base_depth = value

    def label_from_instance(self, obj: Any) -> str:
        indent = "\u3000" * max(obj.depth - self.base_depth, 0)
        return f"{indent}{obj.name} ({obj.code})" if self.with_code else f"{indent}{obj.name}"

