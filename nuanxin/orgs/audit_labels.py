"""The audit trail's labels of the organisations' actions (see ``core/auditlabels.py``)."""

from django.utils.translation import gettext_lazy as _

from nuanxin.core.auditlabels import Labels
from nuanxin.core.roles import Role
from nuanxin.orgs.choices import OrgKind

LABELS = Labels(
    actions={
        "org.create": _("Organisation added"),
        "org.update": _("Organisation changed"),
        "org.move": _("Organisation moved"),
        "group.create": _("Organisation group added"),
        "group.members": _("Organisation group members changed"),
        "user.create": _("Account created"),
        "user.update": _("Account changed"),
        "user.enable": _("Account enabled"),
        "user.disable": _("Account disabled"),
        "grant.create": _("Role granted"),
        "grant.revoke": _("Role revoked"),
    },
    object_types={
        "orgs.organisation": _("Organisation"),
        "orgs.organisationgroup": _("Organisation group"),
        "orgs.grant": _("Role grant"),
    },
    detail_keys={
        "kind": _("Kind"),
        "parent_code": _("Parent organisation"),
        "members": _("Members"),
        "group": _("Group"),
        "role": _("Role"),
        "full_name": _("Full name"),
        "email": _("E-mail"),
        "mobile": _("Mobile"),
    },
    values={"kind": OrgKind, "role": Role},
)
