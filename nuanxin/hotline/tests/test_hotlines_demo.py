"""The hotline demo's first part: two hotlines with their lines and people, demo-counsellor on
the city base only, the logins, idempotent."""

import pytest

from nuanxin.accounts.models import User
from nuanxin.core.demo import DEMO_PASSWORD
from nuanxin.core.models import AuditLog
from nuanxin.hotline.choices import MemberKind
from nuanxin.hotline.demo import hotlines as demo
from nuanxin.hotline.models import Hotline, HotlineMember
from nuanxin.hotline.selectors import stats
from nuanxin.orgs import demo as orgs_demo

pytestmark = pytest.mark.django_db


def test_the_demo_hotlines_and_their_people():
    orgs_demo.build(out=lambda line: None)
    demo.build(out=lambda line: None)
    city, laixi = demo.hotline(demo.CITY), demo.hotline(demo.LAIXI)
    assert (city.organisation.code, laixi.organisation.code) == ("QD-YW", "QD-LX")
    assert list(city.lines.values_list("number", flat=True)) == ["400-8692-525", "0532-85669120", "0532-83092325", ""]
    assert laixi.lines.count() == 1
    assert (city.always_open, laixi.always_open, str(laixi.opens_at), str(laixi.closes_at)) == (
        True, False, "08:00:00", "22:00:00"
    )
    counsellor = User.objects.get(username="demo-counsellor")
    assert list(Hotline.objects.for_user(counsellor)) == [city]
    assert list(HotlineMember.objects.filter(user=counsellor).values_list("hotline", "kind")) == [
        (city.pk, MemberKind.COUNSELLOR)
    ]
    kinds = sorted(HotlineMember.objects.filter(hotline=city, active=True).values_list("kind", flat=True))
    assert kinds == [MemberKind.COUNSELLOR] * 5 + [MemberKind.COORDINATOR, MemberKind.SUPERVISOR]
    assert list(Hotline.objects.for_user(User.objects.get(username="demo-supervisor"))) == [city]
    assert list(Hotline.objects.for_user(User.objects.get(username="demo-laixi-supervisor"))) == [laixi]
    # the people told at once (a crisis case's SMS, the rota's notices) have demo mobiles
    assert dict(
        User.objects.filter(
            username__in=["demo-supervisor", "demo-coordinator", "demo-laixi-supervisor", "demo-laixi-coordinator"]
        ).values_list("username", "mobile")
    ) == {
        "demo-supervisor": "13800138101",
        "demo-coordinator": "13800138102",
        "demo-laixi-supervisor": "13800138103",
        "demo-laixi-coordinator": "13800138104",
    }
    viewer = User.objects.get(username="demo-viewer")
    assert stats.pick(viewer, org="QD-YW")[0].code == "QD-YW"
    assert [h.pk for h in stats.hotlines(viewer, city.organisation)] == [city.pk]
    logins = demo.logins()
    assert len(logins) == 11
    supervisor = next(login for login in logins if login[0] == "demo-supervisor")
    assert (supervisor[1], supervisor[3]) == (DEMO_PASSWORD, demo.CITY)
    assert [login[0] for login in logins if login[3] == demo.LAIXI] == [
        "demo-laixi-counsellor", "demo-laixi-counsellor2", "demo-laixi-counsellor3", "demo-laixi-supervisor",
        "demo-laixi-coordinator",
    ]
    rows = AuditLog.objects.count()
    demo.build(out=lambda line: None)
    assert AuditLog.objects.count() == rows
    assert Hotline.objects.count() == 2
