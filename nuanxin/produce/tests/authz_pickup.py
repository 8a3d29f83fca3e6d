"""Authorization cases of the pickup pages and API operations."""


def cases(p) -> list:
    return []
