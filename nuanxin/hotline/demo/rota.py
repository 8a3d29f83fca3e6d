"""The hotline demo: rota."""


def build(*, out) -> None:
    pass
