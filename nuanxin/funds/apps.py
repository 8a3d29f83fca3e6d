from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "nuanxin.funds"
    label = "funds"
    verbose_name = _("Special funds")

    def ready(self) -> None:
        refine_thresholds()
        from nuanxin.care import hooks as care_hooks
        from nuanxin.funds import timeline, totals
        from nuanxin.orgs import hooks as orgs_hooks
        from nuanxin.registry import hooks as registry_hooks

        care_hooks.family_timeline.connect(timeline.family_entries)
        registry_hooks.worker_page.connect(timeline.worker_page_panels)
        # An organisation moved: its postings now count towards other ancestors.
        orgs_hooks.unit_moved.connect(totals.on_unit_moved)
        from nuanxin.funds import manifest

        manifest.register()


def refine_thresholds() -> None:
    """An organisation's approval threshold is set by the administrators above it: the user's
    grant must cover the parent organisation (nobody raises their own threshold)."""
    from nuanxin.funds.models import ApprovalRule
    from nuanxin.orgs.models import Organisation

    def covers_parent(user, rule) -> bool:
        parent = Organisation.objects.get_parent(rule.organisation)
        return parent is not None and ApprovalRule.policy.allows_in(user, "change", parent)

    ApprovalRule.policy.refine("change", covers_parent)
