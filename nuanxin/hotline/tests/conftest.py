"""Fixtures shared by the hotline's tests: the city base's hotline at the medical union (the
counsellor persona serves it, with a colleague, a supervisor and a coordinator) and 市北区's
hotline (丙's scope) with a counsellor of its own, ``stranger`` (someone the first hotline's
records must stay hidden from). ``h`` is the namespace; ``make_hotlines(p)`` builds it inside
authorization cases too."""

from types import SimpleNamespace

import pytest

from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.hotline.choices import Channel, MemberKind
from nuanxin.hotline.services import hotlines as hotline_services
from nuanxin.orgs import services as org_services
from tests.snapshot import once


def make_hotlines(p) -> SimpleNamespace:
    """Build the two hotlines and their people through the services (usable in authz cases)."""
    medical = p.medical_union
    city = hotline_services.create_hotline(actor=SYSTEM, organisation=medical, name="青岛市总工会心理健康服务基地")
    line = hotline_services.add_line(actor=SYSTEM, hotline=city, label="心理关爱热线", number="400-8692-525")
    online = hotline_services.add_line(actor=SYSTEM, hotline=city, label="线上咨询", channel=Channel.ONLINE, order=1)
    hotline_services.add_member(actor=SYSTEM, hotline=city, user=p.counsellor, kind=MemberKind.COUNSELLOR)
    supervisor, _pw = org_services.create_user(
        actor=SYSTEM, username="hotline-supervisor", organisation=medical, role=Role.SUPERVISOR
    )
    hotline_services.add_member(actor=SYSTEM, hotline=city, user=supervisor, kind=MemberKind.SUPERVISOR)
    coordinator, _pw = org_services.create_user(
        actor=SYSTEM, username="hotline-coordinator", organisation=medical, role=Role.COORDINATOR
    )
    hotline_services.add_member(actor=SYSTEM, hotline=city, user=coordinator, kind=MemberKind.COORDINATOR)
    # A second counsellor of the city hotline (rota, swaps, queues).
    colleague, _pw = org_services.create_user(
        actor=SYSTEM, username="hotline-colleague", organisation=medical, role=Role.COUNSELLOR
    )
    hotline_services.add_member(actor=SYSTEM, hotline=city, user=colleague, kind=MemberKind.COUNSELLOR)
    # 市北区's hotline (丙's scope, outside the medical union) and its counsellor.
    other = hotline_services.create_hotline(actor=SYSTEM, organisation=p.shibei, name="市北区职工心理服务中心")
    other_line = hotline_services.add_line(actor=SYSTEM, hotline=other, label="市北热线", number="0532-88888888")
    stranger, _pw = org_services.create_user(
        actor=SYSTEM, username="hotline-stranger", organisation=p.shibei, role=Role.COUNSELLOR
    )
    hotline_services.add_member(actor=SYSTEM, hotline=other, user=stranger, kind=MemberKind.COUNSELLOR)
    return SimpleNamespace(
        city=city, line=line, online=online, counsellor=p.counsellor, supervisor=supervisor,
        coordinator=coordinator, colleague=colleague, other=other, other_line=other_line, stranger=stranger,
        medical=medical,
    )


@pytest.fixture
def h(personas, db):
    """The hotlines, built through the services once per run, then put back (tests/snapshot.py)."""
    return once(make_hotlines, personas)
