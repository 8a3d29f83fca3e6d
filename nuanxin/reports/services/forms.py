"""Report forms: created and changed by a city administrator (REPORTS_FORMS over the form's
organisation), with their fields (computed figures of the catalogue, whole numbers or amounts
entered by hand, texts)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from nuanxin.core import audit, versioning
from nuanxin.core.errors import ServiceError
from nuanxin.orgs.choices import OrgKind
from nuanxin.orgs.models import Organisation
from nuanxin.reports import figures as catalogue
from nuanxin.reports.choices import FieldKind, FormSource, PeriodType
from nuanxin.reports.models import FormField, ReportForm

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
DEADLINE_MAX = Decimal("365")
FIELDS_MAX = 60
FORM_FIELDS = (
    "code",
    "name",
    "description",
    "source",
    "campaign",
    "period_type",
    "starts_on",
    "ends_on",
    "once_on",
    "deadline_days",
    "obliged_kinds",
    "obliged_depths",
    "active",
)


def _check(form: ReportForm, obliged: list[Any] | None) -> None:
    form.code = (form.code or "").strip().lower()
    if not SLUG.match(form.code) or len(form.code) > 40:
        raise ServiceError(_("The code: lower-case letters, digits, - and _, at most 40 characters."), field="code")
    if ReportForm.objects.filter(code=form.code).exclude(pk=form.pk).exists():
        raise ServiceError(_("Another report form has the code %(code)s.") % {"code": form.code}, field="code")
    form.name = (form.name or "").strip()
    if not form.name or len(form.name) > 100:
        raise ServiceError(_("Give the form a name of at most 100 characters."), field="name")
    if form.source not in FormSource.values:
        raise ServiceError(_("Choose where the reports come from."), field="source")
    if form.period_type not in PeriodType.values:
        raise ServiceError(_("Choose the period: weekly, monthly or once."), field="period_type")
    if not isinstance(form.starts_on, date):
        raise ServiceError(_("Give the date of the first period."), field="starts_on")
    if form.period_type == PeriodType.ONCE:
        if not isinstance(form.once_on, date):
            raise ServiceError(_("Give the reporting date of a one-off report."), field="once_on")
        if form.once_on < form.starts_on:
            raise ServiceError(_("The reporting date cannot be before the first day."), field="once_on")
        form.ends_on = None
    else:
        form.once_on = None
        if form.ends_on is not None and form.ends_on < form.starts_on:
            raise ServiceError(_("The last period cannot end before the first begins."), field="ends_on")
    try:
        deadline = Decimal(str(form.deadline_days if form.deadline_days is not None else 0))
    except InvalidOperation:
        deadline = Decimal("-1")
    if (
        not deadline.is_finite()
        or deadline < 0
        or deadline > DEADLINE_MAX
        or deadline != deadline.quantize(Decimal("0.01"))
    ):
        raise ServiceError(
            _("The deadline: days after the period's end, from 0 to 365 (0.5 = noon of the next day)."),
            field="deadline_days",
        )
    form.deadline_days = deadline
    kinds = list(dict.fromkeys(form.obliged_kinds or []))
    bad = [k for k in kinds if k not in OrgKind.values]
    if bad:
        raise ServiceError(_("Unknown kind of organisation: %(kind)s.") % {"kind": bad[0]}, field="obliged_kinds")
    form.obliged_kinds = kinds
    depths: list[int] = []
    for d in form.obliged_depths or []:
        try:
            depth = int(d)
        except (TypeError, ValueError):
            depth = 0
        if depth < 1 or depth > 20:
            raise ServiceError(_("A level is a number from 1 (the city) down."), field="obliged_depths")
        depths.append(depth)
    form.obliged_depths = sorted(set(depths))
    if obliged is not None:
        outside = [o for o in obliged if not o.path.startswith(form.organisation.path)]
        if outside:
            raise ServiceError(
                _("%(name)s is not under the form's organisation.") % {"name": outside[0].name}, field="obliged"
            )
    if not kinds and not form.obliged_depths and not obliged:
        raise ServiceError(
            _("Say who must report: kinds of organisation, levels or a list of organisations."), field="obliged_kinds"
        )
    if form.source == FormSource.TABLES and form.campaign_id is None:
        raise ServiceError(_("The official tables are sent for a campaign: choose it."), field="campaign")


@transaction.atomic
def create_form(
    *, actor: Any, organisation: Organisation, obliged: list[Any] | None = None, **fields: Any
) -> ReportForm:
    """A new form of ``organisation`` (usually the root); ``fields`` are ReportForm's (see
    ``FORM_FIELDS``); ``obliged``: organisations listed by name (inside its subtree)."""
    ReportForm.policy.require_in(actor, "change", organisation, _("Only a city administrator builds report forms."))
    unknown = sorted(set(fields) - set(FORM_FIELDS))
    if unknown:
        raise ServiceError(_("Unknown form setting: %(name)s.") % {"name": unknown[0]}, field=unknown[0])
    form = ReportForm(organisation=organisation, **fields)
    if form.deadline_days is None:
        form.deadline_days = Decimal("0")
    _check(form, list(obliged or []))
    form.created_by = actor if getattr(actor, "pk", None) else None
    form._history_user = form.created_by  # type: ignore[attr-defined]
    form.save()
    if obliged:
        form.obliged.set(obliged)
    audit.record(actor, "reports.form.create", obj=form, organisation=organisation)
    return form


@transaction.atomic
def change_form(
    *, actor: Any, form: ReportForm, version: Any, obliged: list[Any] | None = None, **fields: Any
) -> ReportForm:
    """Change the settings given in ``fields`` (and the listed ``obliged`` when given)."""
    form = ReportForm.objects.select_for_update().select_related("organisation").get(pk=form.pk)
    versioning.check_version(form, version)
    ReportForm.policy.require(actor, "change", form, _("Only a city administrator changes report forms."))
    unknown = sorted(set(fields) - set(FORM_FIELDS))
    if unknown:
        raise ServiceError(_("Unknown form setting: %(name)s.") % {"name": unknown[0]}, field=unknown[0])
    changed = sorted(name for name, value in fields.items() if getattr(form, name) != value)
    for name, value in fields.items():
        setattr(form, name, value)
    listed = list(obliged) if obliged is not None else list(form.obliged.all())
    _check(form, listed)
    versioning.bump(form)
    form._history_user = actor if getattr(actor, "pk", None) else None  # type: ignore[attr-defined]
    form.save()
    if obliged is not None:
        form.obliged.set(obliged)
        changed.append("obliged")
    audit.record(actor, "reports.form.change", obj=form, organisation=form.organisation, detail={"changed": changed})
    return form


def _clean_field(raw: dict[str, Any], position: int) -> FormField:
    key = str(raw.get("key") or "").strip().lower()
    if not SLUG.match(key) or len(key) > 40:
        raise ServiceError(
            _("Field %(n)d: the key is lower-case letters, digits, - and _, at most 40 characters.") % {"n": position},
            field="fields",
        )
    label = str(raw.get("label") or "").strip()
    kind = str(raw.get("kind") or "")
    if kind not in FieldKind.values:
        raise ServiceError(_("Field %(n)d: choose its kind.") % {"n": position}, field="fields")
    metric = str(raw.get("metric") or "").strip()
    if kind == FieldKind.COMPUTED:
        if metric not in catalogue.METRICS:
            raise ServiceError(
                _("Field %(n)d: %(code)s is not a figure the system computes.")
                % {"n": position, "code": metric or "—"},
                field="fields",
            )
        if not label:
            label = str(catalogue.METRICS[metric].label)
    elif metric:
        raise ServiceError(_("Field %(n)d: only a computed field names a figure.") % {"n": position}, field="fields")
    if not label or len(label) > 100:
        raise ServiceError(_("Field %(n)d: give a label of at most 100 characters.") % {"n": position}, field="fields")
    help_text = str(raw.get("help_text") or "").strip()
    if len(help_text) > 200:
        raise ServiceError(_("Field %(n)d: the help text is at most 200 characters.") % {"n": position}, field="fields")
    return FormField(
        key=key,
        label=label,
        kind=kind,
        metric=metric,
        required=bool(raw.get("required")) and kind != FieldKind.COMPUTED,
        help_text=help_text,
        position=position,
    )


@transaction.atomic
def set_fields(*, actor: Any, form: ReportForm, fields: list[dict[str, Any]], version: Any) -> ReportForm:
    """Replace the form's fields by ``fields`` (in order): dicts with ``key``, ``label``, ``kind``,
    ``metric`` (computed only: a catalogue code), ``required`` and ``help_text``. Submitted
    reports keep their values under the keys they had."""
    form = ReportForm.objects.select_for_update().select_related("organisation").get(pk=form.pk)
    versioning.check_version(form, version)
    ReportForm.policy.require(actor, "change", form, _("Only a city administrator changes report forms."))
    if not fields:
        raise ServiceError(_("A form needs at least one field."), field="fields")
    if len(fields) > FIELDS_MAX:
        raise ServiceError(_("At most %(limit)d fields.") % {"limit": FIELDS_MAX}, field="fields")
    cleaned = [_clean_field(raw, n) for n, raw in enumerate(fields, start=1)]
    keys = [f.key for f in cleaned]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise ServiceError(_("Two fields have the key %(key)s.") % {"key": repeated[0]}, field="fields")
    form.fields.all().delete()
    for f in cleaned:
        f.form = form
    FormField.objects.bulk_create(cleaned)
    versioning.bump(form)
    form._history_user = actor if getattr(actor, "pk", None) else None  # type: ignore[attr-defined]
    form.save(update_fields=["version"])
    audit.record(actor, "reports.form.fields", obj=form, organisation=form.organisation, detail={"fields": keys})
    return form
