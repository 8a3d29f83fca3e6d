"""What the filling area adds to the pages of the apps below: connected from ``connect()``."""


def connect() -> None:
    pass
