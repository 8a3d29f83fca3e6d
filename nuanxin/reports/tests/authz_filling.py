"""Authorization cases of the filling pages and API operations."""


def cases(p) -> list:
    return []
