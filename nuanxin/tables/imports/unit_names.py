"""How a unit written in a table is compared with the organisations' names: the forms of a
name that people write for the same hospital (市立医院, 青岛市立医院, 青岛市市立医院本部 for the
union 青岛市市立医院工会). Pure of the database; ``plan_state.Units`` builds on it.

Three levels, tried in order by ``Units.match``:

1. the name as written (``name_key``: no spaces, lower case), without the city prefix and
   without 工会 (``exact_keys``, what the importer always accepted);
2. the lenient forms (``lenient_keys``): full-width and half-width alike, no punctuation, no
   brackets (a bracketed 盖章 dropped, anything else read as written), every union suffix
   (工会委员会, 总工会, 工会, 委员会) and city prefix (山东省, 青岛市, 青岛) dropped, the common
   abbreviations written one way (附属医院 → 附院, 人民医院 → 人医, 中医医院 → 中医院,
   青岛大学 → 青大, 第一 → 一, 第3 → 三);
   on the table's side only, a campus (本部, 总院, 东院区 …) is dropped too: a campus that is an
   organisation of its own is found by the forms that keep it, first. 分院 is never dropped: a
   branch hospital is often a unit of its own;
3. a close match (``close``): one form contains the other, the shorter one is a subsequence
   of the longer (青大附院 in 青大医学院附院), or they are nearly the same
   (``difflib`` ratio ≥ 0.85, on the short forms, so 市南区人医 and 市北区人医 stay apart).
   A close match is never taken: it is offered for a person to confirm. A text of four
   characters or more that shortens to the kind of a hospital (附属医院 → 附院, 人民医院 → 人医)
   is close to the organisations whose names contain it (``closeness(..., short=True)``).

An ordinal hospital is written one way too: 第六人民医院, 六院, 市六院, 六人医 and 市6院 are all 六人医
(``_NTH_HOSPITAL``, only when the text is nothing but that, with or without the city).

Which organisation a lenient form names is decided in ``plan_state.Units``: a form that is
only the end of another organisation's name as well (中心医院: 青岛市中心医院 without the city,
and 西海岸新区中心医院 without its district) names neither for sure (``ordering`` ranks them).
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

from nuanxin.registry import normalise

CITY_PREFIXES = ("山东省青岛市", "山东省", "青岛市", "青岛")
UNION_SUFFIXES = ("工会委员会", "总工会", "工会", "委员会")
ABBREVIATIONS = (
    ("青岛大学", "青大"),
    ("附属医院", "附院"),
    ("人民医院", "人医"),
    ("中医医院", "中医院"),
)
_NUMERALS = "〇一二三四五六七八九"
_ORDINAL = re.compile(r"第([一二三四五六七八九十\d]{1,2})")
_PUNCTUATION = re.compile(r"[-‐‑‒–—―_/\\、,，。:：;；'\"“”‘’《》<>【】\[\]]")
_BRACKETED = re.compile(r"[(（]([^()（）]*)[)）]")
_CAMPUS = re.compile(r"(?:本部|总院|[^院]{1,4}院区)$")
_DROPPED_IN_BRACKETS = re.compile(r"^(?:盖章|公章|章)?$")
# an ordinal hospital written short: (青岛市)(市)六院 / 6院 / 六人医, after 第N人民医院 became N人医
_NTH_HOSPITAL = re.compile(r"^(青岛市|青岛)?市?([一二三四五六七八九十]{1,3}|\d{1,2})(?:院|人医)$")

CLOSE_RATIO = 0.85
MIN_CLOSE = 4  # characters of the shorter form, below which nothing is "close"


def _ordinal(m: re.Match) -> str:
    return _numeral(m.group(1))


def _numeral(n: str) -> str:
    """An ordinal's number in Chinese numerals (6 → 六, 12 → 十二); Chinese numerals as written."""
    if n.isdigit():
        value = int(n)
        if value <= 10:
            return "十" if value == 10 else _NUMERALS[value]
        return ("" if value < 20 else _NUMERALS[value // 10]) + "十" + (_NUMERALS[value % 10] if value % 10 else "")
    return n


def _bracket(m: re.Match) -> str:
    inner = m.group(1)
    return "" if _DROPPED_IN_BRACKETS.match(inner) else inner


def _without_suffix(key: str, suffixes) -> str:
    for suffix in suffixes:
        if key.endswith(suffix) and len(key) > len(suffix) + 1:
            return key[: -len(suffix)]
    return key


def exact_keys(name: str) -> set[str]:
    """The forms the importer always accepted: the name, without the city prefix, without 工会."""
    key = normalise.name_key(name)
    keys = {key}
    for prefix in ("青岛市", "青岛"):
        if key.startswith(prefix) and len(key) > len(prefix) + 1:
            keys.add(key[len(prefix) :])
    for k in list(keys):
        if k.endswith("工会") and len(k) > 3:
            keys.add(k[: -len("工会")])
    return keys


def plain_keys(name: str) -> set[str]:
    """The forms of an organisation's name that are just its name (a text written so needs no
    note): as written, and without 工会."""
    key = normalise.name_key(name)
    return {key, _without_suffix(key, ("工会",))}


@lru_cache(maxsize=4096)
def canonical(text: str) -> str:
    """The text with brackets, punctuation and union suffixes dropped and the abbreviations
    written one way (the city prefix is kept: see ``lenient_keys``)."""
    key = normalise.name_key(text)
    key = _BRACKETED.sub(_bracket, key)
    key = _PUNCTUATION.sub("", key)
    for _round in range(2):  # 医务工会委员会 → 医务
        key = _without_suffix(key, UNION_SUFFIXES)
    key = _ORDINAL.sub(_ordinal, key)
    for long, short in ABBREVIATIONS:
        key = key.replace(long, short)
    nth = _NTH_HOSPITAL.match(key)
    if nth:
        key = (nth.group(1) or "") + _numeral(nth.group(2)) + "人医"
    return key


def base_forms(text: str) -> set[str]:
    """A table's text as written, leniently (``canonical``), with and without a campus suffix,
    the city prefix kept: what another organisation's name must end with to fit it as well."""
    key = canonical(text)
    forms = {key}
    shorter = _CAMPUS.sub("", key)
    if shorter != key and len(shorter) >= 2:
        forms.add(shorter)
    return {f for f in forms if f}


def _prefixless(key: str) -> set[str]:
    keys = {key}
    for prefix in CITY_PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix) + 1:
            keys.add(key[len(prefix) :])
    return keys


@lru_cache(maxsize=4096)
def lenient_keys(name: str, *, campus: bool = False) -> frozenset[str]:
    """The lenient forms of a name; with ``campus`` (a table's text, not an organisation's
    name) also without a campus suffix (本部, 总院, 东院区)."""
    keys = _prefixless(canonical(name))
    if campus:
        for k in list(keys):
            shorter = _CAMPUS.sub("", k)
            if shorter != k and len(shorter) >= 2:
                keys |= _prefixless(shorter)
    return frozenset(k for k in keys if k)


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def matcher(form: str) -> difflib.SequenceMatcher:
    """A matcher holding ``form`` as its second sequence (what difflib caches), for
    ``closeness`` to compare many texts with one organisation's form cheaply."""
    return difflib.SequenceMatcher(None, "", form, autojunk=False)


def closeness(
    a: str, b: str, against: difflib.SequenceMatcher | None = None, *, short: bool = False
) -> float:
    """How close two lenient forms are (0 = not close): containment and subsequence rank
    above a mere similarity. ``against`` is ``matcher(b)``, when the caller keeps one. With
    ``short`` (``a`` is a text written with four characters or more: 附属医院 → 附院) a form ``a``
    of two or three characters is close to the forms ``b`` containing it."""
    if a == b:
        return 1.0
    shorter, long = (a, b) if len(a) <= len(b) else (b, a)
    if len(shorter) < MIN_CLOSE:
        return 0.95 if short and shorter == a and len(a) >= 2 and a in b else 0.0
    if shorter in long:
        return 0.95
    if len(shorter) * 2 >= len(long) and _subsequence(shorter, long):
        return 0.9
    if 2 * len(shorter) < CLOSE_RATIO * (len(shorter) + len(long)):  # difflib's real_quick_ratio
        return 0.0
    m = against or matcher(b)
    m.set_seq1(a)
    if m.quick_ratio() >= CLOSE_RATIO:
        value = m.ratio()
        if value >= CLOSE_RATIO:
            return value * 0.9
    return 0.0


def likeness(forms, org_forms) -> float:
    """How much alike a text's forms and an organisation's forms are (difflib's ratio of the
    best pair, 1 = the same): the order in which organisations are offered, the one whose name
    is (or best matches) the text first: 西海岸中心医院 is nearer 西海岸新区中心医院 than 中心医院."""
    best = 0.0
    for b in org_forms:
        m = matcher(b)
        for a in forms:
            if a == b:
                return 1.0
            m.set_seq1(a)
            best = max(best, m.ratio())
    return round(best, 6)
