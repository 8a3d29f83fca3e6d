"""Authorization cases of recuperation (authz_api)."""


def cases(p) -> list:
    return []
