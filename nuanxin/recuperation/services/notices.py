"""Who is told of an offer and what (recuperation, issue 14 item 4): the administrators of the
person's unit union in-app and by text message (without the person's name: a text message
leaves the system), the person by text message to the register's mobile, each once (keys by
offer); an expired offer told in-app to the union, passed on or left free. Called by the
candidates' services inside their transaction (``notify`` sends after the commit)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from nuanxin.notify import services as notify
from nuanxin.notify.services import Sms
from nuanxin.recuperation.models import Batch, Candidate, Offer


def _url(name: str, pk: int) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def when(value: datetime) -> str:
    return formats.date_format(timezone.localtime(value), "Y-m-d H:i")


def day(value: date) -> str:
    return value.isoformat()


def _unit_admins(organisation: Any) -> list[Any]:
    """The administrators of the person's unit union who may answer for them: those whose
    grant is at the unit itself, else (no one there) every holder above it."""
    holders = list(Candidate.policy.holders("respond", organisation))
    parent = type(organisation).objects.get_parent(organisation)
    if parent is None:
        return holders
    above = set(Candidate.policy.holders("respond", parent).values_list("pk", flat=True))
    own = [u for u in holders if u.pk not in above]
    return own or holders


def tell_offer(offer: Offer, candidate: Candidate, batch: Batch) -> None:
    worker = candidate.worker
    base = batch.base
    params = {
        "name": worker.name,
        "programme": batch.programme.name,
        "batch": batch.name,
        "base": base.name,
        "from": day(batch.starts_on),
        "to": day(batch.ends_on),
        "until": when(offer.expires_at),
    }

    def texts() -> tuple[str, str]:
        return (
            _("Recuperation place offered to %(name)s") % params,
            _(
                "%(name)s is offered a place of %(programme)s %(batch)s at %(base)s, %(from)s to %(to)s. "
                "Please arrange the leave and accept or decline before %(until)s; after that the place "
                "passes to the next on the waiting list."
            ) % params,
        )

    # The text message carries no name (text messages never do: the name is behind the
    # sign-in); the in-app notification keeps it.
    sms_params = {k: v for k, v in params.items() if k != "name"}
    union_text = _(
        "A worker of your unit is offered a recuperation place: %(programme)s %(batch)s at %(base)s, %(from)s to "
        "%(to)s. Please sign in to Nuanxin and answer before %(until)s."
    ) % sms_params
    url = _url("recuperation:candidate_detail", candidate.pk)
    for admin in _unit_admins(worker.organisation):
        notify.notify(
            recipient=admin,
            kind="recuperation.offer",
            occasion=f"offer-{offer.pk}",
            texts=texts,
            url=url,
            sms=Sms("recuperation_offer_union", sms_params, union_text),
        )
    if worker.mobile:
        person_text = _(
            "You are offered a free recuperation place: %(programme)s %(batch)s at %(base)s, %(from)s to "
            "%(to)s. Your union will confirm with you; please answer before %(until)s."
        ) % params
        notify.text_message(
            to=worker.mobile,
            sms=Sms("recuperation_offer_person", params, person_text),
            key=f"recuperation.offer:{offer.pk}:person",
        )


def tell_expired(offer: Offer, batch: Batch, *, passed: bool = True) -> None:
    """The unit union learns in-app that the place it did not answer for has passed on (or,
    nobody eligible waiting, is left free)."""
    worker = offer.candidate.worker
    params = {"name": worker.name, "programme": batch.programme.name, "batch": batch.name,
              "until": when(offer.expires_at)}

    def texts() -> tuple[str, str]:
        if passed:
            body = _(
                "The place of %(programme)s %(batch)s offered to %(name)s was not answered by %(until)s: "
                "it has passed to the next on the waiting list."
            ) % params
        else:
            body = _(
                "The place of %(programme)s %(batch)s offered to %(name)s was not answered by %(until)s: "
                "nobody is waiting, so the place is left free."
            ) % params
        return (_("Recuperation offer to %(name)s expired") % params, body)

    url = _url("recuperation:candidate_detail", offer.candidate_id)
    for admin in _unit_admins(worker.organisation):
        notify.notify(recipient=admin, kind="recuperation.offer_expired", occasion=f"offer-{offer.pk}",
                      texts=texts, url=url, email=False)
