"""The demo of the dashboards area."""

from collections.abc import Callable


def build(*, out: Callable[[str], None] = print) -> None:
    pass
