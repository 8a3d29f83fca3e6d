"""``{{ _("Last visit")|colon }}`` and ``{{ value|bracketed }}``: a label followed by the colon of the language in use —
"Last visit: " in English, "上次走访：" in Chinese (a full-width colon, no space). The label and
the colon are translated apart, so a label keeps one translation wherever it is used."""

from django import template

from nuanxin.core import textlimits

register = template.Library()


@register.filter
def colon(label) -> str:
    return textlimits.with_colon(label)


@register.filter
def bracketed(text) -> str:
    """``{{ day|date:"Y-m-d"|bracketed }}``: " (2026-12-03)" in English, "（2026-12-03）" in
    Chinese (full-width brackets, no space)."""
    return textlimits.in_brackets(text)
