"""The hotline demo: the two hotlines, their lines and their people.

- 青岛市总工会心理健康服务基地, run by 青岛市医务工会 (the medical union, where the organisations
  demo's ``demo-counsellor`` 刘心理 holds the counsellor role): round the clock, the lines
  400-8692-525, 0532-85669120 and 0532-83092325 of notice 001 and an online channel; five
  counsellors (刘心理 among them), the supervisor ``demo-supervisor`` and the coordinator
  ``demo-coordinator``.
- 莱西市职工心理服务中心, run by 莱西市总工会: open 08:00–22:00, one (fictional) number, three
  counsellors, a supervisor and a coordinator of its own.

``demo-counsellor`` serves the city base only. The organisations demo's viewer ``demo-viewer``
(卫健委, whose group is the medical institutions) is also made a viewer of 青岛市医务工会, so that
it sees the city base's figures (never a record). Accounts are made through the organisations'
services (password ``core.demo.DEMO_PASSWORD``), the hotlines and memberships through the
hotline's services, all as the system. Idempotent: what exists is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import time

from django.db import transaction
from django.utils.translation import gettext as _

from nuanxin.core.demo import DEMO_PASSWORD
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.hotline.choices import Channel, MemberKind
from nuanxin.hotline.models import Hotline, HotlineMember
from nuanxin.hotline.services import hotlines as services

CITY = "青岛市总工会心理健康服务基地"
LAIXI = "莱西市职工心理服务中心"


@dataclass(frozen=True)
class DemoHotline:
    name: str
    org_code: str
    online_channel: str
    # (label, number, channel)
    lines: list[tuple[str, str, str]]
    # (username, full name, kind); users made here unless they exist (demo-counsellor does)
    members: list[tuple[str, str, str]]
    always_open: bool = True
    opens_at: time = time(0, 0)
    closes_at: time = time(0, 0)
    min_seats: int = 2


HOTLINES = [
    DemoHotline(
        name=CITY,
        org_code="QD-YW",
        online_channel="微信公众号“青岛职工心理关爱”（演示）",
        lines=[
            ("心理关爱热线", "400-8692-525", Channel.PHONE),
            ("心理援助热线", "0532-85669120", Channel.PHONE),
            ("心理援助热线（二）", "0532-83092325", Channel.PHONE),
            ("线上咨询", "", Channel.ONLINE),
        ],
        members=[
            ("demo-counsellor", "刘心理", MemberKind.COUNSELLOR),
            ("demo-counsellor2", "陈倾听", MemberKind.COUNSELLOR),
            ("demo-counsellor3", "周安心", MemberKind.COUNSELLOR),
            ("demo-counsellor4", "吴宁静", MemberKind.COUNSELLOR),
            ("demo-counsellor5", "郑守望", MemberKind.COUNSELLOR),
            ("demo-supervisor", "冯督导", MemberKind.SUPERVISOR),
            ("demo-coordinator", "韩协调", MemberKind.COORDINATOR),
        ],
    ),
    DemoHotline(
        name=LAIXI,
        org_code="QD-LX",
        online_channel="",
        lines=[("莱西心理服务热线", "0532-88401200", Channel.PHONE)],
        members=[
            ("demo-laixi-counsellor", "孙聆听", MemberKind.COUNSELLOR),
            ("demo-laixi-counsellor2", "马同行", MemberKind.COUNSELLOR),
            ("demo-laixi-counsellor3", "杨暖阳", MemberKind.COUNSELLOR),
            ("demo-laixi-supervisor", "何督导", MemberKind.SUPERVISOR),
            ("demo-laixi-coordinator", "曹排班", MemberKind.COORDINATOR),
        ],
        always_open=False,
        opens_at=time(8, 0),
        closes_at=time(22, 0),
    ),
]

# The accounts this part makes (demo-counsellor is the organisations demo's).
MADE_HERE = [
    (username, full_name, kind, spec.org_code, spec.name)
    for spec in HOTLINES
    for username, full_name, kind in spec.members
    if username != "demo-counsellor"
]


def _org(code: str):
    from nuanxin.orgs.models import Organisation

    return Organisation.objects.filter(code=code).first()


# Demo mobiles of the people told at once (a crisis case's SMS to the supervisors, the rota's
# notices to the coordinators): made-up numbers of the 13800138xxx kind, so the SMS outbox of
# the demo shows them.
MOBILES = {
    "demo-supervisor": "13800138101",
    "demo-coordinator": "13800138102",
    "demo-laixi-supervisor": "13800138103",
    "demo-laixi-coordinator": "13800138104",
}


def _user(username: str, full_name: str, kind: str, organisation):
    from nuanxin.accounts.models import User
    from nuanxin.orgs import services as org_services

    mobile = MOBILES.get(username, "")
    user = User.objects.filter(username=username).first()
    if user is None:
        user, _password = org_services.create_user(
            actor=SYSTEM,
            username=username,
            organisation=organisation,
            role=kind,
            password=DEMO_PASSWORD,
            full_name=full_name,
            mobile=mobile,
        )
    elif mobile and not user.mobile:  # a demo built before the mobiles were given
        user = org_services.update_user(
            actor=SYSTEM, user=user, full_name=user.full_name, email=user.email, mobile=mobile
        )
    return user


@transaction.atomic
def build(*, out: Callable[[str], None] = print) -> None:
    """The two hotlines, their lines and members, where missing."""
    made = 0
    for spec in HOTLINES:
        organisation = _org(spec.org_code)
        if organisation is None:  # not the demo tree
            continue
        hotline = Hotline.objects.filter(organisation=organisation, name=spec.name).first()
        if hotline is None:
            hotline = services.create_hotline(
                actor=SYSTEM,
                organisation=organisation,
                name=spec.name,
                online_channel=spec.online_channel,
                always_open=spec.always_open,
                opens_at=spec.opens_at,
                closes_at=spec.closes_at,
                min_seats=spec.min_seats,
            )
            for order, (label, number, channel) in enumerate(spec.lines):
                services.add_line(
                    actor=SYSTEM, hotline=hotline, label=label, number=number, channel=channel, order=order
                )
            made += 1
        for username, full_name, kind in spec.members:
            user = _user(username, full_name, kind, organisation)
            if not HotlineMember.objects.filter(hotline=hotline, user=user, kind=kind, active=True).exists():
                services.add_member(actor=SYSTEM, hotline=hotline, user=user, kind=kind)
    _viewer_of_the_medical_union()
    out(_("hotlines: %(count)s (%(new)s new)") % {"count": Hotline.objects.count(), "new": made})


def _viewer_of_the_medical_union() -> None:
    from nuanxin.accounts.models import User
    from nuanxin.orgs import services as org_services
    from nuanxin.orgs.models import Grant

    viewer, medical = User.objects.filter(username="demo-viewer").first(), _org("QD-YW")
    if viewer is None or medical is None:
        return
    if not Grant.objects.active().filter(user=viewer, role=Role.VIEWER, organisation=medical).exists():
        org_services.grant_role(actor=SYSTEM, user=viewer, role=Role.VIEWER, organisation=medical)


def hotline(name: str) -> Hotline | None:
    """A demo hotline by name (for the other demo parts): ``CITY`` or ``LAIXI``."""
    code = next(spec.org_code for spec in HOTLINES if spec.name == name)
    return Hotline.objects.filter(organisation__code=code, name=name).first()


def logins() -> list[tuple[str, str, str, str]]:
    """(username, password, role, scope) of this part's demo users that exist."""
    from nuanxin.accounts.models import User

    existing = {u.username: u for u in User.objects.filter(username__in=[m[0] for m in MADE_HERE], is_active=True)}
    result = []
    for username, _full_name, kind, _org_code, hotline_name in MADE_HERE:
        user = existing.get(username)
        if user is None or not user.check_password(DEMO_PASSWORD):
            continue
        result.append((username, DEMO_PASSWORD, str(Role(kind).label), hotline_name))
    return result
