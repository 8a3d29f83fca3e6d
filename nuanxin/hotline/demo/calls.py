"""The hotline demo: calls."""


def build(*, out) -> None:
    pass
