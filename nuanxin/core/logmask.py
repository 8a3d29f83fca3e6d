"""Personal numbers out of the logs.

A full mobile typed into a search box travels in the query string (``/registry/?q=13812345678``),
and the web server's access log writes every request line. ``MaskPersonalNumbers`` is a
logging filter (``settings.LOGGING`` puts it on every handler) that rewrites what looks like a
mainland mobile (optionally with +86 / %2B86) to 138****5678 and what looks like an ID-card
number to its first six characters and ****. It works on the formatted message, so it
covers the access log's request line as well as any other log line; it does not parse, so
it masks anything of that shape (an order number of eleven digits starting with 13 too).
"""

from __future__ import annotations

import logging
import re

# Not inside a longer run of digits; an ID number (17 digits and a check character) is
# matched first so its inner digits are not taken for a mobile.
_ID_CARD = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{11}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)((?:\+|%2[Bb])?86[ -]?)?(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def mask_text(text: str) -> str:
    """``text`` with ID-card numbers and mainland mobiles masked."""
    text = _ID_CARD.sub(lambda m: m.group(1) + "************", text)
    return _MOBILE.sub(lambda m: f"{m.group(2)}****{m.group(3)}", text)


class MaskPersonalNumbers(logging.Filter):
    """Mask mobiles and ID numbers in the message of every record (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: leave it to the formatter
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True
