"""Screening scales as data: one JSON file per scale in this folder, read and checked by the
generic engine below. Adding a scale is adding a file (no code): the engine validates every
file when it is first read, and the Django check ``hotline.E001`` (``nuanxin check``, run at
start-up by ``runserver``/``migrate`` and by the test suite) reports a broken file by name and
problem.

A file holds (see ``gad7.json``, ``phq9.json``, ``sas.json``)::

    code          "GAD-7" (unique, at most 16 characters: what the API and the records use)
    order         position in lists
    public        offered on the public self-assessment page
    name, short_name, instructions      {"zh-hans": ..., "en": ...}
    source        the published references (shown to counsellors): one text, or a list of texts
                  in the order shown, the Chinese version's citation first
    options       [{"value": 0, "label": {...}}, ...]   the answers as the scale prints them
    items         [{"number": 1, "text": {...}, "options"?: [...]}, ...]  numbered 1..n in order
    scoring       {"method": "sum", "reversed": [5, 9], "reverse_from": 5,
                   "multiplier": 1.25, "rounding": "floor"}
                  an answer x of a reversed item scores reverse_from − x; the raw score is the
                  sum; with a multiplier, the standard score is rounding(raw × multiplier)
                  ("floor" = int() for positive numbers, "round" = half up, "ceil"), and the
                  bands and the flag are read on it
    flag_at       at or above this (standard) score the result is flagged (a callback is due)
    bands         [{"code", "min", "max", "label", "guidance", "callback"}, ...] covering every
                  possible (standard) score once, in order; "callback" is how soon a callback is
                  due when it is flagged or asked for: "severe", "moderate" or "mild"
    crisis        [{"item": 9, "above": 0, "reason": {...}}]: an answer above the value on that
                  item is a crisis, whatever the total

An answer is always the value printed beside the option (0–3 for GAD-7 and PHQ-9, 1–4 for
SAS, reversed items included): the engine reverses.
"""

from __future__ import annotations

import builtins
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.core import checks
from django.utils import translation
from django.utils.translation import gettext as _

HERE = Path(__file__).resolve().parent
LANGUAGES = ("zh-hans", "en")
ROUNDINGS = {"floor": ROUND_FLOOR, "round": ROUND_HALF_UP, "ceil": ROUND_CEILING}
CALLBACK_PRIORITIES = ("severe", "moderate", "mild")
CODE_MAX = 16
BAND_CODE_MAX = 16
MAX_ITEMS = 200


class ScaleFileError(Exception):
    """A scale file that cannot be used: its path and every problem found in it."""

    def __init__(self, path: Path | str, problems: Sequence[str]):
        self.path = str(path)
        self.problems = list(problems)
        super().__init__(f"{Path(path).name}: " + "; ".join(self.problems))


class ScaleError(ValueError):
    """Answers that do not fit the scale: ``message`` says what to fix, in the user's language."""

    def __init__(self, message: str, *, field: str = "answers"):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Text:
    """A text in Chinese and English; ``str()`` gives the active language's (Chinese first)."""

    zh: str
    en: str

    def __str__(self) -> str:
        return self.get(translation.get_language())

    def get(self, language: str | None) -> str:
        return self.en if (language or "").lower().startswith("en") else self.zh

    def as_dict(self) -> dict[str, str]:
        return {"zh-hans": self.zh, "en": self.en}


@dataclass(frozen=True)
class Option:
    value: int
    label: Text


@dataclass(frozen=True)
class Item:
    number: int
    text: Text
    options: tuple[Option, ...]
    reversed: bool

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(o.value for o in self.options)


@dataclass(frozen=True)
class Band:
    code: str
    min: int
    max: int
    label: Text
    guidance: Text
    callback: str  # how soon a callback is due: severe / moderate / mild


@dataclass(frozen=True)
class CrisisRule:
    item: int
    above: int
    reason: Text

    def applies(self, answers: Sequence[int]) -> bool:
        return answers[self.item - 1] > self.above


@dataclass(frozen=True)
class Result:
    """A scale scored: ``score`` the raw sum, ``standard_score`` where the scale has one (else
    None), the band's code and label, ``flagged`` (at or above the cut-off), ``crisis`` (a
    crisis rule applies) and ``crisis_reasons`` (the rules' reasons)."""

    score: int
    standard_score: int | None
    band: str
    band_label: str
    flagged: bool
    crisis: bool
    crisis_reasons: tuple[Text, ...] = ()

    @property
    def banded_score(self) -> int:
        return self.score if self.standard_score is None else self.standard_score


