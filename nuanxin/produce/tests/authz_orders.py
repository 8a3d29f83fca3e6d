"""Authorization cases of the orders pages and API operations."""


def cases(p) -> list:
    return []
