"""The demo of the figures area: nothing of its own (the figures are the shifts' hours)."""

from collections.abc import Callable


def build(*, out: Callable[[str], None] = print) -> None:
    pass
