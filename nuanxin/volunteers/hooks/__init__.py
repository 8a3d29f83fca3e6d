"""Volunteer teams: receivers of the lower apps' hooks, one module per area."""

from nuanxin.volunteers.hooks import figures, shifts, teams


def connect() -> None:
    for area in (
        teams,
        shifts,
        figures,
    ):
        area.connect()
