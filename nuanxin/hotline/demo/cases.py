"""The hotline demo: cases."""


def build(*, out) -> None:
    pass
