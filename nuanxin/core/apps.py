from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "nuanxin.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from nuanxin.core import (
            checks,  # noqa: F401  (registers the database role's deploy checks)
            manifest,
            textlimits,
        )
        from nuanxin.core.models import AuditLog

        textlimits.install()  # one message for a text too long, and no silent cut by the browser

        from django.core import checks as django_checks

        django_checks.register(manifest.check_manifests)
        # Core's own pages: the audit log (the home page and the error pages are the project's).
        manifest.register(
            manifest.Manifest(
                app="core",
                url_prefix="audit/",
                urls="nuanxin.core.urls",
                menu=[
                    manifest.MenuEntry(
                        _("Audit log"), "audit:log", order=400, start=50, start_style="primary",
                        visible=lambda user: AuditLog.policy.may(user, "view"),
                    )
                ],
                jobs="nuanxin.core.periodic.JOBS",
                authz_cases="nuanxin.core.tests.authz_cases",
                audit_labels="nuanxin.core.audit_labels.LABELS",
            )
        )
