"""Care's manifest (``core/manifest.py``) and its reactions to the apps below it.

Care sits above the register and the organisations: it reacts to their hooks
(``registry/hooks.py``, ``orgs/hooks.py``) instead of being called by them, and adds its panels
to the register's worker page. ``CareConfig.ready()`` calls ``register()``.
"""

from django.utils.translation import gettext_lazy as _

from nuanxin.care import pages, services
from nuanxin.care.models import Campaign, CareAssignment, Difficulty, VisitDuty
from nuanxin.core import manifest
from nuanxin.core.manifest import Manifest, MenuEntry
from nuanxin.orgs import hooks as orgs_hooks
from nuanxin.registry import hooks as registry_hooks
from nuanxin.registry.hooks import WorkerPanel

# A worker's team, status or unit decides whether the family waits in a campaign's
# unassigned list.
UNASSIGNED_FIELDS = frozenset({"team", "status", "organisation"})


# --- the register's hooks ---------------------------------------------------------------------


def sync_saved_worker(*, worker, created: bool, changed: frozenset, **kwargs) -> None:
    if created or UNASSIGNED_FIELDS & changed:
        services.sync_unassigned(worker_ids=[worker.pk])


def sync_saved_workers(*, worker_ids, **kwargs) -> None:
    services.sync_unassigned(worker_ids=worker_ids)


def follow_worker_move(*, actor, worker, previous_unit, **kwargs) -> None:
    services.follow_worker_move(actor=actor, worker=worker, previous_unit=previous_unit)


def worker_page_panels(*, request, worker, **kwargs) -> list[WorkerPanel]:
    """The care timeline button, the family's care contacts and its difficulties (as the care
    pages show them: their scope rule; showing the description of a health or psychological
    one is an audited read, as on those pages)."""
    difficulties = list(Difficulty.objects.for_user(request.user).filter(worker=worker).order_by("-created_at", "id"))
    for difficulty in difficulties:
        difficulty.worker = worker
    pages.record_sensitive_reads(request.user, difficulties, page="register")
    assignments = list(CareAssignment.objects.current().filter(worker=worker).select_related("contact", "campaign"))
    return [
        WorkerPanel("actions", "care/_worker_actions.html", {"worker": worker}),
        WorkerPanel("fields", "care/_worker_fields.html", {"worker": worker, "assignments": assignments}),
        WorkerPanel("sections", "care/_worker_difficulties.html", {"difficulties": difficulties}),
    ]


# --- the organisations' hooks -----------------------------------------------------------------


def release_narrowed_contacts(*, actor, users, **kwargs) -> None:
    services.release_contacts(actor=actor, users=users)


def release_moved_unit_contacts(*, actor, organisation, **kwargs) -> None:
    services.release_contacts(actor=actor, within=organisation)


MANIFEST = Manifest(
    app="care",
    url_prefix="care/",
    urls="nuanxin.care.urls",
    api_router="nuanxin.care.api.router",
    menu=[
        MenuEntry(
            _("This week's visits"), "care:my_week", order=200, element_id="nx-nav-my-week",
            visible=lambda user: VisitDuty.policy.may(user, "visit"), start=10, start_style="primary-lg",
        ),
        MenuEntry(
            _("Care overview"), "care:overview", order=210,
            visible=lambda user: VisitDuty.policy.may(user, "report"), start=20, start_style="primary",
        ),
        MenuEntry(
            _("Difficulties"), "care:difficulty_list", order=220,
            visible=lambda user: Difficulty.policy.may(user, "view"),
        ),
        MenuEntry(
            _("Assignments"), "care:assignments", order=230,
            visible=lambda user: CareAssignment.policy.may(user, "change"),
        ),
        MenuEntry(
            _("Campaigns"), "care:campaign_list", order=240, visible=lambda user: Campaign.policy.may(user, "manage")
        ),
    ],
    jobs="nuanxin.care.periodic.JOBS",
    authz_cases="nuanxin.care.tests.authz_cases",
    demo="nuanxin.care.demo",
    audit_labels="nuanxin.care.audit_labels.LABELS",
)


def register() -> None:
    """Register the manifest and connect to the hooks of the apps below (from ``ready()``)."""
    manifest.register(MANIFEST)
    registry_hooks.worker_saved.connect(sync_saved_worker)
    registry_hooks.workers_saved.connect(sync_saved_workers)
    registry_hooks.worker_moved.connect(follow_worker_move)
    registry_hooks.worker_page.connect(worker_page_panels)
    orgs_hooks.grants_narrowed.connect(release_narrowed_contacts)
    orgs_hooks.unit_moved.connect(release_moved_unit_contacts)
