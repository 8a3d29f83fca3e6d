"""Turning the cells of one data row into normalised values, or reasons to reject it."""

from __future__ import annotations

import re
from functools import lru_cache

from nuanxin.core import plaintext
from nuanxin.registry import normalise
from nuanxin.registry.choices import CARRIER_ALIASES, CATEGORY_ALIASES, GENDER_ALIASES, TeamType
from nuanxin.tables.imports import headers as h
from nuanxin.tables.imports.messages import reason

_FOOTER = re.compile(r"^(填表人|填报人|审核人|负责人|制表|合计|总计|注[:：]|说明|备注[:：])")
_SPLIT = re.compile(r"[、,，;；/|\n]+")
_PAREN = re.compile(r"^(?P<name>[^（(]*)[（(](?P<rel>[^）)]*)[）)]?\s*(?P<rest>.*)$")
_RELATION_FIRST = re.compile(r"^(?P<rel>[^:：]{1,6})[:：](?P<name>.+)$")
_NO_DIFFICULTY = {"", "无", "没有", "暂无", "无困难", "无。", "-", "--", "/", "\\", "否", "none", "n/a", "na", "0"}
_HAN = re.compile(r"[\u4e00-\u9fff]")
_HEADER_WORD_COLUMNS = (h.NAME, h.WORKER_PHONE, h.FAMILY_NAME)


def cell(cells: list[str], columns: dict[str, int], key: str) -> str:
    position = columns.get(key)
    if position is None or position >= len(cells):
        return ""
    return cells[position]


# Cells with few different values (gender, category, post, team, relation, unit, contact,
# difficulty) are normalised once per value; names and phones, different on every row, are not
# worth a cache entry.
_short_text = lru_cache(maxsize=4096)(normalise.text)


def skip_row(cells: list[str], columns: dict[str, int]) -> bool:
    """``is_blank(...) or is_footer(...)`` reading the first filled cell once."""
    seq = columns.get(h.SEQ)
    for i, c in enumerate(cells):
        if not c:
            continue
        text = normalise.text(c)
        if not text:
            continue
        if i == seq:
            if _FOOTER.match(text):
                return True
            continue
        return bool(_FOOTER.match(text))
    return True


def is_blank(cells: list[str], columns: dict[str, int]) -> bool:
    seq = columns.get(h.SEQ)
    return all(not normalise.text(c) for i, c in enumerate(cells) if i != seq)


def is_footer(cells: list[str], columns: dict[str, int]) -> bool:
    """A 填表人 / 合计 / 注 row below the data; often typed into the 序号 column (column A)."""
    seq = columns.get(h.SEQ)
    for i, c in enumerate(cells):
        text = normalise.text(c)
        if not text:
            continue
        if _FOOTER.match(text):
            return True
        if i != seq:
            return False
    return False


_KEY_DROP = re.compile(r"[\s·.]")


def key_of_name(value: str) -> str:
    """``normalise.name_key`` of a value that ``normalise.name`` returned (name is idempotent,
    so it need not run again; a test holds the two equal)."""
    return _KEY_DROP.sub("", value).lower()


@lru_cache(maxsize=8192)
def person_name(raw: str) -> tuple[str, str, str]:
    """(name, name_key, reason code or "")."""
    value = normalise.name(raw)
    if not value:
        return "", "", "missing_name"
    if len(value) > 50:
        return value, "", "name_too_long"
    if any(map(str.isdigit, value)):
        return value, "", "bad_name"
    return value, key_of_name(value), ""


# The text cells of a row, with the column the refusal names, checked for control and direction
# characters (core/plaintext.py): a row holding one is rejected, like the page refuses it.
_TEXT_COLUMNS = (
    (h.NAME, "姓名"), (h.GENDER, "性别"), (h.CATEGORY, "人员类别"), (h.POST, "职务职称"), (h.UNIT, "单位"),
    (h.TEAM, "一线团队"), (h.CONTACT, "工会联系人姓名"), (h.FAMILY_NAME, "家属姓名"), (h.RELATION, "与职工关系"),
    (h.CARRIER, "运营商"),
)


def refuse_invisible(cells: list[str], columns: dict[str, int], reasons: list) -> None:
    """Add a reason for each text cell of the row holding a control or direction character (the
    2020 tables' free text, 存在困难, may keep its line breaks)."""
    for key, column in _TEXT_COLUMNS:
        raw = cell(cells, columns, key)
        if raw and type(raw) is str:
            chars = plaintext.refused_chars(raw)
            if chars:
                reasons.append(reason("invisible_chars", field=column, chars=chars))
    raw = cell(cells, columns, h.DIFFICULTY)
    if raw and type(raw) is str:
        chars = plaintext.refused_chars(raw, multiline=True)
        if chars:
            reasons.append(reason("invisible_chars", field="存在困难", chars=chars))


