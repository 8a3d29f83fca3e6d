"""Referrals of a caller (转介): to the mental-health centre, a hospital, legal aid, or the
union's care work.

A referral to the care work opens a difficulty (困难诉求, ``nuanxin.care``) for the worker's
family, holding ONLY the summary the caller agreed to share — never the call's notes, topics
or risk level. The counsellor holds no role in the care work, so the difficulty is opened by
the system on their behalf: the referral names the counsellor as its author, and the
difficulty's opening audit row names the referral (and the counsellor) in its detail. The
call must be linked to a registered worker or family member (the caller agreed to it), else
the referral is refused.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from nuanxin.care.choices import DifficultyCategory, DifficultySource, Urgency
from nuanxin.care.models import CareAssignment, Difficulty
from nuanxin.cases import services as cases
from nuanxin.core import audit, plaintext
from nuanxin.core.errors import ServiceError
from nuanxin.core.policy import SYSTEM, user_of
from nuanxin.hotline.choices import ReferralTarget
from nuanxin.hotline.models import Call, Referral
from nuanxin.registry.models import Worker

NOTE_LIMIT = 2000
SUMMARY_LIMIT = 2000


def _text(value: Any, *, field: str, label: Any, limit: int) -> str:
    text = plaintext.notes(value or "", field=field, label=label)
    if len(text) > limit:
        raise ServiceError(
            _("At most %(limit)d characters, now %(count)d.") % {"limit": limit, "count": len(text)}, field=field
        )
    return text


def _linked_worker(call: Call) -> Worker:
    if call.worker_id:
        return Worker.objects.select_related("organisation").get(pk=call.worker_id)
    if call.family_member_id:
        assert call.family_member is not None
        return Worker.objects.select_related("organisation").get(pk=call.family_member.worker_id)
    raise ServiceError(
        _(
            "A referral to the union's care work needs the call linked to a registered worker or family member "
            "(with the caller's agreement): link it on the call's record first."
        ),
        field="target",
    )


def _care_contact(worker: Worker) -> Any:
    """The family's current care contact (the difficulty's owner), if any."""
    assignment = (
        CareAssignment.objects.current().filter(worker=worker).select_related("contact").order_by("-started_at").first()
    )
    return assignment.contact if assignment is not None else None


@transaction.atomic
def refer(
    *,
    actor: Any,
    call: Call,
    target: str,
    note: str = "",
    consent: bool = False,
    shared_summary: str = "",
    category: str = DifficultyCategory.OTHER,
    urgency: str = Urgency.NORMAL,
) -> Referral:
    """Refer the caller of ``call`` to ``target``. For the care work: ``consent`` (the caller
    agreed to share) and ``shared_summary`` (what they agreed to share) are required, and a
    difficulty of ``category`` and ``urgency`` is opened with the summary as its description."""
    call = Call.objects.select_related("hotline__organisation", "family_member").get(pk=call.pk)
    Referral.policy.require(
        actor, "record", Referral(hotline=call.hotline), _("Only a counsellor of this hotline refers its callers.")
    )
    if target not in ReferralTarget.values:
        raise ServiceError(_("Choose where the caller is referred to."), field="target")
    note = _text(note, field="note", label=_("note"), limit=NOTE_LIMIT)
    referral = Referral(hotline=call.hotline, call=call, target=target, note=note, created_by=user_of(actor))
    worker = None
    if target == ReferralTarget.CARE_WORK:
        worker = _linked_worker(call)
        if consent is not True:
            raise ServiceError(
                _("The caller must agree to share the summary with the union's care work."), field="consent"
            )
        summary = _text(shared_summary, field="shared_summary", label=_("summary shared"), limit=SUMMARY_LIMIT)
        if not summary:
            raise ServiceError(_("Write the summary the caller agreed to share."), field="shared_summary")
        if category not in DifficultyCategory.values:
            raise ServiceError(_("Unknown category."), field="category")
        if urgency not in Urgency.values:
            raise ServiceError(_("Unknown urgency."), field="urgency")
        referral.consent = True
        referral.shared_summary = summary
    referral.save()
    if worker is not None:
        # Opened by the system on the counsellor's behalf (they hold no care role); its
        # opening audit row names the referral and the counsellor.
        difficulty = cases.open(
            Difficulty,
            actor=SYSTEM,
            worker=worker,
            fields={
                "campaign": None,
                "category": category,
                "description": referral.shared_summary,
                "source": DifficultySource.HOTLINE,
                "visit": None,
            },
            urgency=urgency,
            default_owner=_care_contact(worker),
            detail={
                "worker": worker.pk,
                "category": category,
                "urgency": urgency,
                "source": DifficultySource.HOTLINE,
                "referral": referral.pk,
                "referred_by": getattr(user_of(actor), "pk", None),
            },
        )
        referral.difficulty = difficulty
        referral.save(update_fields=["difficulty"])
    audit.record(
        actor,
        "hotline.referral.create",
        obj=referral,
        object_repr=f"{Referral._meta.verbose_name} #{referral.pk}",
        organisation=call.hotline.organisation,
        detail={
            "hotline": call.hotline_id,
            "call": call.pk,
            "summary": len(referral.shared_summary),
            "note": len(note),
            "difficulty": referral.difficulty_id,
        },
    )
    return referral