@dataclass(frozen=True)
class Scale:
    code: str
    order: int
    public: bool
    name: Text
    short_name: Text
    instructions: Text
    source: tuple[str, ...]  # the citations, the Chinese version's first
    items: tuple[Item, ...]
    reversed_items: frozenset[int]
    reverse_from: int | None
    multiplier: Decimal | None
    rounding: str | None
    flag_at: int
    bands: tuple[Band, ...]
    crisis_rules: tuple[CrisisRule, ...]

    def __str__(self) -> str:
        return self.code

    # --- ranges ----------------------------------------------------------------------------

    def item_score(self, item: Item, answer: int) -> int:
        return (self.reverse_from or 0) - answer if item.reversed else answer

    @property
    def raw_range(self) -> tuple[int, int]:
        low = sum(min(self.item_score(i, v) for v in i.values) for i in self.items)
        high = sum(max(self.item_score(i, v) for v in i.values) for i in self.items)
        return low, high

    @property
    def banded_range(self) -> tuple[int, int]:
        low, high = self.raw_range
        return self.standardise(low), self.standardise(high)

    def standardise(self, raw: int) -> int:
        if self.multiplier is None:
            return raw
        value = Decimal(raw) * self.multiplier
        return int(value.to_integral_value(rounding=ROUNDINGS[self.rounding or "floor"]))

    def band(self, code: str) -> Band:
        for band in self.bands:
            if band.code == code:
                return band
        raise KeyError(code)

    def band_for(self, banded_score: int) -> Band:
        for band in self.bands:
            if band.min <= banded_score <= band.max:
                return band
        raise ValueError(f"{self.code}: no band holds {banded_score}")  # the load check forbids it

    # --- scoring ---------------------------------------------------------------------------

    def check(self, answers: Any) -> list[int]:
        """The answers as whole numbers, or ``ScaleError`` saying what is wrong (in the user's
        language): not a list, the wrong number of answers, an answer that is not one of its
        question's printed values."""
        if isinstance(answers, str | bytes | dict) or not isinstance(answers, Iterable):
            raise ScaleError(_("The answers must be a list of numbers, one per question."))
        answers = list(answers)
        if len(answers) != len(self.items):
            raise ScaleError(
                _("%(scale)s has %(items)d questions: answer each of them once (%(given)d answers were given).")
                % {"scale": self.code, "items": len(self.items), "given": len(answers)}
            )
        clean = []
        for item, answer in zip(self.items, answers, strict=True):
            value = _whole(answer)
            if value is None or value not in item.values:
                if answer is None or answer == "":
                    raise ScaleError(_("Answer question %(number)d.") % {"number": item.number})
                raise ScaleError(
                    _("The answer to question %(number)d must be one of %(values)s, not %(answer)s.")
                    % {
                        "number": item.number,
                        "values": ", ".join(str(v) for v in item.values),
                        "answer": str(answer)[:20],
                    }
                )
            clean.append(value)
        return clean

    def score(self, answers: Any) -> Result:
        """Score ``answers`` (the printed values, one per item in order)."""
        clean = self.check(answers)
        raw = sum(self.item_score(item, a) for item, a in zip(self.items, clean, strict=True))
        standard = self.standardise(raw) if self.multiplier is not None else None
        banded = raw if standard is None else standard
        band = self.band_for(banded)
        reasons = tuple(rule.reason for rule in self.crisis_rules if rule.applies(clean))
        return Result(
            score=raw,
            standard_score=standard,
            band=band.code,
            band_label=str(band.label),
            flagged=banded >= self.flag_at,
            crisis=bool(reasons),
            crisis_reasons=reasons,
        )

    def as_dict(self) -> dict[str, Any]:
        """The scale as the API lists it (texts in both languages)."""
        return {
            "code": self.code,
            "name": self.name.as_dict(),
            "instructions": self.instructions.as_dict(),
            "public": self.public,
            "items": [
                {
                    "number": item.number,
                    "text": item.text.as_dict(),
                    "reversed": item.reversed,
                    "options": [{"value": o.value, "label": o.label.as_dict()} for o in item.options],
                }
                for item in self.items
            ],
            "score_range": list(self.raw_range),
            "standard_score": self.multiplier is not None,
            "flag_at": self.flag_at,
            "bands": [{"code": b.code, "min": b.min, "max": b.max, "label": b.label.as_dict()} for b in self.bands],
            "crisis": [{"item": r.item, "above": r.above} for r in self.crisis_rules],
        }


