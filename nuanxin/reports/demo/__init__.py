"""Reports up the tree: the demo (``nuanxin demo``), one module per area, built in order."""

from collections.abc import Callable

from nuanxin.reports.demo import approval, dashboards, filling, forms, rates

AREAS = (
    forms,
    filling,
    approval,
    rates,
    dashboards,
)


def build(*, out: Callable[[str], None] = print) -> None:
    for area in AREAS:
        area.build(out=out)


def logins() -> list[tuple[str, str, str, str]]:
    """(username, password, role, scope) of the areas' demo sign-ins that exist."""
    return [login for area in AREAS if hasattr(area, "logins") for login in area.logins()]
