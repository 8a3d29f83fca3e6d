"""What the forms area adds to the pages of the apps below: connected from ``connect()``."""


def connect() -> None:
    pass
