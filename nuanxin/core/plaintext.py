"""One rule for the characters people may type: into a single line (names of people,
organisations and groups, titles, codes) and into free-text notes.

Invisible characters make a stored value look like something else: a right-to-left override
(U+202E) shows "张\u202e三丰" with its end reversed, so a record can pass for someone else's,
and a zero-width space makes "张\u200b三" a second 张三 that no duplicate check matches.

- **Zero-width characters are removed** (U+200B–U+200D, U+2060, U+FEFF, and the soft hyphen
  U+00AD) from single-line text. They mean nothing in a name or a title and arrive unseen with
  text copied from web pages, WeChat, Word or a CSV file's byte-order mark: the person typing
  cannot see them, so refusing would leave them nothing to correct, while removing them makes
  "张\u200b三" the 张三 the duplicate checks know.
- **Control and direction characters are refused**, with a message naming the field: C0 and
  C1 control characters (tab, line breaks and form feed excepted: in a single line they are
  white space, which the callers collapse), the bidirectional controls (U+202A–U+202E,
  U+2066–U+2069, U+200E, U+200F, U+061C), every other invisible format character (Unicode
  category Cf) and lone surrogates (which no database can store). These change what is shown,
  or are garbage from a broken conversion; removing them silently would store a value other
  than the one the user meant.
- **Notes** (several lines) keep tabs and line breaks, and keep zero-width joiners (emoji
  such as 👨‍👩‍👧 are built with them) and other format characters; they refuse the other
  control characters and the bidirectional controls.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from nuanxin.core.errors import ServiceError

ZERO_WIDTH = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")

_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"

# Unicode category Cf (format characters), as of Unicode 15, less the zero-width ones removed
# above (a test holds this list to Python's unicodedata). Spelled out rather than computed
# from unicodedata at import time, which would walk 1.1 million code points.
_FORMAT = (
    "\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200e\u200f\u202a-\u202e"
    "\u2061-\u2064\u2066-\u206f\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
_SURROGATES = "\ud800-\udfff"

# In a single line: tab, LF, VT, FF and CR are white space (collapsed by the callers); every
# other C0/C1 control (and DEL) is refused, U+001C–U+001F and U+0085 included although
# Python counts them as white space.
_LINE_REFUSED = re.compile(f"[\x00-\x08\x0e-\x1f\x7f-\x9f{_FORMAT}{_SURROGATES}]")
# In notes: tab, LF and CR are kept; other controls and the direction characters are refused.
_NOTES_REFUSED = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}{_SURROGATES}]")
_BREAKS = re.compile("[\t\n\r\x0b\x0c\u2028\u2029]+")


def refusal_template() -> str:
    """The refusal's text in the active language, with ``%(field)s`` (the field's label or the
    table's column) and ``%(chars)s`` (the code points, e.g. U+202E)."""
    return _(
        "%(field)s contains invisible control characters (%(chars)s), such as ones that reverse the "
        "direction of the text: type it again rather than pasting it."
    )


def refused_chars(value: str, *, multiline: bool = False) -> str:
    """The refused characters of ``value`` as "U+202E, U+0007" (at most three), or ""."""
    found = (_NOTES_REFUSED if multiline else _LINE_REFUSED).findall(value)
    if not found:
        return ""
    unique = list(dict.fromkeys(found))
    return ", ".join(f"U+{ord(ch):04X}" for ch in unique[:3]) + (", …" if len(unique) > 3 else "")


def without_zero_width(value: str) -> str:
    """``value`` without the zero-width characters (and soft hyphens) a single line drops."""
    return ZERO_WIDTH.sub("", value) if ZERO_WIDTH.search(value) else value


def check(value, *, field: str, label, multiline: bool = False) -> None:
    """Raise ``ServiceError`` (on ``field``, naming ``label``) if ``value`` holds a character the
    rule refuses. Values that are not text (a number from a spreadsheet, None) pass."""
    if type(value) is not str:
        return
    chars = refused_chars(value, multiline=multiline)
    if chars:
        raise ServiceError(refusal_template() % {"field": label, "chars": chars}, field=field)


def line(value, *, field: str, label) -> str:
    """A single line of text as stored: refused if it holds a control or direction character
    (``ServiceError`` naming ``label``), zero-width characters removed, line breaks and tabs made
    spaces, trimmed. ``None`` becomes ""."""
    if value is None:
        return ""
    value = str(value)
    check(value, field=field, label=label)
    return _BREAKS.sub(" ", without_zero_width(value)).strip()


def notes(value, *, field: str, label) -> str:
    """Free text of several lines as stored: refused if it holds a control character other than
    tab and line breaks or a direction character (``ServiceError`` naming ``label``), trimmed."""
    if value is None:
        return ""
    value = str(value)
    check(value, field=field, label=label, multiline=True)
    return value.strip()
