"""What a planned row will change, as lines of text for the page and the rejects file."""

from __future__ import annotations

from django.utils.translation import gettext as _

from nuanxin.registry import normalise
from nuanxin.registry.choices import Carrier, Gender, PersonnelCategory, TeamType
from nuanxin.registry.imports.messages import render_all

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
    for field, (old, new) in (ch.get("worker") or {}).items():
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