def phone_value(raw: str, column: str, reasons: list) -> str:
    try:
        return normalise.phone(raw)
    except normalise.InvalidValue:
        reasons.append(reason("bad_phone", column=column, value=normalise.text(raw)))
        return ""


def alias_value(raw: str, aliases: dict, code: str, reasons: list, contains: bool = False) -> str:
    name = _ALIAS_NAMES.get(id(aliases))
    if name is not None:
        value, text = _alias_cached(raw, name, contains)
    else:
        value, text = _alias_lookup(raw, aliases, contains)
    if value is None:
        reasons.append(reason(code, value=text))
        return ""
    return value


_ALIAS_TABLES = {"gender": GENDER_ALIASES, "category": CATEGORY_ALIASES, "carrier": CARRIER_ALIASES}
_ALIAS_NAMES = {id(table): name for name, table in _ALIAS_TABLES.items()}


@lru_cache(maxsize=4096)
def _alias_cached(raw: str, name: str, contains: bool) -> tuple[str | None, str]:
    return _alias_lookup(raw, _ALIAS_TABLES[name], contains)


def _alias_lookup(raw: str, aliases: dict, contains: bool) -> tuple[str | None, str]:
    """(the value, or None when the text is no known alias; the cell's text)."""
    text = normalise.text(raw).replace(" ", "")
    if not text:
        return "", ""
    value = aliases.get(text) or aliases.get(text.lower())
    if value is None and contains:
        for alias in sorted(aliases, key=len, reverse=True):
            if len(alias) >= 2 and alias in text:
                value = aliases[alias]
                break
    return (None if value is None else str(value)), text


def text_value(raw: str, column: str, max_len: int, reasons: list) -> str:
    value = _short_text(raw)
    if len(value) > max_len:
        reasons.append(reason("too_long", column=column, max=max_len))
        return value[:max_len]
    return value


def split_family(names_raw: str, phones_raw: str, relation_raw: str, reasons: list) -> list[dict]:
    """Family members from the 家属姓名 and family 联系方式 cells, which may list several people:
    "李四（妻）、王五(母亲)" with "13800000000、13900000000"."""
    names_text = normalise.text(names_raw)
    names = [n.strip() for n in _SPLIT.split(names_text) if n.strip()] if names_text else []
    if len(names) == 1 and " " in names[0] and _HAN.search(names[0]):
        parts = names[0].split(" ")
        if all(len(_PAREN.sub(r"\g<name>", p)) >= 2 for p in parts):
            names = parts
    phones_text = normalise.text(phones_raw)
    phones: list[str] = []
    for piece in _SPLIT.split(phones_text) if phones_text else []:
        piece = piece.strip()
        if not piece:
            continue
        if len(piece) >= 22 and " " in piece and sum(map(str.isdigit, piece)) >= 22:
            phones.extend(p for p in piece.split(" ") if p)
        else:
            phones.append(piece)
    members = []
    for position, entry in enumerate(names):
        relation = ""
        match = _PAREN.match(entry)
        if match:
            entry, relation = (match.group("name") + match.group("rest")).strip(), match.group("rel").strip()
        else:
            match = _RELATION_FIRST.match(entry)
            if match:
                entry, relation = match.group("name").strip(), match.group("rel").strip()
        if not relation and len(names) == 1:
            relation = _short_text(relation_raw)
        name, key, problem = person_name(entry)
        if problem:
            reasons.append(reason(problem if problem != "missing_name" else "bad_name", value=entry))
            continue
        mobile = phone_value(phones[position], "家属联系方式", reasons) if position < len(phones) else ""
        if len(relation) > 20:
            relation = relation[:20]
        members.append({"name": name, "key": key, "relation": relation, "mobile": mobile})
    for extra in phones[len(names):]:
        reasons.append(reason("family_phone_without_name", value=extra))
    return members


_ABSENT = 1 << 30  # the position of a column the sheet does not have: past every row's end
_PERSON_COLUMNS = (
    h.NAME, h.WORKER_PHONE, h.TEAM, h.DIFFICULTY, h.GENDER, h.CATEGORY, h.POST, h.UNIT, h.CONTACT, h.FAMILY_NAME,
    h.FAMILY_PHONE, h.RELATION,
)
_positions_cache: dict[int, tuple[dict, tuple]] = {}


def _positions(columns: dict[str, int]) -> tuple:
    """The positions of ``_PERSON_COLUMNS`` in a sheet (one layout's columns serve many rows)."""
    found = _positions_cache.get(id(columns))
    if found is None or found[0] is not columns:
        if len(_positions_cache) > 64:
            _positions_cache.clear()
        found = _positions_cache[id(columns)] = (columns, tuple(columns.get(k, _ABSENT) for k in _PERSON_COLUMNS))
    return found[1]


