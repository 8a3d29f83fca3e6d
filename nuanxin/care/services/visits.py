"""Visits (走访): recorded, edited and deleted by the family's care contact or an admin."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nuanxin.care import weeks
from nuanxin.care.choices import (
    DifficultyCategory,
    DifficultySource,
    Urgency,
    VisitMode,
)
from nuanxin.care.models import (
    Campaign,
    CareAssignment,
    Visit,
    VisitDuty,
    VisitItem,
)
from nuanxin.care.services.difficulties import open_difficulty
from nuanxin.care.services.duties import _recompute_duties
from nuanxin.cases.services import user_of as _user
from nuanxin.core import audit, plaintext, versioning
from nuanxin.core.errors import ServiceError
from nuanxin.registry.models import Worker

# --- visits ---------------------------------------------------------------------------------


# The largest quantity and value of a necessity (VisitItem.quantity holds 10 digits, 2 after
# the point; the value is held to the same bound): the forms and the API say this number.
ITEM_NUMBER_MAX = Decimal("99999999.99")


def too_large_message(limit: Decimal = ITEM_NUMBER_MAX) -> str:
    """The message of a number above ``limit``, naming it (99,999,999.99)."""
    return _("Enter a number no larger than %(max)s.") % {"max": f"{limit:,}"}


def _clean_items(items) -> list[dict]:
    cleaned = []
    for index, raw in enumerate(items or []):
        item = plaintext.line(str(raw.get("item", "") or ""), field=f"items.{index}.item", label=_("Item"))
        if not item:
            if any(str(raw.get(k, "") or "").strip() for k in ("quantity", "value", "unit")):
                raise ServiceError(_("Name the item delivered."), field=f"items.{index}.item")
            continue
        if len(item) > 100:
            raise ServiceError(_("The item must be at most 100 characters."), field=f"items.{index}.item")
        values = {}
        for key, default in (("quantity", Decimal(1)), ("value", Decimal(0))):
            value = raw.get(key)
            if value in (None, ""):
                values[key] = default
                continue
            try:
                value = Decimal(str(value).strip().replace(",", "").replace("¥", "").replace("￥", ""))
            except InvalidOperation:
                raise ServiceError(_("Enter a number."), field=f"items.{index}.{key}") from None
            if not value.is_finite():
                raise ServiceError(_("Enter a number."), field=f"items.{index}.{key}")
            if value < 0:
                raise ServiceError(_("Enter a number that is not negative."), field=f"items.{index}.{key}")
            value = value.quantize(Decimal("0.01")) if value <= ITEM_NUMBER_MAX else value
            if value > ITEM_NUMBER_MAX:
                raise ServiceError(too_large_message(), field=f"items.{index}.{key}")
            values[key] = value
        unit = plaintext.line(str(raw.get("unit", "") or ""), field=f"items.{index}.unit", label=_("Unit"))[:20]
        cleaned.append({"item": item, "quantity": values["quantity"], "unit": unit, "value": values["value"]})
    return cleaned


def _clean_visit_fields(values: dict) -> dict:
    cleaned: dict[str, Any] = {}
    if "on" in values:
        on = values["on"]
        if not isinstance(on, date):
            raise ServiceError(_("Enter the date of the visit."), field="on")
        if on > timezone.localdate():
            raise ServiceError(_("A visit cannot be in the future."), field="on")
        cleaned["on"] = on
    if "mode" in values:
        if values["mode"] not in VisitMode.values:
            raise ServiceError(_("Choose how the family was visited."), field="mode")
        cleaned["mode"] = values["mode"]
    for field, limit in (("visitors", 200), ("state_of_mind", 5000), ("opinions", 5000), ("notes", 5000)):
        if field in values:
            model_field = Visit._meta.get_field(field)
            assert isinstance(model_field, models.Field)  # visitors, state_of_mind, ...: columns
            label = model_field.verbose_name
            clean = plaintext.line if field == "visitors" else plaintext.notes
            text = clean(values[field] or "", field=field, label=label)
            if len(text) > limit:
                raise ServiceError(_("This text must be at most %(limit)d characters.") % {"limit": limit}, field=field)
            cleaned[field] = text
    return cleaned


def _campaign_for_visit(worker: Worker, on: date) -> Campaign | None:
    """The campaign a visit on ``on`` counts in: that week's duty's, else the campaign of one of
    the family's current assignments that was running on ``on`` (the latest assigned), else the
    latest assigned one's (``_check_visit_day`` then refuses a day before its start)."""
    duty = VisitDuty.objects.filter(worker=worker, week=weeks.monday(on)).order_by("campaign_id").first()
    if duty is not None:
        return duty.campaign
    assignments = list(
        CareAssignment.objects.current().filter(worker=worker).select_related("campaign").order_by("-started_at")
    )
    running = [a for a in assignments if a.campaign.starts_on <= on]
    chosen = (running or assignments or [None])[0]
    return chosen.campaign if chosen else None


