"""Authorization cases of the hotline: calls."""


def cases(p) -> list:
    return []
