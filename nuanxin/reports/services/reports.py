"""Filling, sending up and approving reports.

- ``open_report``: an obliged organisation's report of a period, created as a draft the first
  time it is opened (due at the period's deadline).
- ``rows``: what the report page shows per field: the value (computed figures live while the
  report is editable, frozen once submitted), the previous period's, the sum of the obliged
  children's reports (submitted or approved) and whether the sum disagrees with the value (only
  once every obliged child's report is submitted or approved), and
  whether a comment is needed (the figure fell by more than half).
- ``save_values``, ``submit``: the reporting organisation (REPORTS_FILL over it) while it is a
  draft or returned. Submitting freezes the computed figures and validates everything.
- ``approve``, ``return_report``, ``unlock``: the level above (REPORTS_APPROVE over the
  organisation's parent; a root's report: its own city administrators). An organisation's own
  administrators may also approve its report when it rolls up obliged children, and no report
  that rolls up children is approved before every one of theirs is. Approved = locked; an unlock
  (back to submitted) is refused once the parent's report is approved.

Each write locks the report (``select_for_update``), checks the version it started from,
counts a new version and writes its audit row in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core import audit, roles, versioning
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.policy import Policy, is_system
from nuanxin.orgs.models import Organisation
from nuanxin.reports import figures as catalogue
from nuanxin.reports.choices import DROP_NEEDS_COMMENT, EDITABLE, FieldKind, FormSource, ReportStatus
from nuanxin.reports.models import FormField, Report, ReportForm
from nuanxin.reports.services import obligations, periods

TEXT_MAX = 5000
COMMENT_MAX = 1000
REASON_MAX = 1000
NUMBER_MAX = 10**12
NUMERIC_KINDS = (FieldKind.COMPUTED, FieldKind.NUMBER, FieldKind.AMOUNT)
REPORTED = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)

# The city administrators of a root (who approve and unlock the root's own report).
_ROOT_ADMINS = Policy(path="path", actions={"approve": roles.CITY_ADMINS})


class NotFound(ServiceError):
    code = "not_found"
    status = 404


# --- opening -----------------------------------------------------------------------------------


def open_report(*, actor: Any, form: ReportForm, organisation: Any, period_start: date) -> Report:
    """``organisation``'s report of ``form`` for the period starting on ``period_start`` (a
    draft created the first time). ``NotFound`` when the organisation need not report it or the
    actor may not read reports there; ``ServiceError`` for a day that starts no period."""
    if not Report.policy.allows_in(actor, "view", organisation):
        raise NotFound(_("No such report."))
    if form.source != FormSource.FILLED:
        raise ServiceError(_("This form is sent as the official tables, not filled in here."), field="form")
    if not obligations.is_obliged(form, organisation):
        raise NotFound(_("This organisation does not report this form."))
    start, end = periods.parse_period(form, period_start)
    if start > timezone.localdate():
        raise ServiceError(
            _("The period starting on %(day)s has not begun yet.") % {"day": start.isoformat()}, field="period"
        )
    found = Report.objects.filter(form=form, organisation=organisation, period_start=start).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            report = Report.objects.create(
                form=form,
                organisation=organisation,
                period_start=start,
                period_end=end,
                due_at=periods.due_at(form, start, end),
            )
            audit.record(
                actor,
                "reports.open",
                obj=report,
                organisation=organisation,
                detail={"form": form.pk, "period": start.isoformat()},
            )
    except IntegrityError:  # opened by someone else at the same moment
        return Report.objects.get(form=form, organisation=organisation, period_start=start)
    return report


# --- reading -----------------------------------------------------------------------------------


@dataclass
class Row:
    field: FormField
    value: Any
    previous: Any = None
    children_sum: Any = None
    disagrees: bool = False
    needs_comment: bool = False
    comment: str = ""
    children_reported: int = 0  # obliged children whose report of the period is submitted or approved
    children_expected: int = 0  # obliged children


def _fields(form: ReportForm) -> list[FormField]:
    return list(form.fields.all().order_by("position", "id"))


def _metric_codes(fields: list[FormField]) -> list[str]:
    return [f.metric for f in fields if f.kind == FieldKind.COMPUTED and f.metric in catalogue.METRICS]


def live_computed(report: Report, fields: list[FormField] | None = None) -> dict[str, Any]:
    """The computed fields' live figures for the report's organisation and period (key -> value)."""
    fields = _fields(report.form) if fields is None else fields
    codes = _metric_codes(fields)
    if not codes:
        return {}
    found = catalogue.compute(codes, report.organisation, report.period_start, report.period_end)
    return {f.key: found[f.metric] for f in fields if f.kind == FieldKind.COMPUTED and f.metric in found}


def _stored_value(field: FormField, raw: Any) -> Any:
    if raw is None or raw == "":
        return None
    if field.kind == FieldKind.AMOUNT or (field.kind == FieldKind.COMPUTED and isinstance(raw, str)):
        try:
            return Decimal(str(raw))
        except InvalidOperation:
            return None
    return raw


def values_of(report: Report, fields: list[FormField] | None = None) -> dict[str, Any]:
    """key -> value of every field: computed figures live while editable, frozen after."""
    fields = _fields(report.form) if fields is None else fields
    computed = live_computed(report, fields) if report.status in EDITABLE else {}
    out: dict[str, Any] = {}
    for f in fields:
        if f.kind == FieldKind.COMPUTED:
            out[f.key] = (
                computed.get(f.key) if report.status in EDITABLE else _stored_value(f, report.computed.get(f.key))
            )
        else:
            out[f.key] = _stored_value(f, report.values.get(f.key))
    return out


def _previous_values(report: Report, fields: list[FormField]) -> dict[str, Any]:
    prev = periods.previous_period(report.form, report.period_start)
    if prev is None:
        return {}
    earlier = Report.objects.filter(
        form=report.form, organisation=report.organisation, period_start=prev[0], status__in=REPORTED
    ).first()
    if earlier is not None:
        return values_of(earlier, fields)
    # No report sent for the previous period: its computed figures as they are now.
    codes = _metric_codes(fields)
    if not codes:
        return {}
    found = catalogue.compute(codes, report.organisation, prev[0], prev[1])
    return {f.key: found[f.metric] for f in fields if f.kind == FieldKind.COMPUTED and f.metric in found}


def watched(field: FormField) -> bool:
    """A numeric field whose fall needs explaining (not one where fewer is better)."""
    if field.kind not in NUMERIC_KINDS:
        return False
    return not (field.kind == FieldKind.COMPUTED and field.metric in catalogue.LOWER_IS_BETTER)


def falls_by_more_than_half(value: Any, previous: Any) -> bool:
    """A figure that fell by more than half from the previous period's (``DROP_NEEDS_COMMENT``)."""
    if not isinstance(value, (int, Decimal)) or not isinstance(previous, (int, Decimal)):
        return False
    if isinstance(value, bool) or isinstance(previous, bool) or previous <= 0:
        return False
    return Decimal(value) < Decimal(previous) * Decimal(str(1 - DROP_NEEDS_COMMENT))


