"""Reasons and notes of import rows, stored as codes with parameters and rendered through
gettext when shown, so the page, the API, the command and the rejects file speak the
user's language (Chinese by default) from the same stored plan."""

from __future__ import annotations

from django.utils.translation import gettext as _

from nuanxin.core import plaintext


def reason(code: str, **params) -> dict:
    return {"code": code, "params": params}


def _texts() -> dict[str, str]:
    return {
        # rejections
        "missing_name": _("The name is empty."),
        "bad_name": _("“%(value)s” is not a person's name."),
        "name_too_long": _("The name is longer than 50 characters."),
        "invisible_chars": plaintext.refusal_template(),
        "missing_mobile": _(
            "The worker's phone (the first 联系方式 column) is empty; it is needed to tell people apart."
        ),
        "bad_phone": _("%(column)s: “%(value)s” is not a valid phone number."),
        "bad_gender": _("Gender “%(value)s” is neither 男 nor 女."),
        "bad_category": _("Personnel category “%(value)s” is not one of 医生, 护士, 医技, 管理, 后勤, 其他."),
        "bad_team": _("Team “%(value)s” is not a known frontline team."),
        "bad_carrier": _("Carrier “%(value)s” is not one of 移动, 联通, 电信, 广电."),
        "too_long": _("%(column)s is longer than %(max)s characters."),
        "family_phone_without_name": _("A family phone “%(value)s” has no family name beside it."),
        "unit_unknown": _("Unit “%(value)s” is not an organisation under %(org)s."),
        "unit_outside_org": _(
            "Unit “%(value)s” is not under %(org)s, the organisation selected for this import; "
            "import it into an organisation that covers it."
        ),
        "registered_elsewhere": _(
            "This person is already in the register under an organisation outside your scope; "
            "ask that organisation or a city administrator."
        ),
        "no_aid_worker": _("No Hubei aid-team worker named “%(name)s” in %(unit)s; import table 1 first."),
        "no_aid_worker_guessed": _(
            "Unit “%(value)s” was taken as %(unit)s, which has no Hubei aid-team worker named “%(name)s”; "
            "check the unit (write the organisation's name as in the tree), or import table 1 first."
        ),
        "ambiguous_aid_worker": _(
            "%(count)s Hubei aid-team workers are named “%(name)s” in %(unit)s; give the unit in the 单位 column."
        ),
        "missing_deployed_phone": _("The phone used in Wuhan is empty."),
        "skipped_by_user": _("Not imported: a person decided to skip this likely duplicate."),
        "undecided": _("Not imported: nobody decided whether this is a person already in the register."),
        "unit_skipped": _("Not imported: a person decided that none of the organisations offered is the row's unit."),
        "unit_undecided": _("Not imported: nobody confirmed which organisation the unit “%(value)s” is."),
        # notes
        "same_as_row": _("Same person as row %(line)s of sheet “%(sheet)s”."),
        "other_unit": _("Already in the register under %(unit)s; the unit is kept."),
        "likely_duplicate": _(
            "Same name in the same unit but a different phone: decide whether this is the same person."
        ),
        "decided_same": _("Decided: the same person as an existing record."),
        "unit_matched": _("Unit “%(value)s” was taken as %(unit)s."),
        "unit_assumed": _(
            "Unit “%(value)s” is not the name of this unit (%(unit)s); the row is taken as this unit's. "
            "Check it."
        ),
        "unit_close": _(
            "Unit “%(value)s” is not the name of an organisation under %(org)s; confirm which of these it is, "
            "or do not import the row."
        ),
        "unit_confirmed": _("Decided: the unit “%(value)s” is %(unit)s."),
        "decided_new": _("Decided: a new person."),
        "contact_matched": _("Care contact %(name)s will be assigned."),
        "contact_kept": _(
            "Union contact “%(name)s” is not a care contact of this unit; kept as text for assignment later."
        ),
        "contact_ambiguous": _("Several care contacts are named “%(name)s”; kept as text for assignment later."),
        "contact_no_campaign": _("No care campaign is running; union contact “%(name)s” kept as text."),
        "contact_other": _("The family already has care contact %(name)s; left as it is."),
        "difficulty_exists": _("The same difficulty is already open."),
        "difficulty_in_row": _(
            "The same difficulty comes with row %(line)s of sheet “%(sheet)s”; it is opened once."
        ),
        "carrier_suggested": _("Carrier taken from the number segment: %(carrier)s."),
        "team_default": _("The sheet does not say which team; %(team)s was used."),
        "family_continued": _("Family members continued on row %(line)s."),
        "blank_kept": _("Empty cells do not erase what the register holds."),
    }


# Codes that older plans stored and that now read as another code's text: a unit outside the
# user's scope is answered like an unknown one (nothing tells the two apart).
_SAME_TEXT = {"unit_outside_scope": "unit_unknown"}


def render(item: dict) -> str:
    """One stored reason or note as text in the active language."""
    from nuanxin.registry.choices import Carrier, TeamType

    code = item.get("code", "")
    template = _texts().get(_SAME_TEXT.get(code, code), code)
    params = dict(item.get("params") or {})
    if params.get("carrier") in Carrier.values:
        params["carrier"] = Carrier(params["carrier"]).label
    if params.get("team") in TeamType.values:
        params["team"] = TeamType(params["team"]).label
    try:
        return template % params if params else template
    except (KeyError, TypeError, ValueError):
        return template


def render_all(items) -> list[str]:
    return [render(i) for i in items or []]


def join_messages(messages: list[str]) -> str:
    """Several reasons in one cell: each a sentence of its own ("…号码。…女。", "... number. Gender ...")."""
    joined = ""
    for message in messages:
        message = message.strip()
        if not message:
            continue
        if joined and not joined.endswith(("。", "！", "？", "；")):
            joined += " "
        joined += message
    return joined
