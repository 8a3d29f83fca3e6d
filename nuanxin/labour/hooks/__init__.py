"""The labour-protection green channel's receivers of the lower apps' hooks, one module per area."""

from nuanxin.labour.hooks import arrangements, employment, figures, legal


def connect() -> None:
    for area in (
        arrangements,
        legal,
        employment,
        figures,
    ):
        area.connect()
