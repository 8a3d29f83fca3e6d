"""The arrangements' demo: the labour officer's sign-in, arrangements in every state with some
review due and some ending soon, one referred from a visit; run twice it adds nothing."""

import pytest

from nuanxin.care import demo as care_demo
from nuanxin.core.demo import DEMO_PASSWORD
from nuanxin.labour.demo import arrangements as demo
from nuanxin.labour.models import Arrangement
from nuanxin.labour.selectors import arrangements as selectors
from nuanxin.orgs import demo as orgs_demo
from nuanxin.registry import demo as registry_demo

pytestmark = pytest.mark.django_db


def test_the_demo(english):
    orgs_demo.build(out=lambda line: None)
    registry_demo.build(out=lambda line: None)
    care_demo.build(out=lambda line: None)
    lines: list[str] = []
    demo.build(out=lines.append)
    rows = Arrangement.objects.all()
    assert sorted(rows.values_list("status", flat=True)) == ["agreed"] * 5 + ["ended"] + ["referred"] * 2
    assert rows.filter(visit__isnull=False).count() == 1
    assert selectors.review_due(rows).count() == 4
    assert selectors.ending_soon(rows).count() == 2
    assert demo.logins() == [("demo-labour", DEMO_PASSWORD, "Labour-rights officer", "市南区总工会")]
    assert lines[-1] == "arrangements: 8"
    demo.build(out=lines.append)
    assert Arrangement.objects.count() == 8
