"""The demo of the figures area."""

from collections.abc import Callable


def build(*, out: Callable[[str], None] = print) -> None:
    pass
