"""The world of the page tests (``test_views_*``): a campaign in its second week, and a
signed-in client."""

from contextlib import contextmanager
from datetime import timedelta

from django.test import Client

from nuanxin.care import services
from nuanxin.care.models import VisitDuty
from nuanxin.care.tests.helpers import W1, at, build_world

W2 = W1 + timedelta(days=7)
WED = W2 + timedelta(days=2)  # "today" in these tests: Wednesday of the second week


@contextmanager
def page_world(personas):
    """``helpers.build_world`` lived through: W1: a1 visited, the others missed. W2 (this
    week, the clock stays on its Wednesday inside the block): a2 visited, a3 excused, a1 due."""
    w = build_world(personas)
    with at(W1 + timedelta(days=2)):
        services.record_visit(actor=personas.care, worker=w.a1, on=W1 + timedelta(days=2), mode="phone")
    with at(W2, 0, 10):
        services.open_duties()
    with at(W2 + timedelta(days=1)):
        services.record_visit(actor=personas.care, worker=w.a2, on=W2 + timedelta(days=1), mode="home")
        services.excuse_duty(actor=personas.care, duty=VisitDuty.objects.get(worker=w.a3, week=W2), reason="家属外出")
    with at(WED):
        yield w


def client_for(user, language: str = "en") -> Client:
    """A signed-in client; pages in English unless ``language`` says otherwise (the
    language switch's cookie), so messages can be compared."""
    client = Client()
    client.force_login(user)
    client.cookies["nuanxin_language"] = language
    return client
