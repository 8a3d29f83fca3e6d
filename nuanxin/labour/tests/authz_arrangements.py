"""Authorization cases of the arrangements pages and API operations."""


def cases(p) -> list:
    return []