def _children_sums(report: Report, fields: list[FormField]) -> tuple[dict[str, Any], int, int]:
    children = obligations.obliged_children(report.form, report.organisation)
    if not children:
        return {}, 0, 0
    sent = list(
        Report.objects.filter(
            form=report.form, period_start=report.period_start, organisation__in=children, status__in=REPORTED
        )
    )
    sums: dict[str, Any] = {}
    for child in sent:
        child.form = report.form  # the same form: its fields are read once
        for key, value in values_of(child, fields).items():
            if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
                sums[key] = sums.get(key, 0) + value
    for f in fields:
        if f.kind in NUMERIC_KINDS and f.key not in sums:
            sums[f.key] = 0
    return sums, len(sent), len(children)


def rows(report: Report) -> list[Row]:
    """The report's fields with their values, the previous period's, the children's sum (an
    organisation whose report rolls up obliged children) and the flags the page shows."""
    fields = _fields(report.form)
    current = values_of(report, fields)
    previous = _previous_values(report, fields)
    sums, reported, expected = _children_sums(report, fields)
    out: list[Row] = []
    for f in fields:
        value = current.get(f.key)
        child_sum = sums.get(f.key) if f.kind in NUMERIC_KINDS and expected else None
        out.append(
            Row(
                field=f,
                value=value,
                previous=previous.get(f.key),
                children_sum=child_sum,
                # Only a complete sum can disagree: while some obliged children have not sent
                # theirs, the page says "n of m sent" beside the sum and flags nothing.
                disagrees=child_sum is not None
                and value is not None
                and reported == expected
                and Decimal(child_sum) != Decimal(value),
                needs_comment=watched(f) and falls_by_more_than_half(value, previous.get(f.key)),
                comment=str(report.comments.get(f.key, "")),
                children_reported=reported,
                children_expected=expected,
            )
        )
    return out


# --- the rules of who ----------------------------------------------------------------------------


def _parent(organisation: Any) -> Any | None:
    step = Organisation.steplen
    if len(organisation.path) <= step:
        return None
    return Organisation.objects.filter(path=organisation.path[:-step]).first()


