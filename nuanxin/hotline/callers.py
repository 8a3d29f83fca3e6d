"""Recognising a repeat caller without keeping their number in clear where it is not needed.

``caller_key(number)`` is a keyed hash (HMAC-SHA256 with the project's secret) of the number
in E.164 form: two records of the same caller who consented share it, and it reveals nothing
without the secret. It is stored only with the caller's consent and cleared by the retention
job with the number itself."""

from __future__ import annotations

import hashlib
import hmac

import phonenumbers
from django.conf import settings
from django.utils.translation import gettext as _

from nuanxin.core.errors import ServiceError

REGION = "CN"


def normalise(number: str, *, field: str = "number") -> str:
    """The number in E.164 form (``+8613800001234``); a ``ServiceError`` on ``field`` when it is
    not a possible phone number (mobile or landline, with or without +86)."""
    text = (number or "").strip()
    try:
        parsed = phonenumbers.parse(text, REGION)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_possible_number(parsed):
        raise ServiceError(_("“%(number)s” is not a phone number.") % {"number": text[:40]}, field=field)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def caller_key(number: str) -> str:
    """The keyed hash that recognises the same caller again ("" for no number)."""
    if not number:
        return ""
    e164 = normalise(number)
    return hmac.new(settings.SECRET_KEY.encode(), b"hotline-caller:" + e164.encode(), hashlib.sha256).hexdigest()
