"""Demo organisations and users for ``nuanxin demo`` (the first demo to run: the other apps'
build on this tree): a Qingdao-like organisation tree, the medical group and one user per
role, each with the password ``core.demo.DEMO_PASSWORD``.

Everything here is fictional apart from the public names of Qingdao's districts. Idempotent:
what exists is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext as _

from nuanxin.core.demo import DEMO_PASSWORD
from nuanxin.core.errors import ServiceError
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.orgs.choices import OrgKind

ROOT = ("QD", "青岛市总工会")
DISTRICTS = [
    ("QD-SN", "市南区总工会"),
    ("QD-SB", "市北区总工会"),
    ("QD-LC", "李沧区总工会"),
    ("QD-LS", "崂山区总工会"),
    ("QD-CY", "城阳区总工会"),
    ("QD-XHA", "西海岸新区总工会"),
    ("QD-JM", "即墨区总工会"),
    ("QD-JZ", "胶州市总工会"),
    ("QD-PD", "平度市总工会"),
    ("QD-LX", "莱西市总工会"),
]
OTHERS = [
    ("QD-YW", "青岛市医务工会", OrgKind.INDUSTRY_UNION),
    ("QD-WJW", "青岛市卫生健康委员会", OrgKind.HEALTH_BUREAU),
]
# (code, name, parent code, is a medical institution)
UNITS = [
    ("QD-SN-01", "青岛大学附属医院工会", "QD-SN", True),
    ("QD-SN-02", "青岛市市立医院工会", "QD-SN", True),
    ("QD-SN-03", "市南区八大关街道工会", "QD-SN", False),
    ("QD-SB-01", "青岛市中心医院工会", "QD-SB", True),
    ("QD-SB-02", "青岛市海慈医院工会", "QD-SB", True),
    ("QD-SB-03", "市北区台东街道工会", "QD-SB", False),
    ("QD-LC-01", "青岛市第八人民医院工会", "QD-LC", True),
    ("QD-LC-02", "李沧区李村街道工会", "QD-LC", False),
    ("QD-LS-01", "崂山区人民医院工会", "QD-LS", True),
    ("QD-CY-01", "城阳区人民医院工会", "QD-CY", True),
    ("QD-XHA-01", "西海岸新区人民医院工会", "QD-XHA", True),
    ("QD-XHA-02", "西海岸新区中心医院工会", "QD-XHA", True),
    ("QD-JM-01", "即墨区人民医院工会", "QD-JM", True),
    ("QD-JZ-01", "胶州市人民医院工会", "QD-JZ", True),
    ("QD-PD-01", "平度市人民医院工会", "QD-PD", True),
    ("QD-LX-01", "莱西市人民医院工会", "QD-LX", True),
    ("QD-YW-01", "青岛市胸科医院工会", "QD-YW", True),
    ("QD-YW-02", "青岛市第六人民医院工会", "QD-YW", True),
    ("QD-YW-03", "青岛市疾病预防控制中心工会", "QD-YW", True),
    ("QD-YW-04", "青岛市急救中心工会", "QD-YW", True),
    ("QD-YW-05", "青岛市妇女儿童医院工会", "QD-YW", True),
    ("QD-YW-06", "青岛市精神卫生中心工会", "QD-YW", True),
]
GROUP = ("MED", "全市医疗机构")

# (username, full name, role, organisation code or None for the group)
USERS = [
    ("demo-city", "高市总", Role.CITY_ADMIN, "QD"),
    ("demo-district", "王市南", Role.ORG_ADMIN, "QD-SN"),
    ("demo-medical", "李医务", Role.ORG_ADMIN, "QD-YW"),
    ("demo-care", "张联络", Role.CARE_CONTACT, "QD-SN-01"),
    ("demo-counsellor", "刘心理", Role.COUNSELLOR, "QD-YW"),
    ("demo-viewer", "赵卫健", Role.VIEWER, None),
    ("demo-auditor", "孙审计", Role.AUDITOR, "QD"),
]


def _org(code: str):
    from nuanxin.orgs.models import Organisation

    return Organisation.objects.filter(code=code).first()


@transaction.atomic
def build_tree(out: Callable[[str], None]) -> None:
    """The organisation tree and the medical group, created where missing."""
    from nuanxin.orgs import services
    from nuanxin.orgs.models import Organisation, OrganisationGroup

    root = _org(ROOT[0])
    if root is None:
        if Organisation.objects.get_root_nodes().exists():
            raise ServiceError(_("The database already holds another organisation tree; the demo needs an empty one."))
        root = services.create_organisation(
            actor=SYSTEM, code=ROOT[0], name=ROOT[1], kind=OrgKind.CITY_FEDERATION, parent=None
        )
    created = 0
    specs = [(c, n, OrgKind.DISTRICT_FEDERATION, ROOT[0]) for c, n in DISTRICTS]
    specs += [(c, n, k, ROOT[0]) for c, n, k in OTHERS]
    specs += [(c, n, OrgKind.UNIT_UNION, p) for c, n, p, _medical in UNITS]
    for code, name, kind, parent_code in specs:
        if _org(code) is None:
            services.create_organisation(actor=SYSTEM, code=code, name=name, kind=kind, parent=_org(parent_code))
            created += 1
    medical = [_org(code) for code, _n, _p, is_medical in UNITS if is_medical]
    if not OrganisationGroup.objects.filter(code=GROUP[0]).exists():
        services.create_group(actor=SYSTEM, code=GROUP[0], name=GROUP[1], members=medical)
    out(_("organisations: %(count)s (%(new)s new)") % {"count": Organisation.objects.count(), "new": created})


@transaction.atomic
def build_users(out: Callable[[str], None]) -> None:
    from nuanxin.accounts.models import User
    from nuanxin.orgs import services
    from nuanxin.orgs.models import OrganisationGroup

    created = 0
    for username, full_name, role, org_code in USERS:
        if User.objects.filter(username=username).exists():
            continue
        home = _org(org_code) if org_code else _org("QD-WJW")
        user, _password = services.create_user(
            actor=SYSTEM, username=username, organisation=home, role=role, password=DEMO_PASSWORD, full_name=full_name
        )
        if org_code is None:
            # The viewer's scope is the medical group, not its home organisation.
            services.revoke_grant(actor=SYSTEM, grant=user.grants.get())
            services.grant_role(actor=SYSTEM, user=user, role=role, group=OrganisationGroup.objects.get(code=GROUP[0]))
        created += 1
    out(_("demo users: %(count)s (%(new)s new)") % {"count": len(USERS), "new": created})


def build(*, out: Callable[[str], None] = print) -> None:
    """The tree and the users (``core.demo.build`` runs this first, then the other apps')."""
    build_tree(out)
    build_users(out)


def logins() -> list[tuple[str, str, str, str]]:
    """(username, password, role, scope) of the demo users that exist, for `nuanxin serve`."""
    from nuanxin.accounts.models import User

    existing = {u.username: u for u in User.objects.filter(username__in=[u[0] for u in USERS], is_active=True)}
    result = []
    for username, _full_name, role, org_code in USERS:
        user = existing.get(username)
        if user is None or not user.check_password(DEMO_PASSWORD):
            continue
        scope = _org(org_code).name if org_code else GROUP[1]
        result.append((username, DEMO_PASSWORD, str(Role(role).label), scope))
    return result
