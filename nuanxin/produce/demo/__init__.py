"""The family produce supply's demo (``nuanxin demo``), one module per area, built in order."""

from collections.abc import Callable

from nuanxin.produce.demo import catalogue, figures, orders, pickup, weeks


def build(*, out: Callable[[str], None] = print) -> None:
    for area in (
        catalogue,
        orders,
        pickup,
        weeks,
        figures,
    ):
        area.build(out=out)