def _whole(value: Any) -> int | None:
    """A whole number from an int, a float with no fraction or a string of digits; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value.strip()) <= 6:
        return int(value.strip())
    return None


# --- reading and checking the files ----------------------------------------------------------------


def _text(data: Any, where: str, problems: list[str]) -> Text:
    if not isinstance(data, dict) or set(data) != set(LANGUAGES):
        problems.append(f"{where} must be an object with exactly the languages {list(LANGUAGES)}")
        return Text("", "")
    for language in LANGUAGES:
        if not isinstance(data[language], str) or not data[language].strip():
            problems.append(f"{where}[{language!r}] must be a non-empty text")
            return Text("", "")
    return Text(zh=data["zh-hans"].strip(), en=data["en"].strip())


def _int(data: Any, where: str, problems: list[str]) -> int:
    if isinstance(data, bool) or not isinstance(data, int):
        problems.append(f"{where} must be a whole number, not {data!r}")
        return 0
    return data


def _options(data: Any, where: str, problems: list[str]) -> tuple[Option, ...]:
    if not isinstance(data, list) or len(data) < 2:
        problems.append(f"{where} must be a list of at least two options")
        return ()
    options = []
    for n, option in enumerate(data):
        if not isinstance(option, dict):
            problems.append(f"{where}[{n}] must be an object")
            continue
        options.append(
            Option(
                value=_int(option.get("value"), f"{where}[{n}].value", problems),
                label=_text(option.get("label"), f"{where}[{n}].label", problems),
            )
        )
    values = [o.value for o in options]
    if len(set(values)) != len(values):
        problems.append(f"{where}: option values must differ ({values})")
    if any(v < 0 for v in values):
        problems.append(f"{where}: option values must not be negative ({values})")
    return tuple(options)


KEYS = {
    "code",
    "order",
    "public",
    "name",
    "short_name",
    "instructions",
    "source",
    "options",
    "items",
    "scoring",
    "flag_at",
    "bands",
    "crisis",
}
SCORING_KEYS = {"method", "reversed", "reverse_from", "multiplier", "rounding"}


def parse(data: Any, *, path: Path | str = "<data>") -> Scale:
    """Build a ``Scale`` from a file's decoded JSON, or raise ``ScaleFileError`` listing every
    problem found."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise ScaleFileError(path, ["the file must hold one JSON object"])
    missing = sorted(KEYS - set(data))
    unknown = sorted(set(data) - KEYS)
    if missing:
        problems.append(f"missing keys {missing}")
    if unknown:
        problems.append(f"unknown keys {unknown}")
    if problems:
        raise ScaleFileError(path, problems)

    code = data["code"]
    if not isinstance(code, str) or not code.strip() or len(code) > CODE_MAX or code != code.strip():
        problems.append(f"code must be a text of 1 to {CODE_MAX} characters without surrounding spaces")
        code = str(code)
    order = _int(data["order"], "order", problems)
    if not isinstance(data["public"], bool):
        problems.append("public must be true or false")
    name = _text(data["name"], "name", problems)
    short_name = _text(data["short_name"], "short_name", problems)
    instructions = _text(data["instructions"], "instructions", problems)
    raw_source = data["source"]
    citations = [raw_source] if isinstance(raw_source, str) else raw_source
    if (
        not isinstance(citations, list)
        or not citations
        or not builtins.all(isinstance(c, str) and c.strip() for c in citations)
    ):
        problems.append("source must name the published scale (a text or a list of texts)")
        citations = []
    source = tuple(c.strip() for c in citations)
    default_options = _options(data["options"], "options", problems)

    scoring = data["scoring"]
    if not isinstance(scoring, dict) or set(scoring) != SCORING_KEYS:
        raise ScaleFileError(
            path, [*problems, f"scoring must be an object with exactly the keys {sorted(SCORING_KEYS)}"]
        )
    if scoring["method"] != "sum":
        problems.append(f'scoring.method must be "sum", not {scoring["method"]!r}')
    reversed_list = scoring["reversed"]
    if not isinstance(reversed_list, list) or not builtins.all(
        isinstance(n, int) and not isinstance(n, bool) for n in reversed_list
    ):
        problems.append("scoring.reversed must be a list of item numbers")
        reversed_list = []
    reverse_from = scoring["reverse_from"]
    if reversed_list and (isinstance(reverse_from, bool) or not isinstance(reverse_from, int)):
        problems.append("scoring.reverse_from must be a whole number when items are reversed")
        reverse_from = 0
    if not reversed_list and reverse_from is not None:
        problems.append("scoring.reverse_from must be null when no item is reversed")
    multiplier = scoring["multiplier"]
    rounding = scoring["rounding"]
    decimal_multiplier: Decimal | None = None
    if multiplier is not None:
        if isinstance(multiplier, bool) or not isinstance(multiplier, int | float) or not multiplier > 0:
            problems.append("scoring.multiplier must be a number above 0, or null")
        else:
            decimal_multiplier = Decimal(str(multiplier))
        if rounding not in ROUNDINGS:
            problems.append(f"scoring.rounding must be one of {sorted(ROUNDINGS)} with a multiplier")
    elif rounding is not None:
        problems.append("scoring.rounding must be null without a multiplier")

    items_data = data["items"]
    items: list[Item] = []
    if not isinstance(items_data, list) or not 1 <= len(items_data) <= MAX_ITEMS:
        problems.append(f"items must be a list of 1 to {MAX_ITEMS} items")
        items_data = []
    for n, item in enumerate(items_data):
        where = f"items[{n}]"
        if (
            not isinstance(item, dict)
            or not {"number", "text"} <= set(item)
            or set(item) - {"number", "text", "options"}
        ):
            problems.append(f"{where} must be an object with number, text and optionally options")
            continue
        number = _int(item["number"], f"{where}.number", problems)
        if number != n + 1:
            problems.append(f"{where}.number must be {n + 1} (items are numbered 1, 2, 3... in order)")
        options = _options(item["options"], f"{where}.options", problems) if "options" in item else default_options
        items.append(
            Item(
                number=number,
                text=_text(item["text"], f"{where}.text", problems),
                options=options,
                reversed=number in reversed_list,
            )
        )
    numbers = {i.number for i in items}
    for n in reversed_list:
        if n not in numbers:
            problems.append(f"scoring.reversed names item {n}, which the scale does not have")
    if len(set(reversed_list)) != len(reversed_list):
        problems.append("scoring.reversed names an item twice")
    if reversed_list and isinstance(reverse_from, int):
        for item in items:
            if item.reversed and any(reverse_from - v < 0 for v in item.values):
                problems.append(f"item {item.number}: reverse_from {reverse_from} makes a negative score")

    crisis: list[CrisisRule] = []
    if not isinstance(data["crisis"], list):
        problems.append("crisis must be a list of rules")
    else:
        for n, rule in enumerate(data["crisis"]):
            where = f"crisis[{n}]"
            if not isinstance(rule, dict) or set(rule) != {"item", "above", "reason"}:
                problems.append(f"{where} must be an object with exactly item, above and reason")
                continue
            item_number = _int(rule["item"], f"{where}.item", problems)
            above = _int(rule["above"], f"{where}.above", problems)
            if item_number not in numbers:
                problems.append(f"{where}.item names item {item_number}, which the scale does not have")
            else:
                values = items[item_number - 1].values
                if not min(values) <= above < max(values):
                    problems.append(f"{where}.above must lie between {min(values)} and {max(values) - 1}")
            crisis.append(
                CrisisRule(item=item_number, above=above, reason=_text(rule["reason"], f"{where}.reason", problems))
            )

    if problems:
        raise ScaleFileError(path, problems)

    scale_without_bands = Scale(
        code=code,
        order=order,
        public=data["public"],
        name=name,
        short_name=short_name,
        instructions=instructions,
        source=source,
        items=tuple(items),
        reversed_items=frozenset(reversed_list),
        reverse_from=reverse_from if reversed_list else None,
        multiplier=decimal_multiplier,
        rounding=rounding if multiplier is not None else None,
        flag_at=0,
        bands=(),
        crisis_rules=tuple(crisis),
    )
    low, high = scale_without_bands.banded_range

    bands: list[Band] = []
    if not isinstance(data["bands"], list) or not data["bands"]:
        raise ScaleFileError(path, ["bands must be a non-empty list"])
    for n, band in enumerate(data["bands"]):
        where = f"bands[{n}]"
        expected = {"code", "min", "max", "label", "guidance", "callback"}
        if not isinstance(band, dict) or set(band) != expected:
            problems.append(f"{where} must be an object with exactly the keys {sorted(expected)}")
            continue
        band_code = band["code"]
        if (
            not isinstance(band_code, str)
            or not band_code
            or len(band_code) > BAND_CODE_MAX
            or not builtins.all(c.islower() or c.isdigit() or c == "_" for c in band_code)
        ):
            problems.append(f"{where}.code must be 1 to {BAND_CODE_MAX} lower-case letters, digits or _")
        if band["callback"] not in CALLBACK_PRIORITIES:
            problems.append(f"{where}.callback must be one of {list(CALLBACK_PRIORITIES)}")
        bands.append(
            Band(
                code=str(band_code),
                min=_int(band["min"], f"{where}.min", problems),
                max=_int(band["max"], f"{where}.max", problems),
                label=_text(band["label"], f"{where}.label", problems),
                guidance=_text(band["guidance"], f"{where}.guidance", problems),
                callback=str(band["callback"]),
            )
        )
    if len({b.code for b in bands}) != len(bands):
        problems.append("band codes must differ")
    # The bands cover every possible score once, in order, from the lowest to the highest.
    expected_min = low
    for band in bands:
        if band.min > band.max:
            problems.append(f"band {band.code!r}: min {band.min} is above max {band.max}")
        if band.min != expected_min:
            problems.append(
                f"band {band.code!r} must start at {expected_min} (the bands cover {low}–{high} once, in order)"
            )
        expected_min = band.max + 1
    if bands and bands[-1].max != high:
        problems.append(f"the last band must end at {high}, the highest possible score")
    flag_at = _int(data["flag_at"], "flag_at", problems)
    if not low < flag_at <= high:
        problems.append(f"flag_at must lie above {low} and at most {high}")
    if problems:
        raise ScaleFileError(path, problems)
    return Scale(
        **{
            **{f: getattr(scale_without_bands, f) for f in scale_without_bands.__dataclass_fields__},
            "flag_at": flag_at,
            "bands": tuple(bands),
        }
    )


