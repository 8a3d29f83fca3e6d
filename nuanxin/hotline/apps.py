from collections.abc import Callable
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def relate_members() -> None:
    """Each hotline role reaches only the hotlines its holder is an active member of in that
    capacity: the ``serves`` / ``supervises`` / ``coordinates`` relations of every hotline
    policy (``models.MEMBERS``)."""
    from django.db.models import Q

    from nuanxin.hotline import models as m
    from nuanxin.hotline.choices import MemberKind

    def hotline_ids(user, kind: str):
        return m.HotlineMember.objects.filter(user_id=user.pk, kind=kind, active=True).values("hotline_id")

    def hotline_of(obj, lookup: str) -> Any:
        for attr in lookup.split("__")[:-1]:
            obj = getattr(obj, attr)
        return getattr(obj, lookup.split("__")[-1])

    def q_for(lookup: str, kind: str) -> Callable[[Any], Q]:
        return lambda user: Q(**{f"{lookup}__in": hotline_ids(user, kind)})

    def test_for(lookup: str, kind: str) -> Callable[[Any, Any], bool]:
        return lambda user, obj: m.HotlineMember.objects.filter(
            user_id=user.pk, kind=kind, active=True, hotline_id=hotline_of(obj, lookup)
        ).exists()

    # model -> the lookup from it to its hotline's id
    for model, lookup in (
        (m.Hotline, "pk"),
        (m.HotlineLine, "hotline_id"),
        (m.HotlineMember, "hotline_id"),
        (m.ShiftPattern, "hotline_id"),
        (m.Shift, "hotline_id"),
        (m.ShiftAssignment, "shift__hotline_id"),
        (m.SwapRequest, "assignment__shift__hotline_id"),
        (m.Call, "hotline_id"),
        (m.Assessment, "hotline_id"),
        (m.CrisisCase, "hotline_id"),
        (m.CrisisNote, "crisis__hotline_id"),
        (m.Callback, "hotline_id"),
        (m.CallbackNote, "callback__hotline_id"),
        (m.CallbackAttempt, "callback__hotline_id"),
        (m.Referral, "hotline_id"),
    ):
        for relation, kind in (
            ("serves", MemberKind.COUNSELLOR),
            ("supervises", MemberKind.SUPERVISOR),
            ("coordinates", MemberKind.COORDINATOR),
        ):
            model.policy.relate(relation, q=q_for(lookup, kind), test=test_for(lookup, kind))


class HotlineConfig(AppConfig):
    name = "nuanxin.hotline"
    label = "hotline"
    verbose_name = _("Psychological care hotline")

    def ready(self) -> None:
        relate_members()
        from nuanxin.hotline import manifest

        manifest.register()
