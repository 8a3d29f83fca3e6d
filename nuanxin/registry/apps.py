from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def count_workers(user):
    """Workers in the register the user may see (not those removed); None without access."""
    from nuanxin.orgs import scope
    from nuanxin.registry.choices import REGISTER_VIEW_ROLES, WorkerStatus
    from nuanxin.registry.models import Worker

    if not scope.has_role(user, REGISTER_VIEW_ROLES):
        return None
    return Worker.objects.for_user(user).exclude(status=WorkerStatus.ARCHIVED).count()


class RegistryConfig(AppConfig):
    name = "nuanxin.registry"
    label = "registry"
    verbose_name = _("Register")

    def ready(self) -> None:
        from nuanxin.core import auditlabels, scopecounts
        from nuanxin.registry import audit_labels

        auditlabels.register(audit_labels.LABELS)

        scopecounts.register(
            scopecounts.Counter(
                key="workers", label=_("Workers in the register"), count=count_workers, url_name="registry:worker_list"
            )
        )
