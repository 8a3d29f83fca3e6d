"""Normalising what people type: names, phones, pinyin, ID numbers.

Shared by the forms, the API and the importer, so that "１３８ 1234-5678", "+86 138 1234 5678"
and "13812345678" are the same phone everywhere, and 张 三 is 张三.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import phonenumbers
from django.utils.translation import gettext as _
from phonenumbers import carrier as pn_carrier
from phonenumbers.phonemetadata import PhoneMetadata
from pypinyin import Style, lazy_pinyin
from pypinyin.constants import PHRASES_DICT
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from nuanxin.core import plaintext
from nuanxin.registry.choices import CARRIER_BY_PHONENUMBERS_NAME

_SPACES = re.compile(r"\s+")
_HAN = re.compile("[\u4e00-\u9fff]")
_PHONE_JUNK = re.compile(r"[\s\-‐‑‒–—―()（）.·/]")
_DIGITS = re.compile(r"^\d+$")
_ZERO_WIDTH = plaintext.ZERO_WIDTH


class InvalidValue(ValueError):
    """A value that cannot be normalised; ``message`` is for the user (translated)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def text(value) -> str:
    """NFKC (full-width letters and digits become ASCII), zero-width characters removed
    (``core.plaintext``), trimmed, inner runs of white space collapsed to one space. ``None``
    becomes "". Refuses nothing: the services check the characters first
    (``plaintext.check``), the importer with ``refused_chars``."""
    if type(value) is str:
        if not value.isascii() and _ZERO_WIDTH.search(value):  # inline: the importer's hot path
            value = _ZERO_WIDTH.sub("", value)
        return _SPACES.sub(" ", unicodedata.normalize("NFKC", value)).strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone typed into a numeric Excel cell
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", plaintext.without_zero_width(str(value)))).strip()


def name(value) -> str:
    """A person's name as stored: NFKC, no spaces inside Chinese names ("张 三" → "张三"),
    the middle dot of minority names unified ("买买提•艾力" → "买买提·艾力")."""
    value = text(value).replace("•", "·").replace("・", "·").replace("．", "·")
    if _HAN.search(value):
        value = value.replace(" ", "")
    return value


def name_key(value) -> str:
    """The key two spellings of one name share: lower case, no spaces or dots."""
    return re.sub(r"[\s·.]", "", name(value)).lower()


@lru_cache(maxsize=65536)
def pinyin(value: str) -> tuple[str, str]:
    """(full pinyin, initials) for search: 张三 → ("zhangsan", "zs")."""
    return pinyin_of_key(name_key(value))


def pinyin_of_key(key: str) -> tuple[str, str]:
    """``pinyin`` of a name whose ``name_key`` is ``key`` (not cached: for callers that have the
    key already and see every name once, such as the importer)."""
    if not key:
        return "", ""
    if not _has_phrase(key):
        # No two characters of the name form a word of pypinyin's phrase dictionary, so
        # pypinyin reads each character alone: the same result, from a per-character cache
        # (the importer computes this for every row of a 100,000-row table).
        parts = [_char_pinyin(ch) for ch in key]
        return "".join(p[0] for p in parts).lower(), "".join(p[1] for p in parts).lower()
    # errors="default": characters without pinyin (letters, digits) stay as they are.
    full = lazy_pinyin(key, errors="default")
    initials = lazy_pinyin(key, style=Style.FIRST_LETTER, errors="default")
    return "".join(full).lower(), "".join(initials).lower()


def _has_phrase(key: str) -> bool:
    n = len(key)
    return any(key[i:j] in PHRASES_DICT for i in range(n - 1) for j in range(i + 2, n + 1))


@lru_cache(maxsize=16384)
def _char_pinyin(ch: str) -> tuple[str, str]:
    full = lazy_pinyin(ch, errors="default")
    initials = lazy_pinyin(ch, style=Style.FIRST_LETTER, errors="default")
    return "".join(full), "".join(initials)


# Mainland mobile numbers as phonenumbers' own metadata describes them: a number matching
# this is valid for phonenumbers, so the common case skips its (slow) full parse.
def _cn_mobile_pattern() -> str:
    metadata = PhoneMetadata.metadata_for_region("CN")
    pattern = metadata.mobile.national_number_pattern if metadata and metadata.mobile else None
    if pattern is None:
        raise RuntimeError("phonenumbers has no metadata for mainland mobile numbers")
    return pattern


_CN_MOBILE = re.compile(_cn_mobile_pattern())


@lru_cache(maxsize=32768)
def _parse_phone(cleaned: str) -> str:
    national = cleaned[3:] if cleaned.startswith("+86") else cleaned
    if len(national) == 11 and national[0] == "1" and _CN_MOBILE.fullmatch(national):
        return "+86" + national
    try:
        number = phonenumbers.parse(cleaned, "CN")
    except phonenumbers.NumberParseException as exc:
        raise ValueError(cleaned) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError(cleaned)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone(value) -> str:
    """A phone number in E.164 (+8613812345678), or "" when empty.

    Accepts spaces, dashes, brackets, full-width digits, +86 / 0086 / 86 prefixes and
    landlines with an area code (0532-85669120). Raises ``InvalidValue`` otherwise."""
    raw = text(value)
    if not raw:
        return ""
    cleaned = _PHONE_JUNK.sub("", raw)
    if cleaned.startswith("0086"):
        cleaned = "+86" + cleaned[4:]
    elif cleaned.startswith("86") and len(cleaned) == 13:
        cleaned = "+" + cleaned
    if not _DIGITS.match(cleaned.lstrip("+")):  # one wording for every invalid number
        raise InvalidValue(_("“%(value)s” is not a valid phone number.") % {"value": raw})
    try:
        return _parse_phone(cleaned)
    except ValueError:
        raise InvalidValue(_("“%(value)s” is not a valid phone number.") % {"value": raw}) from None


def is_mainland_mobile(e164: str) -> bool:
    return e164.startswith("+861") and len(e164) == 14


def mask(e164: str) -> str:
    """What lists show: 138****5678 for a mainland mobile, the last four digits otherwise."""
    if not e164:
        return ""
    national = e164[3:] if e164.startswith("+86") else e164
    if len(national) >= 8:
        return national[:3] + "****" + national[-4:]
    return "****" + national[-4:]


def national(e164: str) -> str:
    """13812345678 for display and for the exported tables (0532… for landlines)."""
    if not e164:
        return ""
    if e164.startswith("+86"):
        rest = e164[3:]
        return rest if rest.startswith("1") else "0" + rest
    return e164


def tail(e164: str) -> str:
    """The last four digits, for searching by what people remember."""
    return e164[-4:] if e164 else ""


def suggest_carrier(e164: str) -> str:
    """The carrier that issued a mainland mobile's number segment ("" when unknown). A
    suggestion only: numbers move between carriers, so the user can correct it."""
    if not is_mainland_mobile(e164):
        return ""
    number = phonenumbers.parse(e164)
    return CARRIER_BY_PHONENUMBERS_NAME.get(pn_carrier.name_for_number(number, "en"), "")


def id_number(value) -> str:
    """A mainland resident ID-card number (18 characters, checksum verified), or ""."""
    raw = text(value).upper().replace(" ", "")
    if not raw:
        return ""
    try:
        return ric.validate(raw)
    except StdnumError:
        raise InvalidValue(
            _("“%(value)s” is not a valid ID-card number.") % {"value": raw}
        ) from None
