"""Authorization cases of the figures pages and API operations."""


def cases(p) -> list:
    return []
