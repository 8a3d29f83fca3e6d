"""The register's manifest (``core/manifest.py``): its pages, API, menu, counter and demo."""

from django.utils.translation import gettext_lazy as _

from nuanxin.core.manifest import Counter, Manifest, MenuEntry
from nuanxin.registry.choices import WorkerStatus
from nuanxin.registry.models import Worker


def count_workers(user) -> int | None:
    """Workers in the register the user may see (not those removed); None without access."""
    if not Worker.policy.may(user, "view"):
        return None
    return Worker.objects.for_user(user).exclude(status=WorkerStatus.ARCHIVED).count()


MANIFEST = Manifest(
    app="registry",
    url_prefix="register/",
    urls="nuanxin.registry.urls",
    api_router="nuanxin.registry.api.router",
    menu=[
        MenuEntry(
            _("Register"), "registry:worker_list", order=100, element_id="nx-nav-register",
            visible=lambda user: Worker.policy.may(user, "view"),
            # On the home page only for those who keep it (a care contact starts from the week).
            start=30, start_visible=lambda user: Worker.policy.may(user, "change"),
        ),
    ],
    counters=[Counter("workers", _("Workers in the register"), count_workers, "registry:worker_list", order=300)],
    authz_cases="nuanxin.registry.tests.authz_cases",
    demo="nuanxin.registry.demo",
    audit_labels="nuanxin.registry.audit_labels.LABELS",
)