def _covers_level_above(user: Any, report: Report) -> bool:
    parent = _parent(report.organisation)
    if parent is None:  # a root's report: its own city administrators
        return _ROOT_ADMINS.allows(user, "approve", report.organisation)
    return Report.policy.allows_in(user, "approve", parent)


def _rolls_up(report: Report) -> bool:
    return bool(obligations.obliged_children(report.form, report.organisation))


def may(user: Any, action: str, report: Report) -> bool:
    """Whether ``user`` may do ``action`` ("view", "fill", "approve", "return", "unlock") to
    ``report`` now: the policy, where the grant sits and the report's state."""
    if action == "view":
        return Report.policy.allows(user, "view", report)
    if action == "fill":
        return report.status in EDITABLE and Report.policy.allows(user, "fill", report)
    if action == "approve":
        if report.status != ReportStatus.SUBMITTED:
            return False
        if is_system(user) or _covers_level_above(user, report):
            return True
        return _rolls_up(report) and Report.policy.allows(user, "approve", report)
    if action == "return":
        return report.status == ReportStatus.SUBMITTED and (is_system(user) or _covers_level_above(user, report))
    if action == "unlock":
        return report.status == ReportStatus.APPROVED and (is_system(user) or _covers_level_above(user, report))
    return False


def may_read_texts(user: Any, organisation: Any) -> bool:
    """Whether ``user`` reads the texts of ``organisation``'s reports (the text fields and the
    comments on falls: a unit may have typed a person's name there): those who fill or review
    reports there. Viewers and auditors read the figures only."""
    if is_system(user):
        return True
    return Report.policy.allows_in(user, "fill", organisation) or Report.policy.allows_in(
        user, "approve", organisation
    )


def may_in_state(user: Any, action: str, report: Report) -> bool:
    """Whether ``user`` could do ``action`` to ``report`` were it in the state the action needs
    (submitted for "approve"/"return", approved for "unlock"): who they are, not when."""
    needed = ReportStatus.APPROVED if action == "unlock" else ReportStatus.SUBMITTED
    if action not in ("approve", "return", "unlock"):
        return False
    original = report.status
    report.status = needed
    try:
        return may(user, action, report)
    finally:
        report.status = original


# --- writing -------------------------------------------------------------------------------------


def _lock(report: Report, version: Any) -> Report:
    locked = Report.objects.select_for_update().select_related("form", "organisation").get(pk=report.pk)
    versioning.check_version(locked, version)
    return locked


def _editable(report: Report) -> None:
    if report.status == ReportStatus.APPROVED:
        raise ServiceError(_("This report is approved and locked."), code="locked")
    if report.status not in EDITABLE:
        raise ServiceError(
            _("This report has been submitted: it can be changed only after it is returned."), code="submitted"
        )


def _whole(field: FormField, raw: Any) -> int:
    if isinstance(raw, bool):
        raise ServiceError(_("%(field)s: enter a whole number.") % {"field": field.label}, field=field.key)
    text = str(raw).strip().replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number != number.to_integral_value():
        raise ServiceError(_("%(field)s: enter a whole number.") % {"field": field.label}, field=field.key)
    if number < 0:
        raise ServiceError(_("%(field)s: a count cannot be negative.") % {"field": field.label}, field=field.key)
    if number > NUMBER_MAX:
        raise ServiceError(_("%(field)s: the number is too large.") % {"field": field.label}, field=field.key)
    return int(number)


def _amount(field: FormField, raw: Any) -> str:
    text = str(raw).strip().replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if isinstance(raw, bool) or number is None or not number.is_finite() or number != number.quantize(Decimal("0.01")):
        raise ServiceError(
            _("%(field)s: enter an amount in yuan with at most two decimals.") % {"field": field.label},
            field=field.key,
        )
    if number < 0:
        raise ServiceError(_("%(field)s: an amount cannot be negative.") % {"field": field.label}, field=field.key)
    if number > NUMBER_MAX:
        raise ServiceError(_("%(field)s: the number is too large.") % {"field": field.label}, field=field.key)
    return str(number.quantize(Decimal("0.01")))