def load(directory: Path | str = HERE) -> dict[str, Scale]:
    """Every ``*.json`` scale of ``directory`` by code; ``ScaleFileError`` for the first broken
    file (unreadable, not JSON, a problem found by ``parse``, or a code used twice)."""
    scales: dict[str, Scale] = {}
    for path in sorted(Path(directory).glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ScaleFileError(path, [f"not readable as UTF-8 JSON: {exc}"]) from exc
        scale = parse(data, path=path)
        if scale.code.casefold() in {c.casefold() for c in scales}:
            raise ScaleFileError(path, [f"the code {scale.code!r} is used by another file"])
        scales[scale.code] = scale
    if not scales:
        raise ScaleFileError(directory, ["no scale file (*.json) found"])
    return dict(sorted(scales.items(), key=lambda kv: (kv[1].order, kv[0])))


@cache
def _registry() -> dict[str, Scale]:
    return load(HERE)


def get(code: str) -> Scale:
    """The scale of ``code`` (case-insensitive); ``KeyError`` for an unknown one."""
    registry = _registry()
    if code in registry:
        return registry[code]
    wanted = str(code).strip().casefold()
    for known, scale in registry.items():
        if known.casefold() == wanted:
            return scale
    raise KeyError(code)


def all() -> list[Scale]:
    """Every scale, in order."""
    return list(_registry().values())


def public() -> list[Scale]:
    """The scales offered on the public self-assessment page."""
    return [s for s in _registry().values() if s.public]


@checks.register("nuanxin")
def check_scale_files(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """``hotline.E001``: a scale file that cannot be read or used (named with its problems)."""
    try:
        load(HERE)
    except ScaleFileError as exc:
        return [
            checks.Error(
                f"The screening scale file {exc.path} is broken: " + "; ".join(exc.problems),
                hint="Fix the file (see nuanxin/hotline/scales/__init__.py for its format) or remove it.",
                id="hotline.E001",
            )
        ]
    return []
