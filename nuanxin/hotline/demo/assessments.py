"""The hotline demo: assessments."""


def build(*, out) -> None:
    pass
