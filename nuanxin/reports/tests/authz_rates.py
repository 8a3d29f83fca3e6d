"""Authorization cases of the rates pages and API operations."""


def cases(p) -> list:
    return []
