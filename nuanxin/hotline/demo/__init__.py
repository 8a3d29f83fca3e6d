"""The hotline's demo (``nuanxin demo``): two hotlines (the city base and 莱西市), their members,
a rota with a gap, calls of every kind, self-assessments, a crisis case handed over, callbacks
done, due and overdue. Each area builds its part, in this order."""

from nuanxin.hotline.demo import assessments, calls, cases, hotlines, rota

PARTS = (hotlines, rota, calls, assessments, cases)


def build(*, out) -> None:
    for part in PARTS:
        part.build(out=out)


def logins() -> list:
    return [login for part in PARTS for login in getattr(part, "logins", list)()]
