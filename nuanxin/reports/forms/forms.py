"""Forms of the form builder: a report form's settings (name, period, deadline, who reports)
and its fields (figures picked from the catalogue, numbers, amounts and texts entered by hand)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from nuanxin.core.forms import BootstrapForm
from nuanxin.core.versioning import VersionedForm
from nuanxin.orgs.choices import OrgKind
from nuanxin.orgs.models import Organisation
from nuanxin.reports.choices import FieldKind, PeriodType

ENTERED_KINDS = [(k.value, k.label) for k in FieldKind if k != FieldKind.COMPUTED]
EXTRA_ROWS = 3  # blank rows for new entered fields under the existing ones
KEY_RE = re.compile(r"[a-z][a-z0-9_]{0,39}")
MAX_LEVEL = 8
LAST = 1000  # a field given no position goes after the numbered ones, in the page's order


def _codes(text: str) -> list[str]:
    return [code for code in re.split(r"[\s,，、;；]+", text or "") if code]


class SettingsForm(BootstrapForm):
    """A form's settings. ``root``: the organisation the form belongs to (its obliged
    organisations are looked for in its subtree)."""

    name = forms.CharField(label=_("Name of the report form"), max_length=100)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    period_type = forms.ChoiceField(label=_("Reporting period"), choices=PeriodType.choices)
    starts_on = forms.DateField(
        label=_("First period from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label=_("Last period until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Weekly and monthly forms: leave empty to go on without an end."),
    )
    once_on = forms.DateField(
        label=_("Reporting date (one-off forms)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("A one-off form reports the work from the first day to this date."),
    )
    deadline_days = forms.DecimalField(
        label=_("Deadline: days after the period's last day"),
        min_value=Decimal(0),
        max_value=Decimal(365),
        max_digits=5,
        decimal_places=2,
        help_text=_("Fractions are allowed: 0.5 is 12:00 of the next day (Monday noon for a week)."),
    )
    obliged_kinds = forms.MultipleChoiceField(
        label=_("Organisations of these kinds report"),
        required=False,
        choices=OrgKind.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    obliged_depths = forms.MultipleChoiceField(
        label=_("Organisations at these levels report"),
        required=False,
        choices=[],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("Level 1 is the city federation, level 2 the districts and industry unions, and so on."),
    )
    obliged_codes = forms.CharField(
        label=_("Or these organisations (codes)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=20000,
        help_text=_("Organisation codes separated by spaces, commas or new lines."),
    )

    def __init__(self, *args: Any, root: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.root = root
        depths: Any = self.fields["obliged_depths"]
        depths.choices = [(str(level), _("Level %(level)s") % {"level": level}) for level in range(1, MAX_LEVEL + 1)]

    def clean_obliged_codes(self) -> list[Organisation]:
        codes = _codes(self.cleaned_data.get("obliged_codes") or "")
        if not codes:
            return []
        found = {
            org.code: org
            for org in Organisation.objects.filter(code__in=codes, path__startswith=self.root.path).order_by("path")
        }
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise ValidationError(
                _("No organisation under %(root)s has the code %(codes)s.")
                % {"root": self.root.name, "codes": "、".join(unknown[:10])}
            )
        return list(dict.fromkeys(found[code] for code in codes))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        period = data.get("period_type")
        if period == PeriodType.ONCE and not data.get("once_on"):
            self.add_error("once_on", _("A one-off form needs its reporting date."))
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The last period cannot end before the first begins."))
        once = data.get("once_on")
        if period == PeriodType.ONCE and starts and once and once < starts:
            self.add_error("once_on", _("The reporting date cannot be before the first day."))
        if not (data.get("obliged_kinds") or data.get("obliged_depths") or data.get("obliged_codes")):
            if not self.has_error("obliged_codes"):
                self.add_error(None, _("Say who reports: organisation kinds, levels or a list of organisations."))
        return data

    def values(self) -> dict[str, Any]:
        """The service's keyword arguments."""
        data = self.cleaned_data
        return {
            "name": data["name"].strip(),
            "description": data["description"].strip(),
            "period_type": data["period_type"],
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"] if data["period_type"] != PeriodType.ONCE else None,
            "once_on": data["once_on"] if data["period_type"] == PeriodType.ONCE else None,
            "deadline_days": data["deadline_days"],
            "obliged_kinds": list(data["obliged_kinds"]),
            "obliged_depths": sorted(int(level) for level in data["obliged_depths"]),
            "obliged": data["obliged_codes"],
        }


class CreateForm(SettingsForm):
    code = forms.SlugField(
        label=_("Code of the report form"),
        max_length=40,
        help_text=_("Letters, digits, - and _; used in links and exports, and cannot be changed later."),
    )

    field_order = ["name", "code"]


