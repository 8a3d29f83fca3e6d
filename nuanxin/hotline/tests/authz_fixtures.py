"""The hotlines the authorization cases of every hotline area share: built once for a personas
object (the areas' ``cases(p)`` run one after another in the same database)."""

from types import SimpleNamespace

from nuanxin.hotline.models import Hotline
from nuanxin.hotline.tests.conftest import make_hotlines

_built: dict[int, SimpleNamespace] = {}


def hotlines(p) -> SimpleNamespace:
    cached = _built.get(id(p))
    if cached is None or not Hotline.objects.filter(pk=cached.city.pk).exists():
        cached = _built[id(p)] = make_hotlines(p)
    return cached