def _clean_value(field: FormField, raw: Any) -> Any:
    """An entered value as stored (None: cleared)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if field.kind == FieldKind.NUMBER:
        return _whole(field, raw)
    if field.kind == FieldKind.AMOUNT:
        return _amount(field, raw)
    text = str(raw).strip()
    if len(text) > TEXT_MAX:
        raise ServiceError(
            _("%(field)s: at most %(limit)d characters, now %(count)d.")
            % {"field": field.label, "limit": TEXT_MAX, "count": len(text)},
            field=field.key,
        )
    return text


def _apply(report: Report, fields: list[FormField], values: dict[str, Any], comments: dict[str, Any]) -> None:
    by_key = {f.key: f for f in fields}
    for key, raw in (values or {}).items():
        field = by_key.get(key)
        if field is None:
            raise ServiceError(_("This form has no field %(key)s.") % {"key": key}, field=key)
        if field.kind == FieldKind.COMPUTED:
            raise ServiceError(
                _("%(field)s is computed by the system and cannot be entered.") % {"field": field.label}, field=key
            )
        cleaned = _clean_value(field, raw)
        if cleaned is None:
            report.values.pop(key, None)
        else:
            report.values[key] = cleaned
    for key, raw in (comments or {}).items():
        if key not in by_key:
            raise ServiceError(_("This form has no field %(key)s.") % {"key": key}, field=key)
        text = str(raw or "").strip()
        if len(text) > COMMENT_MAX:
            raise ServiceError(
                _("The comment on %(field)s: at most %(limit)d characters, now %(count)d.")
                % {"field": by_key[key].label, "limit": COMMENT_MAX, "count": len(text)},
                field=key,
            )
        if text:
            report.comments[key] = text
        else:
            report.comments.pop(key, None)


def _require_fill(actor: Any, report: Report) -> None:
    Report.policy.require(actor, "fill", report, _("You may not fill in this organisation's report."))


@transaction.atomic
def save_values(*, actor: Any, report: Report, values: dict, comments: dict | None = None, version: Any) -> Report:
    """Save entered values and comments of an editable report (nothing is required yet)."""
    report = _lock(report, version)
    _require_fill(actor, report)
    _editable(report)
    fields = _fields(report.form)
    report.values, report.comments = dict(report.values or {}), dict(report.comments or {})
    _apply(report, fields, values, comments or {})
    versioning.bump(report)
    report._history_user = actor if getattr(actor, "pk", None) else None  # type: ignore[attr-defined]
    report.save(update_fields=["values", "comments", "version"])
    audit.record(
        actor, "reports.save", obj=report, organisation=report.organisation, detail={"fields": sorted(values or {})}
    )
    return report


def _jsonable(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def validate_for_submission(report: Report, fields: list[FormField], computed: dict[str, Any]) -> None:
    """Required fields given, entered values well formed, a comment on every figure that fell by
    more than half from the previous period's; the first problem as a ``ServiceError``."""
    for f in fields:
        if f.kind == FieldKind.COMPUTED:
            continue
        raw = report.values.get(f.key)
        if raw is None or raw == "":
            if f.required:
                raise ServiceError(_("%(field)s is required.") % {"field": f.label}, field=f.key)
            continue
        _clean_value(f, raw)
    current = {**{f.key: _stored_value(f, report.values.get(f.key)) for f in fields}, **computed}
    previous = _previous_values(report, fields)
    for f in fields:
        if watched(f) and falls_by_more_than_half(current.get(f.key), previous.get(f.key)):
            if not str(report.comments.get(f.key, "")).strip():
                raise ServiceError(
                    _(
                        "%(field)s fell by more than half from the previous period's (%(previous)s to %(value)s): "
                        "say why in its comment."
                    )
                    % {"field": f.label, "previous": previous[f.key], "value": current[f.key]},
                    field=f.key,
                    code="comment_required",
                )


@transaction.atomic
def submit(
    *, actor: Any, report: Report, version: Any, values: dict | None = None, comments: dict | None = None
) -> Report:
    """Submit an editable report: the entered ``values``/``comments`` given with it are saved
    first; the computed figures are frozen; everything is validated."""
    report = _lock(report, version)
    _require_fill(actor, report)
    _editable(report)
    fields = _fields(report.form)
    report.values, report.comments = dict(report.values or {}), dict(report.comments or {})
    _apply(report, fields, values or {}, comments or {})
    computed = live_computed(report, fields)
    validate_for_submission(report, fields, computed)
    now = timezone.now()
    user = actor if getattr(actor, "pk", None) else None
    report.computed = {key: _jsonable(value) for key, value in computed.items()}
    report.status = ReportStatus.SUBMITTED
    report.submitted_at, report.submitted_by = now, user
    versioning.bump(report)
    report._history_user = user  # type: ignore[attr-defined]
    report.save()
    audit.record(
        actor,
        "reports.submit",
        obj=report,
        organisation=report.organisation,
        detail={"late": now > report.due_at, "resubmitted": report.returned_at is not None},
    )
    return report


