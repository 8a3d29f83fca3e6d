"""The commendations' demo (``nuanxin demo``): filled in below."""


def build(*, out) -> None:
    return None


def logins() -> list:
    return []