class EditForm(VersionedForm, SettingsForm):
    active = forms.BooleanField(
        label=_("In use (organisations are asked to report)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def values(self) -> dict[str, Any]:
        return {**super().values(), "active": self.cleaned_data["active"]}


def settings_initial(form: Any) -> dict[str, Any]:
    return {
        "name": form.name,
        "description": form.description,
        "period_type": form.period_type,
        "starts_on": form.starts_on,
        "ends_on": form.ends_on,
        "once_on": form.once_on,
        "deadline_days": form.deadline_days,
        "obliged_kinds": list(form.obliged_kinds or []),
        "obliged_depths": [str(level) for level in form.obliged_depths or []],
        "obliged_codes": " ".join(org.code for org in form.obliged.order_by("path")),
        "active": form.active,
    }


class FieldsForm(VersionedForm):
    """The form's fields on one page: each catalogue figure with a tick and a position; then the
    entered fields (existing ones and a few blank rows) with key, label, kind, required and a
    position. The field list it gives the service is ordered by position."""

    def __init__(self, *args: Any, metrics: dict[str, Any], fields: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.metrics = metrics
        self.existing = {f.key: f for f in fields}
        by_metric = {f.metric: f for f in fields if f.kind == FieldKind.COMPUTED}
        for code in metrics:
            current = by_metric.get(code)
            self.fields[f"m_{code}"] = forms.BooleanField(
                label=str(metrics[code].label),
                required=False,
                initial=current is not None,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
            self.fields[f"mp_{code}"] = forms.IntegerField(
                label=_("Position"),
                required=False,
                min_value=0,
                max_value=999,
                initial=current.position if current is not None else None,
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm nx-position"}),
            )
            self.fields[f"ml_{code}"] = forms.CharField(
                label=_("Label"),
                required=False,
                max_length=100,
                initial=current.label if current is not None else "",
                widget=forms.TextInput(
                    attrs={"class": "form-control form-control-sm", "placeholder": str(metrics[code].label)}
                ),
            )
        entered = [f for f in fields if f.kind != FieldKind.COMPUTED]
        self.entered_count = len(entered) + EXTRA_ROWS
        for i in range(self.entered_count):
            current = entered[i] if i < len(entered) else None
            self.fields[f"e{i}_key"] = forms.CharField(
                label=_("Key"),
                required=False,
                max_length=40,
                initial=current.key if current else "",
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "placeholder": "audience"}),
            )
            self.fields[f"e{i}_label"] = forms.CharField(
                label=_("Label"),
                required=False,
                max_length=100,
                initial=current.label if current else "",
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )
            self.fields[f"e{i}_kind"] = forms.ChoiceField(
                label=_("Kind"),
                required=False,
                choices=ENTERED_KINDS,
                initial=current.kind if current else FieldKind.NUMBER,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            self.fields[f"e{i}_required"] = forms.BooleanField(
                label=_("Required"),
                required=False,
                initial=current.required if current else False,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
            self.fields[f"e{i}_position"] = forms.IntegerField(
                label=_("Position"),
                required=False,
                min_value=0,
                max_value=999,
                initial=current.position if current else None,
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm nx-position"}),
            )
            self.fields[f"e{i}_help"] = forms.CharField(
                label=_("Help text"),
                required=False,
                max_length=200,
                initial=current.help_text if current else "",
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )

    def metric_groups(self) -> list[tuple[str, list[dict[str, Any]]]]:
        """The catalogue's figures grouped by app, each with its bound fields (the template)."""
        groups: dict[str, list[dict[str, Any]]] = {}
        for code, metric in self.metrics.items():
            groups.setdefault(metric.group, []).append(
                {
                    "code": code,
                    "metric": metric,
                    "pick": self[f"m_{code}"],
                    "position": self[f"mp_{code}"],
                    "label": self[f"ml_{code}"],
                }
            )
        return list(groups.items())

    def entered_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "index": i,
                "key": self[f"e{i}_key"],
                "label": self[f"e{i}_label"],
                "kind": self[f"e{i}_kind"],
                "required": self[f"e{i}_required"],
                "position": self[f"e{i}_position"],
                "help": self[f"e{i}_help"],
            }
            for i in range(self.entered_count)
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        result: list[dict[str, Any]] = []
        keys: set[str] = set()
        for code, metric in self.metrics.items():
            if data.get(f"m_{code}"):
                position = data.get(f"mp_{code}")
                result.append(
                    {
                        "key": code,
                        "label": (data.get(f"ml_{code}") or "").strip() or str(metric.label),
                        "kind": FieldKind.COMPUTED.value,
                        "metric": code,
                        "required": False,
                        "help_text": "",
                        "position": position if position is not None else LAST + len(result),
                    }
                )
                keys.add(code)
        for i in range(self.entered_count):
            key = (data.get(f"e{i}_key") or "").strip()
            label = (data.get(f"e{i}_label") or "").strip()
            if not key and not label:
                continue  # a blank row (or a field taken off)
            if not label:
                self.add_error(f"e{i}_label", _("Give the field a label."))
                continue
            if not key:
                key = f"field_{i + 1}"
                while key in keys or key in self.metrics:
                    key += "_"
            if not KEY_RE.fullmatch(key):
                self.add_error(
                    f"e{i}_key", _("A key is lower-case letters, digits and _, starting with a letter (at most 40).")
                )
                continue
            if key in keys or key in self.metrics:
                self.add_error(f"e{i}_key", _("The key %(key)s is used twice.") % {"key": key})
                continue
            keys.add(key)
            position = data.get(f"e{i}_position")
            result.append(
                {
                    "key": key,
                    "label": label,
                    "kind": data.get(f"e{i}_kind") or FieldKind.NUMBER.value,
                    "metric": "",
                    "required": bool(data.get(f"e{i}_required")),
                    "help_text": (data.get(f"e{i}_help") or "").strip(),
                    "position": position if position is not None else LAST + len(result),
                }
            )
        if not result and not self.errors:
            raise ValidationError(_("A report form needs at least one field."))
        order = {id(f): n for n, f in enumerate(result)}
        result.sort(key=lambda f: (f["position"], order[id(f)]))
        data["field_list"] = result
        return data
