"""Two at once, for real (PostgreSQL): syncs started together (the job and a button) list each
number once; two people sending the same list at once send each number once, in one dispatch."""

import pytest

from nuanxin.core.policy import SYSTEM
from nuanxin.telecom.choices import WaiverStatus
from nuanxin.telecom.models import Dispatch, Waiver
from nuanxin.telecom.services import lists, transitions
from nuanxin.telecom.tests.fixtures import member, number
from tests.parallel import on_postgres, run_together

pytestmark = [on_postgres, pytest.mark.django_db(transaction=True)]


def test_syncs_at_once_list_each_number_once(personas):
    for n in range(1, 9):
        member(personas.shinan_hospital, f"并发{n}", number(n))
    results = run_together(*[lambda: lists.sync(actor=SYSTEM)] * 4)
    assert [type(r).__name__ for r in results] == ["SyncResult"] * 4
    assert sorted(r.created for r in results) == [0, 0, 0, 8]
    assert Waiver.objects.count() == 8


def test_two_sends_at_once_send_each_number_once(personas):
    for n in range(1, 6):
        member(personas.shinan_hospital, f"并发{n}", number(n))
    lists.sync(actor=SYSTEM)
    results = run_together(
        lambda: transitions.send(actor=personas.yi, carrier="mobile", organisation=personas.shinan),
        lambda: transitions.send(actor=personas.jia, carrier="mobile", organisation=personas.city),
    )
    assert sorted(type(r).__name__ for r in results) == ["Dispatch", "ServiceError"]
    assert Dispatch.objects.get().lines == 5
    assert set(Waiver.objects.values_list("status", flat=True)) == {WaiverStatus.SENT}
