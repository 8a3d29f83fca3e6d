"""The family produce supply's receivers of the lower apps' hooks, one module per area."""

from nuanxin.produce.hooks import catalogue, figures, orders, pickup, weeks


def connect() -> None:
    for area in (
        catalogue,
        orders,
        pickup,
        weeks,
        figures,
    ):
        area.connect()
