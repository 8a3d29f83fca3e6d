"""The shared rule for the characters of a single line and of notes (core/plaintext.py)."""

import sys
import unicodedata

import pytest
from django.utils import translation

from nuanxin.core import plaintext
from nuanxin.core.errors import ServiceError


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def refusal(value, **kw):
    with pytest.raises(ServiceError) as exc:
        plaintext.line(value, field="name", label="Name", **kw)
    return exc.value


@pytest.mark.parametrize(
    ("value", "chars"),
    [
        ("张\u202e三", "U+202E"),
        ("a\u0007b", "U+0007"),
        ("a\x00b", "U+0000"),
        ("\u2066张三\u2069", "U+2066, U+2069"),
        ("张\u200e三\u200f", "U+200E, U+200F"),
        ("a\u061cb", "U+061C"),
        ("a\x1cb", "U+001C"),  # Python's str.split counts it as white space: refused all the same
        ("a\x85b", "U+0085"),  # C1 (NEL)
        ("a\x7fb", "U+007F"),
        ("a\u2062b", "U+2062"),  # an invisible operator (category Cf)
        ("a\ud800b", "U+D800"),  # a lone surrogate (JSON can carry one; no database stores it)
        ("\x01\x02\x03\x04", "U+0001, U+0002, U+0003, …"),
    ],
)
def test_a_line_refuses_control_and_direction_characters(value, chars):
    exc = refusal(value)
    assert (exc.field, exc.code, exc.status) == ("name", "invalid", 400)
    assert exc.message == (
        f"Name contains invisible control characters ({chars}), such as ones that reverse the direction of "
        "the text: type it again rather than pasting it."
    )


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("a\u200bb", "ab"),
        ("\ufeff张\u200c三\u200d\u2060", "张三"),
        ("张\u00ad三", "张三"),
        (" 张三\t丰\r\n ", "张三 丰"),
        ("a\x0bb\x0cc", "a b c"),
        ("青岛\u2028医院", "青岛 医院"),
        (None, ""),
        (12, "12"),
    ],
)
def test_a_line_drops_zero_width_characters_and_makes_breaks_spaces(value, stored):
    assert plaintext.line(value, field="name", label="Name") == stored


def test_notes_keep_line_breaks_tabs_and_joiners_but_refuse_controls_and_direction():
    family = "一家人👨\u200d👩\u200d👧"
    assert plaintext.notes(f" 第一行\n\t第二行\r\n{family} ", field="notes", label="Notes") == (
        f"第一行\n\t第二行\r\n{family}"
    )
    for value, chars in (("x\u202ey", "U+202E"), ("x\x0by", "U+000B"), ("x\x07y", "U+0007"), ("\u2067x", "U+2067")):
        with pytest.raises(ServiceError) as exc:
            plaintext.notes(value, field="notes", label="Notes")
        assert (exc.value.field, exc.value.message) == (
            "notes",
            f"Notes contains invisible control characters ({chars}), such as ones that reverse the direction "
            "of the text: type it again rather than pasting it.",
        )


def test_every_control_and_format_character_is_refused_or_removed():
    """The spelled-out table of core/plaintext.py covers Unicode's categories Cc and Cf as this
    Python knows them: each such character is refused in a line, or removed, or white space."""
    whitespace = set("\t\n\x0b\x0c\r")
    removed = set("\u00ad\u200b\u200c\u200d\u2060\ufeff")
    missed = []
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        if unicodedata.category(ch) not in ("Cc", "Cf") or ch in whitespace:
            continue
        in_line = plaintext.refused_chars(f"a{ch}b")
        if ch in removed:
            if in_line or plaintext.without_zero_width(f"a{ch}b") != "ab":
                missed.append(code)
        elif not in_line:
            missed.append(code)
    assert missed == []


def test_ordinary_names_pass_untouched():
    for value in ("张三", "买买提·艾力", "O'Brien-Smith", "欧阳 娜娜", "Zoë", "青岛市立医院（本部）工会"):
        assert plaintext.line(value, field="name", label="Name") == value
        assert plaintext.refused_chars(value) == ""
