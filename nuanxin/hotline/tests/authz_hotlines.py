"""Authorization cases of the hotline: hotlines (the list, a hotline's page, the
administrators' pages for its details, lines and members).

The hotline of the other areas' cases (``authz_fixtures``) is read here; what these cases
change is a hotline of their own at the medical union (甲 administers it; 乙 and 丙 are
administrators elsewhere: 404), so the other areas' cases see their hotline unchanged."""

from nuanxin.core.policy import SYSTEM
from nuanxin.hotline.choices import Channel, MemberKind
from nuanxin.hotline.models import Hotline, HotlineLine, HotlineMember
from nuanxin.hotline.services import hotlines as services
from nuanxin.hotline.tests.authz_fixtures import hotlines
from tests.authz import PERSONA_ORDER, Case, standard_cases


def outsiders(p, model, action, obj, *more) -> tuple:
    """The personas holding a role for ``action`` whose reach stops short of ``obj``, and more."""
    people = [getattr(p, name) for name in PERSONA_ORDER]
    found = [u for u in people if model.policy.may(u, action) and not model.policy.allows(u, action, obj)]
    return tuple(found) + more


def cases(p) -> list[Case]:
    h = hotlines(p)
    own = services.create_hotline(actor=SYSTEM, organisation=h.medical, name="授权测试热线")
    line = services.add_line(actor=SYSTEM, hotline=own, label="授权热线", number="0532-80000001")
    spare = services.add_line(actor=SYSTEM, hotline=own, label="备用热线", number="0532-80000002")
    member = services.add_member(actor=SYSTEM, hotline=own, user=h.colleague, kind=MemberKind.COUNSELLOR)
    manage_outside = outsiders(p, Hotline, "manage", own)
    return [
        *standard_cases(p, "hotline:hotline_list", model=Hotline, action="view", allowed=h.stranger),
        *standard_cases(
            p,
            "hotline:hotline_detail",
            model=Hotline,
            action="view",
            obj=h.city,
            allowed=h.counsellor,
            other_org=outsiders(p, Hotline, "view", h.city, h.stranger),
        ),
        *standard_cases(
            p,
            "hotline:hotline_create",
            model=Hotline,
            action="manage",
            allowed=p.jia,
            data={"organisation": h.medical.pk, "name": "新开热线", "always_open": "on", "min_seats": "2"},
            # 丙 is offered 市北区's organisations only: the form refuses the medical union.
            other_org=p.bing,
            other_org_status=200,
        ),
        *standard_cases(
            p,
            "hotline:hotline_edit",
            model=Hotline,
            action="manage",
            obj=own,
            allowed=p.jia,
            data={"name": "授权测试热线（改）", "always_open": "on", "min_seats": "3", "version": "1"},
            other_org=manage_outside,
        ),
        *standard_cases(
            p,
            "hotline:line_create",
            model=Hotline,
            action="manage",
            obj=own,
            lookup="hotline_id",
            allowed=p.jia,
            data={"label": "新线路", "number": "0532-80000003", "channel": Channel.PHONE, "order": "3"},
            other_org=manage_outside,
        ),
        *standard_cases(
            p,
            "hotline:line_edit",
            model=HotlineLine,
            action="manage",
            obj=line,
            allowed=p.jia,
            data={"label": "授权热线（改）", "number": "0532-80000001", "channel": Channel.PHONE, "order": "0",
                  "version": "1"},
            other_org=manage_outside,
        ),
        *standard_cases(
            p,
            "hotline:line_active",
            model=HotlineLine,
            action="manage",
            obj=spare,
            allowed=p.jia,
            method="post",
            data={"active": "0"},
            other_org=manage_outside,
        ),
        *standard_cases(
            p,
            "hotline:member_create",
            model=Hotline,
            action="manage",
            obj=own,
            lookup="hotline_id",
            allowed=p.jia,
            data={"kind": MemberKind.COUNSELLOR, "user": h.counsellor.pk},
            other_org=manage_outside,
        ),
        *standard_cases(
            p,
            "hotline:member_remove",
            model=HotlineMember,
            action="manage",
            obj=member,
            allowed=p.jia,
            data={},
            other_org=manage_outside,
        ),
    ]
