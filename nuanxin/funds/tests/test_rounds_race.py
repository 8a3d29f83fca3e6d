"""Two clerks adding the same person to a condolence round at the same moment, with real
parallel connections on PostgreSQL: the database's once-per-round index lets one through; the
other is refused with the "someone has just paid" message and records nothing."""

from datetime import date
from decimal import Decimal

import pytest

from nuanxin.core.errors import Conflict
from nuanxin.core.roles import Role
from nuanxin.funds.models import Beneficiary, Entry
from nuanxin.funds.services import rounds
from nuanxin.funds.tests.authz_spending import worker
from nuanxin.funds.tests.fixtures import fund_with, user
from tests.parallel import on_postgres, run_together

pytestmark = [on_postgres, pytest.mark.django_db(transaction=True)]

ON = date(2020, 2, 3)


@pytest.fixture(autouse=True)
def english(english):
    return english


def test_the_same_person_added_twice_at_once_is_paid_once(personas, fp):
    second_clerk = user("fclerk2", personas.shinan, Role.FUND_CLERK, "经办人二")
    fund = fund_with(fp.clerk, fp.approver, personas.shinan, "40000")
    zhang = worker(personas.shinan_hospital, "张三", "13800001111")
    li = worker(personas.shinan_hospital, "李四", "13800002222")
    round_, _plan = rounds.create_round(actor=fp.clerk, fund=fund, name="慰问", amount_per_person="2000", on=ON,
                                        workers=[li])
    results = run_together(
        lambda: rounds.add_people(actor=fp.clerk, round_=round_, workers=[zhang], on=ON),
        lambda: rounds.add_people(actor=second_clerk, round_=round_, workers=[zhang], on=ON),
    )
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], Conflict), results
    assert refused[0].message == (
        "Someone has just paid one of these people in this round. Open the round again to see who is paid."
    )
    assert Beneficiary.objects.filter(round=round_, worker=zhang, active=True).count() == 1
    assert Entry.objects.filter(round=round_).count() == 2
    assert sum(e.amount for e in Entry.objects.filter(round=round_)) == Decimal("4000.00")