def _check_visit_day(on: date, campaign: Campaign | None) -> None:
    """A visit counts in a campaign and cannot be dated before it started (year 1, 1900 or a
    mistyped year would count in today's campaign otherwise); one that counts in no campaign
    must lie within the days some campaign ran (from the first campaign's start)."""
    if campaign is not None:
        if on < campaign.starts_on:
            raise ServiceError(
                _("The visit cannot be dated before %(start)s, when the campaign “%(campaign)s” it counts in started.")
                % {"start": campaign.starts_on.isoformat(), "campaign": campaign.name},
                field="on",
            )
        return
    first = Campaign.objects.order_by("starts_on").values_list("starts_on", flat=True).first()
    if first is None:
        raise ServiceError(_("Visits can be recorded once a care campaign has started."), field="on")
    if on < first:
        raise ServiceError(
            _(
                "No care campaign ran on %(day)s: a visit can be dated from %(first)s (the first campaign's start) "
                "to today."
            )
            % {"day": on.isoformat(), "first": first.isoformat()},
            field="on",
        )


def _visit_snapshot(visit: Visit) -> dict:
    return {
        "on": visit.on.isoformat(),
        "mode": visit.mode,
        "items": [[i.item, str(i.quantity), i.unit, str(i.value)] for i in visit.items.all()],
    }


@transaction.atomic
def record_visit(
    *,
    actor,
    worker: Worker,
    on: date,
    mode: str = VisitMode.HOME,
    visitors: str = "",
    state_of_mind: str = "",
    opinions: str = "",
    notes: str = "",
    items: Iterable[dict] = (),
    difficulties: Iterable[dict] = (),
    campaign: Campaign | None = None,
) -> Visit:
    """Log a visit to a worker's family, with the necessities delivered and the difficulties
    raised in it; the duty of that week becomes done."""
    worker = Worker.objects.select_related("organisation").get(pk=worker.pk)
    Visit.policy.require(actor, "change", Visit(worker=worker), _("You may not log visits for this family."))
    fields = _clean_visit_fields(
        {
            "on": on,
            "mode": mode,
            "visitors": visitors,
            "state_of_mind": state_of_mind,
            "opinions": opinions,
            "notes": notes,
        }
    )
    item_rows = _clean_items(items)
    difficulty_rows = [d for d in (difficulties or []) if (d.get("description") or "").strip()]
    campaign = campaign or _campaign_for_visit(worker, fields["on"])
    _check_visit_day(fields["on"], campaign)
    visit = Visit(worker=worker, campaign=campaign, **fields)
    visit.recorded_by = _user(actor)
    visit._history_user = _user(actor)
    visit.save()
    for row in item_rows:
        VisitItem.objects.create(visit=visit, **row)
    for row in difficulty_rows:
        open_difficulty(
            actor=actor,
            worker=worker,
            description=row.get("description", ""),
            category=row.get("category") or DifficultyCategory.OTHER,
            urgency=row.get("urgency") or Urgency.NORMAL,
            source=DifficultySource.VISIT,
            campaign=visit.campaign,
            visit=visit,
        )
    _recompute_duties(worker.pk, [visit.week])
    audit.record(
        actor,
        "visit.record",
        obj=visit,
        organisation=worker.organisation,
        detail={**_visit_snapshot(visit), "worker": worker.pk, "difficulties": len(difficulty_rows)},
    )
    return visit


