from nuanxin.accounts.models import User
from nuanxin.core.models import AuditLog
from nuanxin.orgs import scope as scope_mod


def scope(request):
    """Navigation facts for the layout: the user's roles and grants."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = set(scope_mod.roles_of(user))
    return {
        "nx_roles": roles,
        "nx_all_grants": scope_mod.grants(user),
        "nx_active_grant_id": getattr(user, "nuanxin_active_grant_id", None),
        "nx_is_manager": User.policy.may(user, "view"),
        "nx_is_auditor": AuditLog.policy.may(user, "view"),
    }
