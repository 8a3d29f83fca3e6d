"""The demo of the shifts area."""

from collections.abc import Callable


def build(*, out: Callable[[str], None] = print) -> None:
    pass
