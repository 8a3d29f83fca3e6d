"""Authorization cases of the forms pages and API operations."""


def cases(p) -> list:
    return []
