"""The fee waiver's API: the lines (one list per carrier) and their transitions. The same
services and scoping as the pages: a line outside the token user's organisations is the same
404 as a missing one; viewers (figures only) get 403. Numbers are masked (138****5678): the full
numbers leave only in the list sent to the carrier (an audited export, on the pages)."""

# No ``from __future__ import annotations``: ninja reads the operations' annotations through
# the scoped router's wrapper, whose module could not resolve names written as strings.
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from django.http import Http404
from ninja import Field, Query, Schema

from nuanxin.core import apiutils, idempotency, versioning
from nuanxin.orgs.models import Organisation
from nuanxin.telecom.choices import WaiverStatus
from nuanxin.telecom.models import Waiver
from nuanxin.telecom.selectors import waivers as selectors
from nuanxin.telecom.services import transitions
from nuanxin.telecom.services.common import list_of

router = apiutils.ScopedRouter(tags=["telecom"])


class TelecomList(StrEnum):
    MOBILE = "mobile"
    UNICOM = "unicom"
    TELECOM = "telecom"
    OTHER = "other"


class TelecomTransition(StrEnum):
    CONFIRM = transitions.CONFIRM
    CONFIRM_NO_CUTOFF = transitions.CONFIRM_NO_CUTOFF
    END = transitions.END
    CONFIRM_CARRIER = transitions.CONFIRM_CARRIER


class TelecomCarrierChoice(StrEnum):
    STATED = transitions.KEEP_STATED
    SEGMENT = transitions.TAKE_SEGMENT


class TelecomWaiverOut(Schema):
    id: int
    worker: int = Field(..., alias="worker_id")
    name: str = Field(description="The member's name.")
    organisation: str = Field(description="The member's unit (organisation code).")
    deployment: int = Field(..., alias="deployment_id")
    mobile: str = Field(..., alias="mobile_masked", description="The number used in Hubei, masked.")
    carrier: str = Field(description="The stated carrier (mobile, unicom, telecom, broadnet, other; '' when none).")
    on_list: str = Field(description="The list the line is on: mobile, unicom, telecom or other.")
    segment_carrier: str = Field(description="The carrier of the number's segment: only a suggestion.")
    carrier_flagged: bool = Field(description="Stated and segment carriers disagree; a person must confirm.")
    status: str = Field(description="listed, sent, confirmed, ended or replaced (number changed).")
    period_from: date | None
    period_to: date | None = Field(None, description="The return date; null while deployed.")
    sent_at: datetime | None
    dispatch: int | None = Field(None, alias="dispatch_id")
    confirmed_at: datetime | None
    confirmed_how: str = Field(description="file (the carrier's reply) or hand; '' when not confirmed.")
    no_cutoff_confirmed_at: datetime | None
    ended_at: datetime | None
    replaced_by: int | None = Field(None, alias="replaced_by_id")
    overdue: bool = Field(description="Sent and not confirmed within NUANXIN_TELECOM_CONFIRM_DAYS days.")
    transitions: list[str] = Field(description="The transitions the line's state allows now.")
    version: int = Field(description="Send it back with a transition (or If-Match) so that no change is lost.")

    @staticmethod
    def resolve_name(obj: Waiver) -> str:
        return obj.worker.name

    @staticmethod
    def resolve_organisation(obj: Waiver) -> str:
        return obj.worker.organisation.code

    @staticmethod
    def resolve_on_list(obj: Waiver) -> str:
        return list_of(obj.carrier)

    @staticmethod
    def resolve_overdue(obj: Waiver) -> bool:
        return bool(getattr(obj, "nx_overdue", 0))

    @staticmethod
    def resolve_transitions(obj: Waiver) -> list[str]:
        return transitions.available(obj)


class TelecomWaiverFilter(Schema):
    carrier: TelecomList | None = Field(None, description="One list: mobile, unicom, telecom or other.")
    status: WaiverStatus | None = Field(None, description="One status.")
    flagged: bool | None = Field(None, description="true: only lines whose carrier is to be confirmed.")
    overdue: bool | None = Field(None, description="true: only sent lines not confirmed in time.")
    org: str | None = Field(None, description="An organisation's code: lines of members of its subtree.")


class TelecomTransitionIn(Schema):
    transition: TelecomTransition = Field(
        description="confirm (listed or sent → confirmed, by hand) · confirm_no_cutoff (免停机, once) · end (the "
        "member returned) · confirm_carrier (a flagged line: with choice)."
    )
    choice: TelecomCarrierChoice | None = Field(
        None, description="confirm_carrier only: 'stated' keeps the stated carrier, 'segment' takes the segment's "
        "(the line moves to that carrier's list)."
    )
    version: int | None = Field(None, description="The version read (or If-Match); 409 if the line changed since.")


@router.get(
    "/telecom/waivers",
    model=Waiver,
    action="view",
    response=list[TelecomWaiverOut],
    operation_id="list_telecom_waivers",
    summary="Fee-waiver lines (of the token user's organisations)",
)
@apiutils.paginate
def list_waivers(request: Any, filters: Query[TelecomWaiverFilter]) -> Any:
    """The lines of members of the token user's organisations: flagged first, then overdue, then
    by unit and name. ``carrier`` picks one list, ``status`` one status (lines of changed numbers
    are listed only when asked for with ``status=replaced``), ``org`` a subtree (an unknown code is
    a 404; one outside the scope gives an empty list)."""
    org = None
    if filters.org:
        org = Organisation.objects.filter(code=filters.org).first()
        if org is None:
            raise Http404
    rows = selectors.lines(
        request.user, carrier=filters.carrier.value if filters.carrier else None,
        status=filters.status.value if filters.status else None, overdue=bool(filters.overdue),
        flagged=bool(filters.flagged), organisation=org,
    )
    if filters.status is None:
        rows = rows.exclude(status=WaiverStatus.REPLACED)
    return rows


@router.post(
    "/telecom/waivers/{waiver_id}/transitions",
    model=Waiver,
    action="manage",
    response={200: TelecomWaiverOut, 409: apiutils.ErrorOut},
    operation_id="transition_telecom_waiver",
    summary="Move a line on: confirm, confirm_no_cutoff, end, confirm_carrier",
)
@idempotency.api
def transition_waiver(request: Any, waiver_id: int, payload: TelecomTransitionIn) -> Any:
    """One step of the line: the carrier confirmed it (by hand), "no cut-off" confirmed, ended
    (the member returned), or a flagged carrier settled (``choice``). A step the line's state
    does not allow is a 400; a changed line 409."""
    line = apiutils.get_scoped_or_404(Waiver, request, "manage", pk=waiver_id)
    version = versioning.parse(payload.version)
    if version is None:
        version = versioning.parse(request.headers.get("If-Match"))
    transitions.apply(actor=request.user, line=line, transition=payload.transition.value, version=version,
                      choice=payload.choice.value if payload.choice else "")
    return selectors.lines(request.user).get(pk=line.pk)
