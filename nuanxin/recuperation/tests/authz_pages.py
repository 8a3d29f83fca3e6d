"""Authorization cases of recuperation (authz_pages)."""


def cases(p) -> list:
    return []
