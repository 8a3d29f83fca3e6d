"""Form helpers every app shares: Bootstrap classes on widgets, and the one organisation
picker. Rendered with the one field partial, ``templates/partials/field.html``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Min, QuerySet
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


class OrganisationField(forms.ModelChoiceField):
    """The organisation picker: the organisations of ``queryset`` (usually
    ``Organisation.objects.for_user(user, action)``) in tree order, each indented by its depth
    below the shallowest one offered (ideographic spaces), named with its code when
    ``with_code``. Give the queryset when building the form (``field.queryset = ...``)."""

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

    def _set_queryset(self, queryset: QuerySet[Any] | None) -> None:
        if queryset is not None and "path" in {f.name for f in queryset.model._meta.fields}:
            queryset = queryset.order_by("path")
        self._computed_depth: int | None = None
        super()._set_queryset(queryset)

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)

    @property
    def base_depth(self) -> int:
        if self._base_depth is not None:
            return self._base_depth
        if self._computed_depth is None:
            self._computed_depth = self.queryset.aggregate(d=Min("depth"))["d"] or 1
        return self._computed_depth

    @base_depth.setter
    def base_depth(self, value: int | None) -> None:
        self._base_depth = value

    def label_from_instance(self, obj: Any) -> str:
        indent = "\u3000" * max(obj.depth - self.base_depth, 0)
        return f"{indent}{obj.name} ({obj.code})" if self.with_code else f"{indent}{obj.name}"

