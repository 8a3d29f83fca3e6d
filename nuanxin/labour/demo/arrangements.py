"""The demo of the arrangements area: a labour-rights officer of 市南区 (``demo-labour``, password
``core.demo.DEMO_PASSWORD``) and, for women workers of 市南区's hospitals, arrangements in every
state: two referred by the care contact (one from a visit: "pregnant and on night shifts"), agreed
ones with a review due within the reminder's days and ones ending soon, one ended. Run again, it
adds nothing (the arrangements are made only while there are none)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core.demo import DEMO_PASSWORD
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role

USERS = [("demo-labour", "周维权", Role.LABOUR_OFFICER, "QD-SN")]


def _org(code: str) -> Any:
    from nuanxin.orgs.models import Organisation

    return Organisation.objects.filter(code=code).first()


def _users(out: Callable[[str], None]) -> None:
    from nuanxin.accounts.models import User
    from nuanxin.orgs import services

    for username, full_name, role, code in USERS:
        org = _org(code)
        if org is None or User.objects.filter(username=username).exists():
            continue
        services.create_user(
            actor=SYSTEM, username=username, organisation=org, role=role, password=DEMO_PASSWORD, full_name=full_name
        )


def _visit_of(worker: Any) -> Any:
    from nuanxin.care.models import Visit

    return Visit.objects.filter(worker=worker).order_by("-on", "-id").first()


@transaction.atomic
def build(*, out: Callable[[str], None] = print) -> None:
    from nuanxin.care.models import CareAssignment
    from nuanxin.labour.models import Arrangement
    from nuanxin.labour.services import arrangements as services
    from nuanxin.registry.choices import Gender
    from nuanxin.registry.models import Worker

    _users(out)
    district = _org("QD-SN")
    if district is None:
        return
    if Arrangement.objects.exists():
        out(_("arrangements: %(count)s") % {"count": Arrangement.objects.count()})
        return
    today = timezone.localdate()
    women = list(
        Worker.objects.filter(organisation__path__startswith=district.path, gender=Gender.FEMALE)
        .select_related("organisation")
        .order_by("organisation__path", "id")[:60]
    )
    if len(women) < 8:
        out(_("arrangements: not enough women workers in the register of 市南区"))
        return
    contacts = {
        a.worker_id: a.contact
        for a in CareAssignment.objects.current().filter(worker__in=women).select_related("contact")
    }

    def refer(worker: Any, stage: str, **kw: Any) -> Any:
        actor = contacts.get(worker.pk) or SYSTEM
        if stage == "pregnant":
            kw.setdefault("expected_on", today + timedelta(days=120))
        else:
            kw.setdefault("lactating_until", today + timedelta(days=150))
        return services.refer_arrangement(actor=actor, worker=worker, stage=stage, **kw)

    def agree(a: Any, measures: list[str], *, starts: int, ends: int | None, review: int) -> Any:
        return services.agree_arrangement(
            actor=SYSTEM,
            arrangement=a,
            stage=a.stage,
            expected_on=a.expected_on,
            lactating_until=a.lactating_until,
            measures=measures,
            starts_on=today + timedelta(days=starts),
            ends_on=today + timedelta(days=ends) if ends is not None else None,
            confirmed_by="护理部王主任",
            confirmed_on=today + timedelta(days=min(starts, 0)),
            review_on=today + timedelta(days=review),
            notes=a.notes,
        )

    # The first is a woman whose family a care contact visited: referred from that visit.
    first = next((w for w in women if w.pk in contacts and _visit_of(w) is not None), women[0])
    women = [first, *[w for w in women if w.pk != first.pk][:7]]
    refer(
        first,
        "pregnant",
        visit=_visit_of(first),
        measures=["no_night_shifts"],
        notes="她怀孕四个月，还在上夜班，希望调整班次。",
    )
    refer(women[1], "lactating", measures=["flexible_hours"], notes="哺乳期，每天需要哺乳时间。")
    # Agreed, the review due within the reminder's days (one today).
    agree(refer(women[2], "pregnant"), ["no_night_shifts", "lighter_duties"], starts=-40, ends=80, review=3)
    agree(refer(women[3], "lactating"), ["flexible_hours", "flexible_leave"], starts=-60, ends=100, review=0)
    # Agreed, ending soon.
    agree(
        refer(women[4], "pregnant", expected_on=today + timedelta(days=12)),
        ["remote_work", "no_night_shifts"],
        starts=-90,
        ends=10,
        review=5,
    )
    agree(
        refer(women[5], "lactating", lactating_until=today + timedelta(days=7)),
        ["flexible_hours"],
        starts=-120,
        ends=7,
        review=6,
    )
    # Agreed, the review later.
    agree(refer(women[6], "pregnant"), ["remote_work"], starts=-10, ends=None, review=45)
    # Ended.
    ended = agree(refer(women[7], "lactating"), ["flexible_hours"], starts=-200, ends=-1, review=-30)
    services.end_arrangement(actor=SYSTEM, arrangement=ended, on=today - timedelta(days=1), reason="哺乳期结束")
    out(_("arrangements: %(count)s") % {"count": Arrangement.objects.count()})


def logins() -> list[tuple[str, str, str, str]]:
    """(username, password, role, scope) of the labour demo users that exist."""
    from nuanxin.accounts.models import User

    existing = {u.username: u for u in User.objects.filter(username__in=[u[0] for u in USERS], is_active=True)}
    result = []
    for username, _full_name, role, code in USERS:
        user = existing.get(username)
        org = _org(code)
        if user is None or org is None or not user.check_password(DEMO_PASSWORD):
            continue
        result.append((username, DEMO_PASSWORD, str(Role(role).label), org.name))
    return result
