from collections.abc import Callable
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def relate_assigned() -> None:
    """A care contact reaches the rows of the families currently assigned to them: the
    "assigned" relation of the register's and care's policies (``registry.models.ASSIGNED``)."""
    from nuanxin.care.models import Difficulty, DifficultyNote, Visit, VisitDuty
    from nuanxin.registry.models import Deployment, FamilyMember, Worker

    relate_assigned_to(
        (Worker, "pk"),
        (FamilyMember, "worker__pk"),
        (Deployment, "worker__pk"),
        (Visit, "worker__pk"),
        (VisitDuty, "worker__pk"),
        (Difficulty, "worker__pk"),
        (DifficultyNote, "difficulty__worker__pk"),
    )


def relate_assigned_to(*models: tuple[Any, str]) -> None:
    """Add the "assigned" relation to the policies of ``models`` (pairs of a model and the lookup
    from it to its worker's pk). An app above care whose policy names ``registry.models.ASSIGNED``
    calls it from its ``ready()`` (e.g. labour's cases, produce's orders)."""
    from django.db.models import Q

    from nuanxin.care.models import CareAssignment

    def assigned(user):
        return CareAssignment.objects.current().filter(contact=user).values("worker_id")

    def worker_id(obj, lookup: str):
        for attr in lookup.split("__")[:-1]:
            obj = getattr(obj, attr)
        return obj.pk

    def q_for(lookup: str) -> Callable[[Any], Q]:
        return lambda user: Q(**{f"{lookup}__in": assigned(user)})

    def test_for(lookup: str) -> Callable[[Any, Any], bool]:
        return lambda user, obj: (
            CareAssignment.objects.current().filter(contact=user, worker_id=worker_id(obj, lookup)).exists()
        )

    for model, lookup in models:
        model.policy.relate("assigned", q=q_for(lookup), test=test_for(lookup))


class CareConfig(AppConfig):
    name = "nuanxin.care"
    label = "care"
    verbose_name = _("Care")

    def ready(self) -> None:
        relate_assigned()
        from nuanxin.care import manifest

        manifest.register()  # the manifest (with the audit labels) and the hooks care reacts to
