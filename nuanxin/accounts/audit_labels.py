"""The audit trail's labels of the accounts' actions (see ``core/auditlabels.py``)."""

from django.utils.translation import gettext_lazy as _

from nuanxin.core.auditlabels import Labels

LABELS = Labels(
    actions={
        "auth.login": _("Signed in"),
        "auth.login_failed": _("Sign-in failed"),
        "auth.logout": _("Signed out"),
        "auth.locked_out": _("Sign-in locked"),
        "auth.session_expired": _("Session ended"),
        "auth.totp_enabled": _("Two-step verification turned on"),
        "auth.totp_disabled": _("Two-step verification turned off"),
        "auth.totp_reset": _("Two-step verification reset"),
        "token.create": _("API token created"),
        "token.revoke": _("API token revoked"),
        "token.delete_expired": _("Expired API tokens deleted"),
        "user.password": _("Password changed"),
    },
    object_types={
        "accounts.user": _("Account"),
        "accounts.apitoken": _("API token"),
        "accounts.loginattempt": _("Sign-in attempt"),
        "accounts.totpdevice": _("Two-step verification device"),
    },
    detail_keys={
        "two_factor": _("Two-step verification"),
        "step": _("Step"),
        "locks": _("Locks"),
        "prefixes": _("Token prefixes"),
        "older_than_days": _("Older than (days)"),
        "sessions_ended": _("Sessions ended"),
        "tokens_revoked": _("Tokens revoked"),
        "minutes": _("Minutes"),
    },
    values={
        "step": {"password": _("password"), "code": _("verification code"),
                 "password_change": _("password change"), "token_create": _("new API token")},
        "locks": {"username": _("username"), "address": _("address")},
    },
    action_values={
        "auth.session_expired": {"reason": {"idle": _("idle too long"), "absolute": _("signed in too long")}},
    },
)
