from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def count_organisations(user) -> int:
    """Organisations the user's grants cover (in the scope picked with the switcher)."""
    from nuanxin.orgs.models import Organisation

    return Organisation.objects.for_user(user).count()


def count_users(user) -> int | None:
    """Accounts an administrator can see; hidden for every other role."""
    from nuanxin.accounts.models import User
    from nuanxin.orgs import scope
    from nuanxin.orgs.choices import MANAGER_ROLES

    if not scope.has_role(user, MANAGER_ROLES):
        return None
    return User.objects.for_user(user).count()


class OrgsConfig(AppConfig):
    name = "nuanxin.orgs"
    label = "orgs"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from nuanxin.core import auditlabels
        from nuanxin.core.scopecounts import Counter, register
        from nuanxin.orgs import audit_labels

        auditlabels.register(audit_labels.LABELS)

        # Not linked: the tree page is for administrators, the count is for everyone.
        register(Counter(key="organisations", label=_("Organisations"), count=count_organisations))
        register(Counter(key="users", label=_("Users"), count=count_users, url_name="orgs:user_list"))
