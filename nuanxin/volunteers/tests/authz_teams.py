"""Authorization cases of the teams pages and API operations."""


def cases(p) -> list:
    return []
