"""Authorization cases of the shifts pages and API operations."""


def cases(p) -> list:
    return []
