"""Authorization cases for the organisation, user, group and scope pages.

Objects that the allowed request changes are made here, in 市南区 (乙's scope), one per
case, so the cases do not disturb each other. 丙 (市北区 admin) is the other organisation.
"""

import pyotp
from django.utils import timezone

from nuanxin.accounts.models import TOTPDevice
from nuanxin.accounts.services import create_api_token
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.orgs import services
from nuanxin.orgs.choices import OrgKind
from tests.authz import Case


def cases(p) -> list[Case]:
    def org(code: str):
        return services.create_organisation(actor=SYSTEM, code=code, name=f"授权测试 {code}",
                                            kind=OrgKind.UNIT_UNION, parent=p.shinan)

    def user(username: str):
        account, _ = services.create_user(actor=SYSTEM, username=username, organisation=p.shinan_hospital,
                                          role=Role.CARE_CONTACT, full_name=username)
        return account

    to_edit, to_move = org("AZ-EDIT"), org("AZ-MOVE")
    to_disable, to_reset, to_grant, with_grant, with_token, to_change, with_totp = (
        user("az-disable"), user("az-reset"), user("az-grant"), user("az-revoke"), user("az-token"),
        user("az-edit"), user("az-totp"),
    )
    grant = services.grant_role(actor=SYSTEM, user=with_grant, role=Role.VIEWER, organisation=p.shinan_hospital)
    token, _plaintext = create_api_token(actor=SYSTEM, user=with_token, expires_days=30)
    # An authenticator to reset, so the allowed reset really removes something.
    TOTPDevice.objects.create(user=with_totp, secret=pyotp.random_base32(), confirmed_at=timezone.now())

    return [
        Case("orgs:tree", allowed=p.yi, denied=p.care),
        Case("orgs:org_detail", kwargs={"pk": p.shinan_hospital.pk}, allowed=p.yi, denied=p.care, other_org=p.bing),
        Case("orgs:org_create", kwargs={"pk": p.shinan.pk}, allowed=p.yi, denied=p.counsellor, other_org=p.bing),
        Case("orgs:org_create", kwargs={"pk": p.shinan.pk}, method="post",
             data={"code": "AZ-NEW", "name": "授权测试新建", "kind": OrgKind.UNIT_UNION},
             allowed=p.yi, denied=p.care, other_org=p.bing),
        Case("orgs:org_edit", kwargs={"pk": to_edit.pk}, method="post",
             data={"name": "授权测试改名", "kind": OrgKind.OTHER, "version": "1"},
             allowed=p.yi, denied=p.care, other_org=p.bing),
        Case("orgs:org_move", kwargs={"pk": to_move.pk}, method="post",
             data={"new_parent": p.shinan_hospital.pk, "version": "1"}, allowed=p.yi, denied=p.care, other_org=p.bing),
        Case("orgs:user_list", allowed=p.yi, denied=p.care),
        Case("orgs:user_create", allowed=p.yi, denied=p.viewer),
        Case("orgs:user_create", method="post",
             data={"username": "az-created", "organisation": p.shinan_hospital.pk, "role": Role.CARE_CONTACT},
             allowed=p.yi, denied=p.care),
        Case("orgs:user_detail", kwargs={"pk": p.care.pk}, allowed=p.yi, denied=p.care, other_org=p.bing),
        Case("orgs:user_edit", kwargs={"pk": to_change.pk}, method="post",
             data={"full_name": "改名", "email": "", "mobile": "", "version": "1"},
             allowed=p.yi, denied=p.care, other_org=p.bing),
        Case("orgs:grant_create", kwargs={"pk": to_grant.pk}, method="post",
             data={"role": Role.VIEWER, "organisation": p.shinan_hospital.pk},
             allowed=p.yi, denied=p.care, other_org=p.bing),
        Case("orgs:grant_revoke", kwargs={"pk": grant.pk}, method="post",
             allowed=p.yi, denied=p.care, other_org=p.bing),
        Case("orgs:user_toggle_active", kwargs={"pk": to_disable.pk}, method="post", data={"active": "0"},
             allowed=p.yi, denied=p.care, other_org=p.bing),
        Case("orgs:user_reset_password", kwargs={"pk": to_reset.pk}, method="post",
             allowed=p.yi, denied=p.care, other_org=p.bing),
        Case("orgs:user_reset_totp", kwargs={"pk": with_totp.pk}, method="post",
             allowed=p.yi, denied=p.counsellor, other_org=p.bing),
        Case("orgs:token_revoke", kwargs={"pk": token.pk}, method="post",
             allowed=p.yi, denied=p.care, other_org=p.bing),
        Case("orgs:switch_scope", method="post", data={"grant": ""}, allowed=p.yi,
             no_change_because="the chosen scope lives in the session only"),
        Case("orgs:group_list", allowed=p.jia, denied=p.yi),
        Case("orgs:group_create", method="post",
             data={"code": "AZ-GROUP", "name": "授权测试组", "members": [p.shinan.pk]}, allowed=p.jia, denied=p.yi),
        Case("orgs:group_edit", kwargs={"pk": p.med_group.pk}, method="post",
             data={"members": [p.shinan_hospital.pk], "version": str(p.med_group.version)}, allowed=p.jia, denied=p.yi,
             no_other_org_because="groups cut across the tree: only city administrators, whose scope is "
                                  "the root, reach them; every other role is refused with 403"),
    ]
