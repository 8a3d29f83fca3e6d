"""Authorization cases for the own-account pages: every signed-in user may use them, for
their own account only. Sign-in, the code step and sign-out are public."""

from nuanxin.accounts.services import create_api_token
from tests.authz import OK, Case


def cases(p) -> list[Case]:
    token, _plaintext = create_api_token(actor=None, user=p.care, expires_days=30, name="authz")
    return [
        Case("accounts:profile", allowed=p.care),
        Case("accounts:password_change", allowed=p.care),
        # A wrong current password re-renders the form (200) and changes nothing.
        Case("accounts:password_change", allowed=p.care, method="post",
             data={"current_password": "wrong", "new_password1": "x", "new_password2": "x"}),
        Case("accounts:totp_setup", allowed=p.care),
        Case("accounts:totp_setup", allowed=p.care, method="post", data={"code": "000000"}),
        # Without an authenticator the page sends the user back to the profile (302).
        Case("accounts:totp_disable", allowed=p.care),
        Case("accounts:totp_disable", allowed=p.care, method="post", data={"code": "000000"}),
        Case("accounts:token_create", allowed=p.care),
        Case("accounts:token_create", allowed=p.care, method="post", data={"name": "script", "days": "30"},
             ok_status=OK),
        # Another user's token is a 404 and stays unrevoked.
        Case("accounts:token_revoke", allowed=p.care, method="post", kwargs={"pk": token.pk}, other_org=p.yi),
    ]
