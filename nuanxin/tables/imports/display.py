"""What a planned row will change, as lines of text for the page and the rejects file."""

from __future__ import annotations

from django.utils.translation import gettext as _

from nuanxin.registry import normalise
from nuanxin.registry.choices import Carrier, Gender, PersonnelCategory, TeamType
from nuanxin.tables.imports.messages import render_all

LABELS = {
    "gender": ("Gender", Gender),
    "category": ("Personnel category", PersonnelCategory),
    "post_title": ("Post and title", None),
    "team": ("Frontline team", TeamType),
    "contact_name_hint": ("Union contact (as written)", None),
    "mobile": ("Mobile", None),
    "deployed_mobile": ("Mobile used in Wuhan", None),
    "carrier": ("Carrier", Carrier),
    "relation": ("Relation", None),
}


_ORDER = {field: n for n, field in enumerate(LABELS)}


def _label(field: str) -> str:
    label = LABELS.get(field, (field, None))[0]
    return {
        "Gender": _("Gender"),
        "Personnel category": _("Personnel category"),
        "Post and title": _("Post and title"),
        "Frontline team": _("Frontline team"),
        "Union contact (as written)": _("Union contact (as written)"),
        "Mobile": _("Mobile"),
        "Mobile used in Wuhan": _("Mobile used in Wuhan"),
        "Carrier": _("Carrier"),
        "Relation": _("Relation"),
    }.get(label, label)


def _value(field: str, value, *, stored: bool = False) -> str:
    """One value of a change. A phone number already in the register (``stored``) is shown
    masked: the preview reveals nothing of the register that the file did not bring."""
    if not value:
        return "—"
    choices = LABELS.get(field, (None, None))[1]
    if choices is not None and value in choices.values:
        return str(choices(value).label)
    if field in ("mobile", "deployed_mobile"):
        return normalise.mask(value) if stored else normalise.national(value)
    return str(value)


def describe(row) -> list[str]:
    """The changes of one row: "性别: — → 男", "家属 李娜（妻）138…", ..."""
    lines = []
    ch = row.changes or {}
    worker = ch.get("worker") or {}
    # in the columns' order: PostgreSQL's jsonb does not keep the order the dry run wrote
    for field, (old, new) in sorted(worker.items(), key=lambda item: _ORDER.get(item[0], len(_ORDER))):
        lines.append(f"{_label(field)}: {_value(field, old, stored=True)} → {_value(field, new)}")
    for add in ch.get("family_add", []):
        relation = f"（{add['relation']}）" if add.get("relation") else ""
        phone = f" {normalise.national(add['mobile'])}" if add.get("mobile") else ""
        lines.append(_("Add family member %(who)s") % {"who": f"{add['name']}{relation}{phone}"})
    for upd in ch.get("family_update", []):
        for field in ("mobile", "relation"):
            if field in upd:
                old, new = upd[field]
                values = {"field": _label(field), "old": _value(field, old, stored=True), "new": _value(field, new)}
                lines.append(_("Family member: %(field)s %(old)s → %(new)s") % values)
    if ch.get("assign"):
        lines.append(_("Assign care contact %(name)s") % {"name": ch["assign"]["name"]})
    if ch.get("difficulty"):
        lines.append(_("Open a difficulty: %(text)s") % {"text": ch["difficulty"]})
    dep = ch.get("deployment")
    if dep:
        for field in ("deployed_mobile", "carrier"):
            if field in dep:
                old, new = dep[field]
                lines.append(f"{_label(field)}: {_value(field, old, stored=True)} → {_value(field, new)}")
    return lines


def messages_of(row) -> list[str]:
    return render_all(row.reasons)


def outside_scope(user, rows) -> set[int]:
    """Indexes of ``rows`` whose worker lies outside ``user``'s scope. A dry run by a user with a
    wider scope (the city federation) may update a worker registered in another district; a
    district administrator looking at that batch learns nothing of the worker from it."""
    from nuanxin.orgs import scope
    from nuanxin.registry.choices import REGISTER_CHANGE_ROLES
    from nuanxin.registry.models import Worker

    ids = {r.worker_id for r in rows if r.worker_id}
    if not ids:
        return set()
    q = scope.scope_q(user, REGISTER_CHANGE_ROLES, "organisation__path")
    visible = set() if q is None else set(Worker.objects.filter(q, pk__in=ids).values_list("pk", flat=True))
    return {r.index for r in rows if r.worker_id and r.worker_id not in visible}


def shown(user, rows) -> list[dict]:
    """What ``user`` may see of each of ``rows`` (page and API alike): its messages and changes,
    or for a row about a worker outside their scope only that it is registered elsewhere."""
    from nuanxin.tables.imports.messages import reason, render

    hidden = outside_scope(user, rows)
    elsewhere = [render(reason("registered_elsewhere"))]
    return [
        {
            "row": r,
            "hidden": r.index in hidden,
            "worker": None if r.index in hidden else r.worker_id,
            "messages": elsewhere if r.index in hidden else messages_of(r),
            "changes": [] if r.index in hidden else describe(r),
        }
        for r in rows
    ]


def unit_assumed(item: dict) -> str:
    """The warning of a shown row whose unit was not recognised and was taken as the single unit
    chosen for the import (shown in the warning colour, with a badge), or ""."""
    from nuanxin.tables.imports.messages import render

    if item["hidden"]:
        return ""
    for note in item["row"].reasons or []:
        if isinstance(note, dict) and note.get("code") == "unit_assumed":
            return render(note)
    return ""


def assumed_count(batch) -> int:
    """How many rows of a batch into a single unit had their unit taken as that unit's (the
    count at the top of the page). Only a unit with nothing under it assumes; for any other
    batch nothing is counted (no query over a city-wide file's rows)."""
    from django.db.models import TextField
    from django.db.models.functions import Cast

    from nuanxin.orgs.models import Organisation
    from nuanxin.registry.import_models import BatchStatus, ImportRow

    if batch.is_busy or batch.status in (BatchStatus.REFUSED, BatchStatus.FAILED):
        return 0
    org = batch.organisation
    if Organisation.objects.filter(path__startswith=org.path).exclude(pk=org.pk).exists():
        return 0
    return (
        ImportRow.objects.filter(batch_id=batch.pk)
        .annotate(notes_text=Cast("reasons", TextField()))
        .filter(notes_text__contains='"unit_assumed"')
        .count()
    )
