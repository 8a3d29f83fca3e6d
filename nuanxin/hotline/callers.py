"""Recognising a repeat caller without keeping their number in clear where it is not needed.

``normalise(number)`` accepts only a number a person can be reached on: a valid Chinese mobile
(11 digits starting with 1, with or without +86), a landline with its area code
(``0532-85669120``), or a valid foreign number in international form. It refuses numbers that
merely look possible ("12345", a 10-digit mobile, a landline without its area code) and the
service numbers (400/800 and other shared-cost, toll-free or premium numbers): those reach a
company's switchboard, never the caller, so they are no number to call back or to recognise a
caller by. (A hotline's own line may well be a 400 number: lines are not checked here.)

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

# Numbers that reach a service, not a person: never a caller's number.
SERVICE_TYPES = frozenset(
    {
        phonenumbers.PhoneNumberType.TOLL_FREE,
        phonenumbers.PhoneNumberType.PREMIUM_RATE,
        phonenumbers.PhoneNumberType.SHARED_COST,
        phonenumbers.PhoneNumberType.UAN,
    }
)


def normalise(number: str, *, field: str = "number") -> str:
    """The number in E.164 form (``+8613800001234``); a ``ServiceError`` on ``field`` when it is
    not a valid number of a person (a mobile, or a landline with its area code, with or without
    +86), or when it is a service number (400/800)."""
    text = (number or "").strip()
    try:
        parsed = phonenumbers.parse(text, REGION)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise ServiceError(_("“%(number)s” is not a phone number.") % {"number": text[:40]}, field=field)
    if phonenumbers.number_type(parsed) in SERVICE_TYPES:
        raise ServiceError(
            _(
                "“%(number)s” is a service number (400/800): enter a mobile or a landline (with its area code) "
                "the caller can be reached on."
            )
            % {"number": text[:40]},
            field=field,
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def caller_key(number: str) -> str:
    """The keyed hash that recognises the same caller again ("" for no number)."""
    if not number:
        return ""
    e164 = normalise(number)
    return hmac.new(settings.SECRET_KEY.encode(), b"hotline-caller:" + e164.encode(), hashlib.sha256).hexdigest()
