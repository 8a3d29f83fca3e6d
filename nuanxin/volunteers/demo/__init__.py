"""Volunteer teams: the demo (``nuanxin demo``), one module per area, built in order."""

from collections.abc import Callable

from nuanxin.volunteers.demo import figures, shifts, teams

AREAS = (
    teams,
    shifts,
    figures,
)


def build(*, out: Callable[[str], None] = print) -> None:
    for area in AREAS:
        area.build(out=out)


def logins() -> list[tuple[str, str, str, str]]:
    """(username, password, role, scope) of the areas' demo sign-ins that exist."""
    return [login for area in AREAS if hasattr(area, "logins") for login in area.logins()]
