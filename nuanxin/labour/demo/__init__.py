"""The labour-protection green channel's demo (``nuanxin demo``), one module per area, built in order."""

from collections.abc import Callable

from nuanxin.labour.demo import arrangements, employment, figures, legal


def build(*, out: Callable[[str], None] = print) -> None:
    for area in (
        arrangements,
        legal,
        employment,
        figures,
    ):
        area.build(out=out)