def parse_person(
    cells: list[str], columns: dict[str, int], *, table: int, sheet_team: str, default_team: str = ""
) -> tuple[dict, list]:
    """Values of a row of table 1 or 2, and the reasons to reject it (empty when it is fine).
    ``sheet_team`` is the team the sheet names (its subtitle); ``default_team`` the team for
    a table 2 row that names none, kept apart (``data["default_team"]``): it is only for a
    worker the import creates, never a change to one already registered."""
    n = len(cells)
    (
        p_name, p_phone, p_team, p_difficulty, p_gender, p_category, p_post, p_unit, p_contact, p_family,
        p_family_phone, p_relation,
    ) = _positions(columns)
    reasons: list = []
    refuse_invisible(cells, columns, reasons)
    name, key, problem = person_name(cells[p_name] if p_name < n else "")
    if problem:
        reasons.append(reason(problem, value=name))
    mobile = phone_value(cells[p_phone] if p_phone < n else "", "联系方式", reasons)
    if not mobile and not (reasons and reasons[-1]["code"] == "bad_phone"):
        reasons.append(reason("missing_mobile"))  # the cell is empty: phone() gave "" without a reason
    team = ""
    if table == 1:
        team = TeamType.HUBEI_AID
    else:
        team_raw = cells[p_team] if p_team < n else ""
        if _short_text(team_raw):
            found = h.team_from_cell(team_raw)
            if not found:
                reasons.append(reason("bad_team", value=_short_text(team_raw)))
            team = found or ""
        team = team or sheet_team
    # kept as written, full-width punctuation included, as the care service keeps a difficulty
    difficulty = cells[p_difficulty].strip() if p_difficulty < n else ""
    if _short_text(difficulty).lower() in _NO_DIFFICULTY:
        difficulty = ""
    gender = alias_value(cells[p_gender] if p_gender < n else "", GENDER_ALIASES, "bad_gender", reasons)
    category = alias_value(
        cells[p_category] if p_category < n else "", CATEGORY_ALIASES, "bad_category", reasons, contains=True
    )
    post = text_value(cells[p_post] if p_post < n else "", "职务职称", 100, reasons)
    unit = _short_text(cells[p_unit] if p_unit < n else "")
    contact = _contact_name(text_value(cells[p_contact] if p_contact < n else "", "工会联系人姓名", 50, reasons))
    family = split_family(
        cells[p_family] if p_family < n else "",
        cells[p_family_phone] if p_family_phone < n else "",
        cells[p_relation] if p_relation < n else "",
        reasons,
    )
    data = {
        "name": name,
        "key": key,
        "mobile": mobile,
        "gender": gender,
        "category": category,
        "post_title": post,
        "team": str(team),
        "unit": unit,
        "contact": contact,
        "difficulty": difficulty,
        "family": family,
        "notes": [],
    }
    if not team and default_team:
        data["default_team"] = default_team
    return data, reasons


_contact_name = lru_cache(maxsize=4096)(normalise.name)


def is_continuation(cells: list[str], columns: dict[str, int]) -> bool:
    """A row that only adds family members to the row above (merged worker cells)."""
    if normalise.text(cell(cells, columns, h.NAME)) or normalise.text(cell(cells, columns, h.WORKER_PHONE)):
        return False
    return bool(
        normalise.text(cell(cells, columns, h.FAMILY_NAME)) or normalise.text(cell(cells, columns, h.FAMILY_PHONE))
    )


def parse_deployment(cells: list[str], columns: dict[str, int]) -> tuple[dict, list]:
    """Values of a row of table 3, and the reasons to reject it."""
    reasons: list = []
    refuse_invisible(cells, columns, reasons)
    name, key, problem = person_name(cell(cells, columns, h.NAME))
    if problem:
        reasons.append(reason(problem, value=name))
    phone_raw = cell(cells, columns, h.DEPLOYED_PHONE)
    deployed = phone_value(phone_raw, "在武汉使用的手机号", reasons)
    if not normalise.text(phone_raw):
        reasons.append(reason("missing_deployed_phone"))
    carrier = alias_value(cell(cells, columns, h.CARRIER), CARRIER_ALIASES, "bad_carrier", reasons, contains=True)
    notes = []
    if not carrier and deployed and not any(r["code"] == "bad_carrier" for r in reasons):
        carrier = normalise.suggest_carrier(deployed)
        if carrier:
            notes.append(reason("carrier_suggested", carrier=carrier))
    data = {
        "name": name,
        "key": key,
        "unit": normalise.text(cell(cells, columns, h.UNIT)),
        "deployed_mobile": deployed,
        "carrier": carrier,
        "notes": notes,
    }
    return data, reasons
