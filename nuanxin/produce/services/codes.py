"""Pickup codes: six random digits (``secrets``), unique among the live orders of one offer
(the database holds it: ``produce_order_code``). A family reads the code from its text message
(or its care contact reads it out) and says it at the point."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

LENGTH = 6
SPACE = 10**LENGTH


def new_code() -> str:
    """Six random digits, leading zeros kept ("004217")."""
    return f"{secrets.randbelow(SPACE):0{LENGTH}d}"


def unused_code(taken: Iterable[str] | set[str]) -> str:
    """A new code that is not in ``taken`` (the live codes of the offer)."""
    taken = taken if isinstance(taken, set) else set(taken)
    while True:
        code = new_code()
        if code not in taken:
            return code


def codes_for(count: int, taken: Iterable[str]) -> list[str]:
    """``count`` distinct new codes, none of them in ``taken`` (a bulk placing)."""
    used = set(taken)
    out: list[str] = []
    for _ in range(count):
        code = unused_code(used)
        used.add(code)
        out.append(code)
    return out


def is_code(text: str) -> bool:
    """Whether ``text`` has the form of a pickup code (six digits)."""
    return len(text) == LENGTH and text.isascii() and text.isdigit()
