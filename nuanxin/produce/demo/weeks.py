"""The demo of the weeks area."""

from collections.abc import Callable


def build(*, out: Callable[[str], None] = print) -> None:
    pass
