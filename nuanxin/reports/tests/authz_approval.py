"""Authorization cases of the approval pages and API operations."""


def cases(p) -> list:
    return []
