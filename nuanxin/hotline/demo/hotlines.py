"""The hotline demo: hotlines."""


def build(*, out) -> None:
    pass
