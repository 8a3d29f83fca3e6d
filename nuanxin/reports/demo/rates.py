"""The demo of the rates area."""

from collections.abc import Callable


def build(*, out: Callable[[str], None] = print) -> None:
    pass