# Visits logged to one family within this many minutes are pointed out (the visit form warns
# before a new one, the page after saving one): a double tap or a visit logged twice by two
# people. They are not refused: two calls in ten minutes can be real (the line dropped).
RECENT_MINUTES = 10


def recent_visits(worker: Worker, *, now=None) -> list[Visit]:
    """The family's visits recorded in the last ``RECENT_MINUTES`` minutes, newest first."""
    since = (now or timezone.now()) - timedelta(minutes=RECENT_MINUTES)
    return list(
        Visit.objects.filter(worker=worker, created_at__gte=since).select_related("recorded_by").order_by("-created_at")
    )


# The visit's own wording of core/versioning.py's conflict message.
_VISIT_CONFLICT = gettext_lazy(
    "%(who)s changed this visit at %(when)s, after you opened it. Your changes were not saved: "
    "reload the visit to see theirs, then make yours again."
)


@transaction.atomic
def update_visit(*, actor, visit: Visit, version: int, items: Iterable[dict] | None = None, **changes) -> Visit:
    """Change a visit. ``version`` is the version the edit started from; if someone saved the
    visit since, nothing is saved and ``Conflict`` says who and when (no silent overwrite).
    ``items``, when given, replaces the list of necessities."""
    visit = Visit.objects.select_for_update().select_related("worker__organisation").get(pk=visit.pk)
    Visit.policy.require(actor, "change", visit, _("You may not change this family's visits."))
    unknown = set(changes) - {"on", "mode", "visitors", "state_of_mind", "opinions", "notes"}
    if unknown:
        raise ServiceError(_("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    versioning.check_version(visit, version, text=_VISIT_CONFLICT)
    cleaned = _clean_visit_fields(changes)
    if "on" in cleaned and cleaned["on"] != visit.on:
        _check_visit_day(cleaned["on"], visit.campaign)
    old_week = visit.week
    before = _visit_snapshot(visit)
    changed = [f for f, v in cleaned.items() if getattr(visit, f) != v]
    for field in changed:
        setattr(visit, field, cleaned[field])
    items_changed = False
    if items is not None:
        rows = _clean_items(items)
        current = [(i.item, i.quantity, i.unit, i.value) for i in visit.items.all()]
        if current != [(r["item"], r["quantity"], r["unit"], r["value"]) for r in rows]:
            items_changed = True
            for old in visit.items.all():
                old._history_user = _user(actor)
                old.delete()
            for row in rows:
                item = VisitItem(visit=visit, **row)
                item._history_user = _user(actor)
                item.save()
    if not changed and not items_changed:
        return visit
    versioning.bump(visit)
    visit._history_user = _user(actor)
    visit.save()
    _recompute_duties(visit.worker_id, {old_week, visit.week})
    audit.record(
        actor,
        "visit.update",
        obj=visit,
        organisation=visit.worker.organisation,
        detail={"changed": changed + (["items"] if items_changed else []), "before": before, "version": visit.version},
    )
    return visit


@transaction.atomic
def delete_visit(*, actor, visit: Visit, version: int | None = None) -> None:
    """Remove a visit logged by mistake; its week's duty is due (or missed) again unless
    another visit in that week fulfils it. The deleted visit stays in the history."""
    visit = Visit.objects.select_for_update().select_related("worker__organisation").get(pk=visit.pk)
    Visit.policy.require(actor, "change", visit, _("You may not change this family's visits."))
    versioning.check_version(visit, version, text=_VISIT_CONFLICT)
    snapshot = {**_visit_snapshot(visit), "worker": visit.worker_id}
    week, worker_id, organisation = visit.week, visit.worker_id, visit.worker.organisation
    pk = visit.pk
    visit._history_user = _user(actor)
    visit.delete()
    _recompute_duties(worker_id, [week])
    audit.record(
        actor, "visit.delete", object_type="care.visit", object_id=pk, organisation=organisation, detail=snapshot
    )
