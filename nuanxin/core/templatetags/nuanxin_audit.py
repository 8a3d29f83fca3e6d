"""``{{ row.detail|audit_detail }}``: an audit row's detail as one line of text.

A detail is whatever JSON the service that wrote the row chose: a flat dict, nested dicts
(``before``/``after``), lists of dicts (a visit's necessities), numbers, ``None``, long text.
Django's ``{% for key, value in detail.items %}`` broke on some of them (``items`` is a key of a
visit's detail, so the template language looked it up as a key and unpacked the list: a 500 on
the auditor's page). This filter walks the value in Python, never looking anything up as an
attribute, and bounds what it shows; the result is plain text, escaped by the template like any
other variable. The export keeps the whole detail as JSON.

Given the row's action (``{{ row.detail|audit_detail:row.action }}``) the line reads in the
auditor's language: keys, coded values and free-text markers by their registered labels
(``core/auditlabels.py``), ``{"from": "resolved"}`` as 从：已解决. Without it, the codes.
"""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from nuanxin.core import auditlabels

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


class _Plain:
    """Codes as they are (the filter without an action)."""

    def key(self, key) -> str:
        return _text(str(key), 60)

    def value(self, key, value) -> str | None:
        return None

    def pair(self, key: str, value: str) -> str:
        return f"{key}: {value}"

    items = ", "
    entries = "; "


class _Labelled(_Plain):
    """Keys and coded values by their labels, in the current language."""

    def __init__(self, action: str) -> None:
        self.action = action
        self.items = pgettext("audit detail", ", ")
        self.entries = pgettext("audit detail", "; ")

    def key(self, key) -> str:
        return _text(auditlabels.detail_key_label(str(key)), 60)

    def value(self, key, value) -> str | None:
        if isinstance(value, dict) and set(value) == {"chars"} and isinstance(value["chars"], int):
            return auditlabels.text_length(value["chars"])
        label = auditlabels.value_label(self.action, str(key), value)
        return _text(label) if label is not None else None

    def pair(self, key: str, value: str) -> str:
        return pgettext("audit detail", "%(key)s: %(value)s") % {"key": key, "value": value}


PLAIN = _Plain()


def _render(value, depth: int, words: _Plain = PLAIN, key=None) -> str:
    if key is not None:
        label = words.value(key, value)
        if label is not None:
            return label
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
        return "{" + _entries(value, depth + 1, words.items, words) + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        if depth >= MAX_DEPTH:
            return "[" + ELLIPSIS + "]"
        shown = [_render(item, depth + 1, words, key) for item in value[:MAX_ITEMS]]
        if len(value) > MAX_ITEMS:
            shown.append(_more(len(value) - MAX_ITEMS))
        return "[" + words.items.join(shown) + "]"
    return _text(str(value))


def _entries(mapping: dict, depth: int, separator: str, words: _Plain = PLAIN) -> str:
    # Keys in order, as the export writes them: PostgreSQL's jsonb does not keep the order the
    # service wrote them in, so the same row would read differently on the two databases.
    items = sorted(mapping.items(), key=lambda item: str(item[0]))
    shown = [words.pair(words.key(key), _render(value, depth, words, key)) for key, value in items[:MAX_ITEMS]]
    if len(items) > MAX_ITEMS:
        shown.append(_more(len(items) - MAX_ITEMS))
    return separator.join(shown)


@register.filter
def audit_detail(detail, action=None) -> str:
    """The detail as ``key: value; key: value`` (keys sorted by code), nested values in ``{…}``
    and ``[…]``, ``None`` as "—", each string cut at 120 characters and the whole at 600.
    With the row's action, keys and coded values read as their labels."""
    if detail in (None, "", {}, []):
        return ""
    words = _Labelled(action) if action is not None else PLAIN
    if isinstance(detail, dict):
        line = _entries(detail, 1, words.entries, words)
    else:
        line = _render(detail, 1, words)
    return line if len(line) <= MAX_TOTAL else line[: MAX_TOTAL - 1] + ELLIPSIS


@register.filter
def audit_action(code: str) -> str:
    """An action by its label (its code when it has none)."""
    return auditlabels.action_label(code)


@register.filter
def audit_object_type(code: str) -> str:
    return auditlabels.object_type_label(code)


@register.filter
def audit_actor(actor_name: str) -> str:
    """``system:cli`` → 系统（命令行）; a username as it is."""
    return auditlabels.actor_label(actor_name)
