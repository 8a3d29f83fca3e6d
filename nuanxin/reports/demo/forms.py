"""The demo of the forms area: the standard forms (``reports.services.seeds``) under the demo's
root for the running demo campaign, and the people who fill them in: a reporting administrator
(组织管理员) for every unit union and district federation that must send the weekly care report
(市南区's is the organisations demo's ``demo-district``). Their grants make them the contacts the
rates page lists for a missing report. Idempotent: forms and users that exist are left alone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from nuanxin.core.demo import DEMO_PASSWORD
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role

# (username, full name, organisation code): the reporters; demo-reporter is the one printed.
REPORTERS = [
    ("demo-reporter", "周填报", "QD-SN-01"),
    ("demo-rpt-sn-02", "吴静怡", "QD-SN-02"),
    ("demo-rpt-sn-03", "郑明远", "QD-SN-03"),
    ("demo-rpt-sb", "冯晓岚", "QD-SB"),
    ("demo-rpt-sb-01", "陈思雨", "QD-SB-01"),
    ("demo-rpt-sb-02", "褚佳宁", "QD-SB-02"),
    ("demo-rpt-sb-03", "卫振华", "QD-SB-03"),
    ("demo-rpt-lc", "蒋文博", "QD-LC"),
    ("demo-rpt-lc-01", "沈雅琴", "QD-LC-01"),
    ("demo-rpt-lc-02", "韩立新", "QD-LC-02"),
    ("demo-rpt-ls", "杨秋实", "QD-LS"),
    ("demo-rpt-ls-01", "朱慧敏", "QD-LS-01"),
    ("demo-rpt-cy", "秦海波", "QD-CY"),
    ("demo-rpt-cy-01", "尤丽华", "QD-CY-01"),
    ("demo-rpt-xha", "许国栋", "QD-XHA"),
    ("demo-rpt-xha-01", "何春燕", "QD-XHA-01"),
    ("demo-rpt-xha-02", "吕建平", "QD-XHA-02"),
    ("demo-rpt-jm", "施玉兰", "QD-JM"),
    ("demo-rpt-jm-01", "张德胜", "QD-JM-01"),
    ("demo-rpt-jz", "孔令仪", "QD-JZ"),
    ("demo-rpt-jz-01", "曹永康", "QD-JZ-01"),
    ("demo-rpt-pd", "严素梅", "QD-PD"),
    ("demo-rpt-pd-01", "华子健", "QD-PD-01"),
    ("demo-rpt-lx", "金晓燕", "QD-LX"),
    ("demo-rpt-lx-01", "魏长青", "QD-LX-01"),
]
# The units of the medical union (an industry union: it reviews, the units report).
MEDICAL_REPORTERS = [
    ("demo-rpt-yw-01", "陶冬梅", "QD-YW-01"),
    ("demo-rpt-yw-02", "姜海燕", "QD-YW-02"),
    ("demo-rpt-yw-03", "戚晓峰", "QD-YW-03"),
    ("demo-rpt-yw-04", "谢婷婷", "QD-YW-04"),
    ("demo-rpt-yw-05", "邹建国", "QD-YW-05"),
    ("demo-rpt-yw-06", "喻红梅", "QD-YW-06"),
]
ALL_REPORTERS = REPORTERS + MEDICAL_REPORTERS


def _org(code: str) -> Any:
    from nuanxin.orgs.models import Organisation

    return Organisation.objects.filter(code=code).first()


def demo_campaign() -> Any:
    """The running demo campaign of the care demo (its weeks are the weekly report's)."""
    from nuanxin.care.demo import CAMPAIGN_NOW
    from nuanxin.care.models import Campaign

    return Campaign.objects.filter(name=CAMPAIGN_NOW).order_by("pk").first()


def reporter_of(code: str) -> Any:
    """The user who fills ``code``'s reports (市南区: ``demo-district``); None when missing."""
    from nuanxin.accounts.models import User

    username = "demo-district" if code == "QD-SN" else next((u for u, _n, c in ALL_REPORTERS if c == code), None)
    return User.objects.filter(username=username).first() if username else None


@transaction.atomic
def _users(out: Callable[[str], None]) -> int:
    from nuanxin.accounts.models import User
    from nuanxin.orgs import services

    created = 0
    for i, (username, full_name, code) in enumerate(ALL_REPORTERS):
        org = _org(code)
        if org is None or User.objects.filter(username=username).exists():
            continue
        services.create_user(
            actor=SYSTEM,
            username=username,
            organisation=org,
            role=Role.ORG_ADMIN,
            password=DEMO_PASSWORD,
            full_name=full_name,
            mobile=f"+861880001{i + 1:04d}",
        )
        created += 1
    return created


def build(*, out: Callable[[str], None] = print) -> None:
    from nuanxin.reports.services import seeds

    root, campaign = _org("QD"), demo_campaign()
    if root is None or campaign is None:
        out("reports: the demo tree or the care demo's running campaign is missing; run their demos first")
        return
    created = _users(out)
    made = seeds.ensure_standard_forms(actor=SYSTEM, root=root, campaign=campaign)
    out(
        _("reports: %(forms)s standard forms, %(users)s reporters (%(new)s new)")
        % {"forms": len(made), "users": len(ALL_REPORTERS), "new": created}
    )


def logins() -> list[tuple[str, str, str, str]]:
    """The unit reporter of 青岛大学附属医院工会 (the reporters of the other units exist too)."""
    from nuanxin.accounts.models import User

    user = User.objects.filter(username="demo-reporter", is_active=True).first()
    org = _org("QD-SN-01")
    if user is None or org is None or not user.check_password(DEMO_PASSWORD):
        return []
    return [("demo-reporter", DEMO_PASSWORD, str(Role(Role.ORG_ADMIN).label), org.name)]
