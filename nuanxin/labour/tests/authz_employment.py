"""Authorization cases of the employment pages and API operations."""


def cases(p) -> list:
    return []
