from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def relate_leaders() -> None:
    """A team leader reaches the teams they lead and what belongs to them: the "leads" relation
    of the volunteers' policies (``volunteers.models.LEADS``)."""
    from django.db.models import Q

    from nuanxin.volunteers.models import Checkin, Shift, Task, Team, Volunteer

    def team_of(obj: Any, lookup: str) -> Any:
        for attr in lookup.split("__")[:-1]:
            obj = getattr(obj, attr)
        return obj

    def q_of(lookup: str) -> Any:
        return lambda user: Q(**{lookup: user})

    def test_of(lookup: str) -> Any:
        return lambda user, obj: getattr(team_of(obj, lookup), "leader_id", None) == user.pk

    models: tuple[tuple[Any, str], ...] = (
        (Team, "leader"),
        (Volunteer, "team__leader"),
        (Task, "team__leader"),
        (Shift, "task__team__leader"),
        (Checkin, "shift__task__team__leader"),
    )
    for model, lookup in models:
        model.policy.relate("leads", q=q_of(lookup), test=test_of(lookup))


class VolunteersConfig(AppConfig):
    name = "nuanxin.volunteers"
    label = "volunteers"
    verbose_name = _("Volunteers")

    def ready(self) -> None:
        relate_leaders()
        from nuanxin.volunteers import manifest

        manifest.register()  # the manifest and the hooks it connects to
