"""Text in forms and labels, the same way on every page.

- ``with_colon(label)``: "Label: " in English, "标签：" in Chinese (a full-width colon; the
  template filter ``colon`` of ``nuanxin_text``). A label and the colon are translated apart.
- The length rule of every form (``install()``, from ``CoreConfig.ready()``): a text longer than
  its field is refused by the server with one clear message — "At most 50 characters; this has
  300." / "最多 50 个字，现在 300 个字。" — instead of Django's "确保该变量包含不超过 50 字符 (目前
  字符数 300)。"; and no ``maxlength`` attribute is written on the inputs, so the browser never
  cuts a pasted name silently: the user sees the message and the whole text they typed.
  Models, forms and ModelForms all use Django's ``MaxLengthValidator``, whose message this sets.
"""

from __future__ import annotations

from django import forms
from django.core import validators
from django.utils.translation import ngettext_lazy, pgettext


def with_colon(label) -> str:
    return pgettext("label colon", "%(label)s: ") % {"label": label}


TOO_LONG = ngettext_lazy(
    "At most %(limit_value)d character; this has %(show_value)d.",
    "At most %(limit_value)d characters; this has %(show_value)d.",
    "limit_value",
)


def _widget_attrs_without_maxlength(self, widget):
    attrs = _django_widget_attrs(self, widget)
    attrs.pop("maxlength", None)
    return attrs


_django_widget_attrs = forms.CharField.widget_attrs


def install() -> None:
    """The length rule above, for every form of the project (idempotent)."""
    validators.MaxLengthValidator.message = TOO_LONG
    forms.CharField.widget_attrs = _widget_attrs_without_maxlength  # type: ignore[method-assign]


def in_brackets(text) -> str:
    """" (text)" in English, "（text）" in Chinese."""
    return pgettext("brackets", " (%(text)s)") % {"text": text}
