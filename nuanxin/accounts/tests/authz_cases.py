"""Authorization cases for the own-account pages: every signed-in user may use them, for
their own account only. Sign-in, the code step and sign-out are public."""

from nuanxin.accounts.services import create_api_token
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.orgs.services import create_user
from tests.authz import OK, Case


def cases(p) -> list[Case]:
    token, _plaintext = create_api_token(actor=SYSTEM, user=p.care, expires_days=30, name="authz")
    changer, _generated = create_user(actor=SYSTEM, username="az-password", organisation=p.shinan_hospital,
                                      role=Role.CARE_CONTACT, password=p.password)
    return [
        Case("accounts:profile", allowed=p.care),
        Case("accounts:password_change", allowed=p.care),
        # The right current password: the allowed request really changes the password (of an
        # account of its own, so the other cases' sessions stay valid).
        Case("accounts:password_change", allowed=changer, method="post",
             data={"current_password": p.password, "new_password1": "Changed-pass-2021",
                   "new_password2": "Changed-pass-2021"}),
        Case("accounts:totp_setup", allowed=p.care),
        Case("accounts:totp_setup", allowed=p.care, method="post", data={"code": "000000"},
             no_change_because="the secret to prove lives in the session of the page that showed it"),
        # Without an authenticator the page sends the user back to the profile (302).
        Case("accounts:totp_disable", allowed=p.care),
        Case("accounts:totp_disable", allowed=p.care, method="post", data={"code": "000000"},
             no_change_because="a current code cannot be fixed in advance; services tests cover turning it off"),
        Case("accounts:token_create", allowed=p.care),
        Case("accounts:token_create", allowed=p.care, method="post",
             data={"name": "script", "days": "30", "current_password": p.password},
             ok_status=OK),
        # Another user's token is a 404 and stays unrevoked.
        Case("accounts:token_revoke", allowed=p.care, method="post", kwargs={"pk": token.pk}, other_org=p.yi),
    ]
