"""The funds' demo (``nuanxin demo``): built by ``build(*, out)``; ``logins()`` the sign-ins."""


def build(*, out) -> None:
    return None


def logins() -> list:
    return []
