"""What the figures area adds to the pages of the apps below (worker page, care timeline,
care follow-ups): connected from ``connect()``."""


def connect() -> None:
    pass
