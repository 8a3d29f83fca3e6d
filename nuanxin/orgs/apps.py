from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "nuanxin.orgs"
    label = "orgs"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from nuanxin.core import policy
        from nuanxin.orgs import scope

        policy.install_tree(scope.TREE)
        from nuanxin.accounts.models import User
        from nuanxin.orgs.services import grants_within_reach

        User.policy.refine("change", grants_within_reach)

        from nuanxin.core import manifest
        from nuanxin.orgs.manifest import MANIFEST

        manifest.register(MANIFEST)
