"""``{{ row.detail|audit_detail }}``: an audit row's detail as one line of text.

A detail is whatever JSON the service that wrote the row chose: a flat dict, nested dicts
(``before``/``after``), lists of dicts (a visit's necessities), numbers, ``None``, long text.
Django's ``{% for key, value in detail.items %}`` broke on some of them (``items`` is a key of a
visit's detail, so the template language looked it up as a key and unpacked the list: a 500 on
the auditor's page). This filter walks the value in Python, never looking anything up as an
attribute, and bounds what it shows; the result is plain text, escaped by the template like any
other variable. The export keeps the whole detail as JSON.
"""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()

MAX_TEXT = 120  # characters of one string (a key or a value)
MAX_ITEMS = 12  # entries of one dict or list
MAX_DEPTH = 4  # levels of nesting shown
MAX_TOTAL = 600  # characters of the whole line
ELLIPSIS = "…"


def _text(value: str, limit: int = MAX_TEXT) -> str:
    value = " ".join(value.split())  # newlines and tabs of free text read as one line
    return value if len(value) <= limit else value[: limit - 1] + ELLIPSIS


def _more(count: int) -> str:
    return _("… %(count)s more") % {"count": count}


def _render(value, depth: int) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        if depth >= MAX_DEPTH:
            return "{" + ELLIPSIS + "}"
        return "{" + _entries(value, depth + 1, ", ") + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        if depth >= MAX_DEPTH:
            return "[" + ELLIPSIS + "]"
        shown = [_render(item, depth + 1) for item in value[:MAX_ITEMS]]
        if len(value) > MAX_ITEMS:
            shown.append(_more(len(value) - MAX_ITEMS))
        return "[" + ", ".join(shown) + "]"
    return _text(str(value))


def _entries(mapping: dict, depth: int, separator: str) -> str:
    # Keys in order, as the export writes them: PostgreSQL's jsonb does not keep the order the
    # service wrote them in, so the same row would read differently on the two databases.
    items = sorted(mapping.items(), key=lambda item: str(item[0]))
    shown = [f"{_text(str(key), 60)}: {_render(value, depth)}" for key, value in items[:MAX_ITEMS]]
    if len(items) > MAX_ITEMS:
        shown.append(_more(len(items) - MAX_ITEMS))
    return separator.join(shown)


@register.filter
def audit_detail(detail) -> str:
    """The detail as ``key: value; key: value`` (keys sorted), nested values in ``{…}`` and
    ``[…]``, ``None`` as "—", each string cut at 120 characters and the whole at 600."""
    if detail in (None, "", {}, []):
        return ""
    if isinstance(detail, dict):
        line = _entries(detail, 1, "; ")
    else:
        line = _render(detail, 1)
    return line if len(line) <= MAX_TOTAL else line[: MAX_TOTAL - 1] + ELLIPSIS
