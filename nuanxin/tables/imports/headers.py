"""Finding the header row of a sheet and recognising which official table it is.

Headers typed by hand vary: line breaks and spaces inside cells (职工\\n姓名), synonyms
(姓名 / 职工姓名, 电话 / 手机 / 联系电话 / 联系方式), notes such as （必填）. The two columns both
headed 联系方式 are told apart by position: the first is the worker's, the second the family's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nuanxin.registry import normalise
from nuanxin.registry.choices import TEAM_ALIASES

# Canonical column keys.
SEQ = "seq"
NAME = "name"
GENDER = "gender"
CATEGORY = "category"
POST = "post_title"
PHONE = "phone"  # a generic phone header: the worker's first, then the family's
WORKER_PHONE = "mobile"
FAMILY_NAME = "family_name"
FAMILY_PHONE = "family_mobile"
RELATION = "relation"
CONTACT = "contact"
DIFFICULTY = "difficulty"
UNIT = "unit"
TEAM = "team"
DEPLOYED_PHONE = "deployed_mobile"
CARRIER = "carrier"

SYNONYMS = {
    SEQ: ["序号", "编号", "序", "no", "no."],
    NAME: ["职工姓名", "姓名", "名字", "人员姓名", "队员姓名", "医护人员姓名", "职工名字"],
    GENDER: ["性别"],
    CATEGORY: ["人员类别", "类别", "人员类型", "岗位类别"],
    POST: ["职务职称", "职务/职称", "职务、职称", "职称职务", "职务", "职称", "职务及职称"],
    PHONE: ["联系方式", "电话", "手机", "手机号", "手机号码", "联系电话", "电话号码", "联系手机", "移动电话"],
    WORKER_PHONE: ["职工联系方式", "本人联系方式", "本人电话", "本人手机", "职工电话", "职工手机", "本人手机号"],
    FAMILY_NAME: ["家属姓名", "家属", "家庭成员", "家庭成员姓名", "家属联系人", "家属联系人姓名"],
    FAMILY_PHONE: ["家属联系方式", "家属电话", "家属手机", "家属联系电话", "家属手机号", "家庭成员联系方式"],
    RELATION: ["关系", "与本人关系", "家属关系", "家属与本人关系", "亲属关系"],
    CONTACT: ["工会联系人姓名", "工会联系人", "关爱联系人", "工会关爱联系人", "慰问联系人", "联系人"],
    DIFFICULTY: ["存在困难", "困难", "存在的困难", "困难诉求", "存在困难及诉求", "需要解决的困难"],
    UNIT: ["单位", "工作单位", "所在单位", "单位名称", "所属单位"],
    TEAM: ["团队", "所属团队", "一线团队", "团队类型", "团队名称", "所在团队"],
    DEPLOYED_PHONE: ["在武汉使用的手机号", "在武汉使用手机号", "在鄂期间手机号", "在鄂使用的手机号", "在武汉手机号"],
    CARRIER: ["手机运营商", "运营商", "通信运营商", "所属运营商"],
}
_LOOKUP = {}
for _key, _words in SYNONYMS.items():
    for _word in _words:
        _LOOKUP[_word] = _key

_NOTES = re.compile(r"[（(][^）)]*[）)]$")
_JUNK = re.compile(r"[\s*＊:：]+")

TITLES = {
    1: ("援鄂医疗队成员联系表",),
    2: ("抗疫一线医护职工联系表", "一线医护职工联系表"),
    3: ("在鄂期间联系方式", "在武汉期间联系方式", "在鄂期间联系方式统计表"),
}


def header_key(cell: str) -> str | None:
    """The canonical key of one header cell, or None when it is no known header."""
    text = _JUNK.sub("", normalise.text(cell)).lower()
    if not text:
        return None
    if text in _LOOKUP:
        return _LOOKUP[text]
    stripped = _NOTES.sub("", text)
    if stripped in _LOOKUP:
        return _LOOKUP[stripped]
    if ("武汉" in text or "在鄂" in text or "湖北" in text) and ("手机" in text or "电话" in text):
        return DEPLOYED_PHONE
    if "运营商" in text:
        return CARRIER
    return None


@dataclass
class Layout:
    """Where things are in one sheet."""

    header_index: int  # position of the header row among the rows read so far
    header_line: int
    table: int
    columns: dict[str, int]  # key -> column position
    headers: list[str]  # the header cells as written
    unit_text: str = ""  # from a 填报单位 row
    team: str = ""  # from a subtitle naming exactly one team
    notes: list[str] = field(default_factory=list)


def assign_columns(cells: list[str]) -> dict[str, int]:
    """Map each recognised header cell to its key; generic phones by position."""
    columns: dict[str, int] = {}
    generic: list[int] = []
    for position, cell in enumerate(cells):
        key = header_key(cell)
        if key is None:
            continue
        if key == PHONE:
            generic.append(position)
            continue
        columns.setdefault(key, position)
    for position in generic:
        if WORKER_PHONE not in columns and (FAMILY_NAME not in columns or position < columns[FAMILY_NAME]):
            columns[WORKER_PHONE] = position
        elif FAMILY_PHONE not in columns:
            columns[FAMILY_PHONE] = position
        elif WORKER_PHONE not in columns:
            columns[WORKER_PHONE] = position
    return columns


def score(columns: dict[str, int]) -> int:
    if NAME not in columns:
        return 0
    return len(columns)


def table_of(columns: dict[str, int], above: str, sheet_name: str) -> tuple[int | None, bool]:
    """(table number, whether the title named it) from the headers, the text above them and the
    sheet name. None when the columns are no official table."""
    if NAME not in columns:
        return None, False
    if DEPLOYED_PHONE in columns or CARRIER in columns:
        return 3, any(t in above for t in TITLES[3])
    if WORKER_PHONE not in columns and not (columns.keys() & {GENDER, CATEGORY, POST, FAMILY_NAME}):
        return None, False
    for table in (1, 2):
        if any(t in above for t in TITLES[table]):
            return table, True
    hint = above + normalise.text(sheet_name)
    if "援鄂" in hint or "附件1" in hint:
        return 1, False
    return 2, False


def teams_named(text: str) -> set[str]:
    """Frontline teams a text names (a table 2 subtitle, a team cell)."""
    found = set()
    rest = normalise.text(text)
    for alias in sorted(TEAM_ALIASES, key=len, reverse=True):
        if len(alias) >= 3 and alias in rest:
            found.add(TEAM_ALIASES[alias])
            rest = rest.replace(alias, "")
    return found


def team_from_cell(text: str) -> str | None:
    value = _JUNK.sub("", normalise.text(text))
    if not value:
        return ""
    if value in TEAM_ALIASES:
        return TEAM_ALIASES[value]
    found = teams_named(value)
    return found.pop() if len(found) == 1 else None


_UNIT_ROW = re.compile(r"^(填报单位|报送单位|单位名称|填表单位|单位)\s*[:：]?\s*(.*)$")


def unit_from_rows(rows: list[list[str]]) -> str:
    """The unit named in a 填报单位 row above the header, if any."""
    for cells in rows:
        texts = [normalise.text(c) for c in cells if normalise.text(c)]
        for i, text in enumerate(texts):
            match = _UNIT_ROW.match(text)
            if not match:
                continue
            value = match.group(2)
            if not value and i + 1 < len(texts):
                value = texts[i + 1]
            # "填报单位：某医院    填报日期：2月17日" in one cell
            value = re.split(r"\s+(?:填报|报送|日期|时间|填表|联系人)", value)[0].strip()
            if value:
                return value
    return ""


def find_layout(rows: list[tuple[int, list[str]]], sheet_name: str) -> Layout | None:
    """Find the header row among the first rows of a sheet and recognise the table."""
    best = None
    for index, (line, cells) in enumerate(rows):
        columns = assign_columns(cells)
        points = score(columns)
        if points >= 3 and (best is None or points > best[0]):
            best = (points, index, line, columns, cells)
            if points >= 4:
                break
    if best is None:
        return None
    _points, index, line, columns, cells = best
    above_rows = [c for _l, c in rows[:index]]
    above = "".join(normalise.text(c).replace(" ", "") for cs in above_rows for c in cs)
    table, _named = table_of(columns, above, sheet_name)
    if table is None:
        return None
    layout = Layout(
        header_index=index,
        header_line=line,
        table=table,
        columns=columns,
        headers=[normalise.text(c) for c in cells],
        unit_text=unit_from_rows(above_rows),
    )
    if table == 2:
        named = teams_named(above.replace("抗疫一线医护职工联系表", ""))
        if len(named) == 1:
            layout.team = named.pop()
    return layout
