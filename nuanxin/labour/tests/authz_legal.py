"""Authorization cases of the legal pages and API operations."""


def cases(p) -> list:
    return []