def children_not_approved(report: Report) -> list[Organisation]:
    """The obliged children whose report of the period is not approved (none: approvable)."""
    children = obligations.obliged_children(report.form, report.organisation)
    if not children:
        return []
    approved = set(
        Report.objects.filter(
            form=report.form, period_start=report.period_start, organisation__in=children, status=ReportStatus.APPROVED
        ).values_list("organisation_id", flat=True)
    )
    return [c for c in children if c.pk not in approved]


@transaction.atomic
def approve(*, actor: Any, report: Report, version: Any) -> Report:
    """Approve (and so lock) a submitted report: the level above, or the organisation's own
    administrators for a report that rolls up obliged children; never before every obliged
    child's report of the period is approved."""
    report = _lock(report, version)
    if report.status != ReportStatus.SUBMITTED:
        raise ServiceError(_("Only a submitted report can be approved."), code="not_submitted")
    if not may(actor, "approve", report):
        raise NotAllowed(_("The level above approves this report."))
    waiting = children_not_approved(report)
    if waiting:
        raise ServiceError(
            _("%(count)d obliged organisations' reports of this period are not approved yet, e.g. %(name)s.")
            % {"count": len(waiting), "name": waiting[0].name},
            code="children_not_approved",
        )
    user = actor if getattr(actor, "pk", None) else None
    report.status = ReportStatus.APPROVED
    report.approved_at, report.approved_by = timezone.now(), user
    versioning.bump(report)
    report._history_user = user  # type: ignore[attr-defined]
    report.save()
    audit.record(actor, "reports.approve", obj=report, organisation=report.organisation)
    return report


@transaction.atomic
def return_report(*, actor: Any, report: Report, comment: str, version: Any) -> Report:
    """Return a submitted report to its organisation with the reviewer's comment (required)."""
    report = _lock(report, version)
    if report.status != ReportStatus.SUBMITTED:
        raise ServiceError(_("Only a submitted report can be returned."), code="not_submitted")
    if not may(actor, "return", report):
        raise NotAllowed(_("The level above reviews this report."))
    comment = (comment or "").strip()
    if not comment:
        raise ServiceError(_("Say what is to be corrected."), field="comment")
    if len(comment) > COMMENT_MAX:
        raise ServiceError(
            _("At most %(limit)d characters, now %(count)d.") % {"limit": COMMENT_MAX, "count": len(comment)},
            field="comment",
        )
    user = actor if getattr(actor, "pk", None) else None
    report.status = ReportStatus.RETURNED
    report.returned_at, report.returned_by, report.return_comment = timezone.now(), user, comment
    versioning.bump(report)
    report._history_user = user  # type: ignore[attr-defined]
    report.save()
    audit.record(actor, "reports.return", obj=report, organisation=report.organisation)
    return report


def parent_report(report: Report) -> Report | None:
    """The report of the same period of the nearest obliged ancestor (which rolls this one up)."""
    parent = obligations.obliged_parent(report.form, report.organisation)
    if parent is None:
        return None
    return Report.objects.filter(form=report.form, organisation=parent, period_start=report.period_start).first()


@transaction.atomic
def unlock(*, actor: Any, report: Report, reason: str, version: Any) -> Report:
    """Unlock an approved report (back to submitted, so it can be returned and corrected): the
    level above only, and only while the report that rolls it up is not approved."""
    report = _lock(report, version)
    if report.status != ReportStatus.APPROVED:
        raise ServiceError(_("Only an approved report can be unlocked."), code="not_approved")
    if not may(actor, "unlock", report):
        raise NotAllowed(_("Only the level above may unlock this report."))
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Give the reason for unlocking."), field="reason")
    if len(reason) > REASON_MAX:
        raise ServiceError(
            _("At most %(limit)d characters, now %(count)d.") % {"limit": REASON_MAX, "count": len(reason)},
            field="reason",
        )
    above = parent_report(report)
    if above is not None and above.status == ReportStatus.APPROVED:
        raise ServiceError(
            _("%(name)s's report of this period is approved: unlock it first.") % {"name": above.organisation.name},
            code="parent_approved",
        )
    user = actor if getattr(actor, "pk", None) else None
    report.status = ReportStatus.SUBMITTED
    report.unlocked_at, report.unlocked_by = timezone.now(), user
    versioning.bump(report)
    report._history_user = user  # type: ignore[attr-defined]
    report.save()
    audit.record(actor, "reports.unlock", obj=report, organisation=report.organisation, detail={"reason": reason})
    return report
