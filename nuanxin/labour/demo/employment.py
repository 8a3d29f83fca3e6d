"""The demo of the employment area."""

from collections.abc import Callable


def build(*, out: Callable[[str], None] = print) -> None:
    pass
