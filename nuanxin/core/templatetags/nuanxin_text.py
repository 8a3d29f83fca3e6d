"""``{{ _("Last visit")|colon }}``: a label followed by the colon of the language in use —
"Last visit: " in English, "上次走访：" in Chinese (a full-width colon, no space). The label and
the colon are translated apart, so a label keeps one translation wherever it is used."""

from django import template

from nuanxin.core import textlimits

register = template.Library()


@register.filter
def colon(label) -> str:
    return textlimits.with_colon(label)
