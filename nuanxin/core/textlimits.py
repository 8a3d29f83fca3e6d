"""Text in forms and labels, the same way on every page.

- ``with_colon(label)``: "Label: " in English, "标签：" in Chinese (full-width colon).
- ``too_long(limit, length)``: the one message for a text longer than its field ("最多 50 个字，
  现在 300 个字。"), instead of Django's "确保该变量包含不超过 50 字符 (目前字符数 300)。".
- ``apply_length_limits(form)``: every ``CharField`` of a form gets that message and loses the
  browser's ``maxlength`` attribute: a name longer than the field is refused by the server with
  the message, never cut silently by the browser. Forms call it from ``__init__`` (or inherit
  ``LengthLimitsMixin``).
"""

from __future__ import annotations

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext as _
from django.utils.translation import pgettext


def with_colon(label) -> str:
    return pgettext("label colon", "%(label)s: ") % {"label": label}


def too_long(limit: int, length: int) -> str:
    return _("At most %(limit)s characters; this has %(length)s.") % {"limit": limit, "length": length}


class LimitedLength(MaxLengthValidator):
    """Django's max-length check with the shared message."""

    def __call__(self, value) -> None:
        length = self.clean(value)
        if length > self.limit_value:
            raise forms.ValidationError(too_long(self.limit_value, length), code="max_length",
                                        params={"limit_value": self.limit_value, "show_value": length})


def apply_length_limits(form: forms.BaseForm) -> None:
    """The shared max-length rule on each text field of ``form`` (see the module's doc)."""
    for field in form.fields.values():
        limit = getattr(field, "max_length", None)
        if not limit:
            continue
        field.validators = [
            LimitedLength(limit) if isinstance(v, MaxLengthValidator) else v for v in field.validators
        ]
        field.widget.attrs.pop("maxlength", None)


class LengthLimitsMixin:
    """Mix into a form (before ``forms.Form``/``ModelForm``) to apply ``apply_length_limits``."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        apply_length_limits(self)  # type: ignore[arg-type]  # a mixin of forms
