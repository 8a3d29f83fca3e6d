"""The commendations' API: nominations listed, made, read (with the frontline facts, the
timeline and the objections) and moved along their way up the tree. The same services and
scoping as the pages: a nomination outside the token user's organisations is the same 404 as
a missing one; viewers (figures only) get 403."""

# No ``from __future__ import annotations``: ninja reads the operations' annotations through
# the scoped router's wrapper, whose module could not resolve names written as strings.
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status

from nuanxin.core import apiutils, attachments, idempotency, versioning
from nuanxin.core.errors import ServiceError
from nuanxin.honours.choices import NominationStatus
from nuanxin.honours.models import AwardType, Call, Nomination, NominationNote, Objection
from nuanxin.honours.selectors.figures import frontline_facts
from nuanxin.honours.selectors.nominations import nominations_for
from nuanxin.honours.services import nominations as services
from nuanxin.orgs.models import Organisation
from nuanxin.registry.models import Worker

router = apiutils.ScopedRouter(tags=["honours"])


class NominationAction(StrEnum):
    SUBMIT = services.SUBMIT
    RECOMMEND = services.RECOMMEND
    RETURN = services.RETURN
    REJECT = services.REJECT
    WITHDRAW = services.WITHDRAW
    NOTICE = services.NOTICE
    AWARD = services.AWARD
    NOT_AWARD = services.NOT_AWARD


class HonoursFrontlineOut(Schema):
    frontline: bool = Field(description="A frontline team is set for the nominee.")
    team: str = Field(description="The frontline team's code (hubei_aid, designated_hospital, cdc, ambulance, other).")
    team_label: str
    aid_member: bool = Field(description="A member of the Hubei aid medical team.")
    days_deployed: int = Field(description="Days deployed, summed over the deployments (to today while not back).")
    deployments: int
    deployed_now: bool


class NominationOut(Schema):
    id: int
    call: int = Field(..., alias="call_id")
    award_type: str = Field(description="The award type's code.")
    award_name: str
    recipient: str = Field(description="person, unit or collective.")
    organisation: str = Field(description="The nominating unit's organisation code.")
    at: str = Field(description="The code of the organisation reviewing it now (the unit while draft or returned).")
    status: str
    nominee: str = Field(description="The worker's, the unit's or the team's name.")
    worker: int | None = Field(None, alias="worker_id")
    nominee_organisation: str | None = Field(None, description="The nominated unit's code.")
    team_name: str
    frontline: bool = Field(description="The nominee is frontline epidemic staff (a registered worker with a team).")
    submitted_at: datetime | None
    notice_starts_on: date | None
    notice_ends_on: date | None
    decided_at: datetime | None
    certificate_no: str
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="Send it back with a transition (or If-Match) so that no change is lost.")

    @staticmethod
    def resolve_award_type(obj: Nomination) -> str:
        return obj.award_type.code

    @staticmethod
    def resolve_award_name(obj: Nomination) -> str:
        return obj.award_type.name

    @staticmethod
    def resolve_recipient(obj: Nomination) -> str:
        return obj.award_type.recipient

    @staticmethod
    def resolve_organisation(obj: Nomination) -> str:
        return obj.organisation.code

    @staticmethod
    def resolve_at(obj: Nomination) -> str:
        return obj.at_organisation.code

    @staticmethod
    def resolve_nominee(obj: Nomination) -> str:
        return services.nominee_label(obj)

    @staticmethod
    def resolve_nominee_organisation(obj: Nomination) -> str | None:
        return obj.nominee_organisation.code if obj.nominee_organisation is not None else None

    @staticmethod
    def resolve_frontline(obj: Nomination) -> bool:
        return bool(obj.worker is not None and obj.worker.team)


class NominationNoteOut(Schema):
    id: int
    at: datetime
    kind: str
    by: str | None
    level: str | None = Field(None, description="The code of the organisation the note was written at.")
    from_status: str
    to_status: str
    text: str

    @staticmethod
    def resolve_by(obj: NominationNote) -> str | None:
        return obj.author.get_username() if obj.author_id and obj.author else None

    @staticmethod
    def resolve_level(obj: NominationNote) -> str | None:
        return obj.level.code if obj.level_id and obj.level else None


class NominationObjectionOut(Schema):
    id: int
    received_on: date
    raised_by: str
    text: str
    status: str = Field(description="open, upheld or dismissed.")
    answer: str
    answered_at: datetime | None


class NominationFileOut(Schema):
    id: int
    name: str = Field(..., alias="original_name")
    kind: str
    size: int


class NominationDetailOut(NominationOut):
    story: str = Field(description="先进事迹, the story of what they did.")
    frontline_facts: HonoursFrontlineOut | None = Field(
        None, alias="nx_facts", description="What the register knows (a worker only)."
    )
    notes: list[NominationNoteOut] = Field(..., alias="nx_notes", description="The timeline, oldest first.")
    objections: list[NominationObjectionOut] = Field(..., alias="nx_objections")
    files: list[NominationFileOut] = Field(..., alias="nx_files", description="Download from /attachments/<id>/.")
    actions: list[str] = Field(..., alias="nx_actions", description="The transitions the token's user may make now.")


class NominationFilter(Schema):
    call: int | None = Field(None, description="A call's id.")
    status: NominationStatus | None = Field(None, description="One status.")
    org: str | None = Field(None, description="An organisation's code: nominations of units in its subtree.")


class NominationIn(Schema):
    call: int = Field(description="The call's id (open, before its deadline).")
    award_type: str = Field(description="The award type's code (one of the call's).")
    organisation: str = Field(description="The nominating unit's organisation code.")
    worker: int | None = Field(None, description="A registered worker's id: for an award to a person.")
    nominee_organisation: str | None = Field(None, description="A unit's code: for an award to a unit.")
    team_name: str = Field("", description="The team's name: for an award to a collective.")
    story: str = Field("", description="先进事迹 (at most 3,000 characters).")


class NominationTransitionIn(Schema):
    action: NominationAction = Field(
        description="submit (the unit) · recommend / return / reject (the level reviewing it) · withdraw (the "
        "unit) · notice / award / not_award (the city)."
    )
    note: str = Field("", description="A comment; required for return, reject, withdraw and not_award.")
    version: int | None = Field(
        None, description="The version read (or If-Match); 409 if the nomination changed since."
    )


def _detail(request: Any, nomination_id: int) -> Nomination:
    nomination = apiutils.get_scoped_or_404(
        Nomination.objects.select_related(
            "call", "award_type", "worker", "nominee_organisation", "organisation", "at_organisation"
        ),
        request,
        "view",
        pk=nomination_id,
    )
    nomination.nx_facts = frontline_facts(nomination.worker)  # type: ignore[attr-defined]
    nomination.nx_notes = list(  # type: ignore[attr-defined]
        NominationNote.objects.filter(nomination=nomination).select_related("author", "level").order_by("at", "id")
    )
    nomination.nx_objections = list(  # type: ignore[attr-defined]
        Objection.objects.filter(nomination=nomination).order_by("received_on", "id")
    )
    nomination.nx_files = list(attachments.for_owner(nomination).order_by("id"))  # type: ignore[attr-defined]
    nomination.nx_actions = services.available_actions(request.user, nomination)  # type: ignore[attr-defined]
    return nomination


@router.get(
    "/honours/nominations",
    model=Nomination,
    action="view",
    response=list[NominationOut],
    operation_id="list_honours_nominations",
    summary="Nominations (of the token user's organisations)",
)
@apiutils.paginate
def list_nominations(request: Any, filters: Query[NominationFilter]) -> Any:
    """The nominations of the units in the token user's organisations, newest first; ``call``,
    ``status`` and ``org`` (a code: its subtree) narrow them. An unknown call is a 404 (as an
    unknown id anywhere); an organisation outside the user's scope gives an empty list."""
    call = None
    if filters.call is not None:
        call = apiutils.get_scoped_or_404(Call, request, "view", pk=filters.call)
    org = None
    if filters.org:
        org = Organisation.objects.filter(code=filters.org).first()
        if org is None:
            return Nomination.objects.none()
    return nominations_for(
        request.user, call=call, status=filters.status.value if filters.status else None, org=org
    )


def _organisation(request: Any, code: str | None, field: str) -> Organisation:
    org = Organisation.objects.for_user(request.user, "view").filter(code=code or "").first()
    if org is None:
        raise ServiceError(_("Unknown organisation code, or outside your scope."), field=field)
    return org


@router.post(
    "/honours/nominations",
    model=Nomination,
    action="nominate",
    response={201: NominationDetailOut},
    operation_id="create_honours_nomination",
    summary="Nominate a worker, a unit or a team (a draft at the unit)",
)
@idempotency.api
def create_nomination(request: Any, payload: NominationIn) -> Any:
    """A draft nomination at the unit ``organisation``: submit it with the transition
    ``submit``. The nominee as the award type says: ``worker`` (a person), ``nominee_organisation``
    (a unit) or ``team_name`` (a collective)."""
    call = Call.objects.filter(pk=payload.call).first()
    if call is None:
        raise ServiceError(_("Unknown call."), field="call")
    award_type = AwardType.objects.filter(code=payload.award_type).first()
    if award_type is None:
        raise ServiceError(_("Unknown award type."), field="award_type")
    unit = _organisation(request, payload.organisation, "organisation")
    worker = None
    if payload.worker is not None:
        worker = Worker.objects.for_user(request.user, "view").filter(pk=payload.worker).first()
        if worker is None:
            raise ServiceError(_("Unknown worker, or outside your scope."), field="worker")
    nominee_org = None
    if payload.nominee_organisation:
        nominee_org = _organisation(request, payload.nominee_organisation, "nominee_organisation")
    nomination = services.nominate(
        actor=request.user,
        call=call,
        award_type=award_type,
        organisation=unit,
        worker=worker,
        nominee_organisation=nominee_org,
        team_name=payload.team_name,
        story=payload.story,
    )
    return Status(201, _detail(request, nomination.pk))


@router.get(
    "/honours/nominations/{nomination_id}",
    model=Nomination,
    action="view",
    response=NominationDetailOut,
    operation_id="get_honours_nomination",
    summary="A nomination with its frontline facts, timeline, objections and files",
)
def get_nomination(request: Any, nomination_id: int) -> Any:
    """One nomination: the story, what the register knows of the nominee's frontline work,
    the timeline with the level each note was written at, the objections and their answers,
    the files (downloaded from ``/attachments/<id>/``) and the transitions the user may make."""
    return _detail(request, nomination_id)


@router.post(
    "/honours/nominations/{nomination_id}/transitions",
    model=Nomination,
    action="nominate",
    response={200: NominationDetailOut, 409: apiutils.ErrorOut},
    operation_id="transition_honours_nomination",
    summary="Move a nomination on: submit, recommend, return, reject, withdraw, notice, award, not_award",
)
def transition_nomination(request: Any, nomination_id: int, payload: NominationTransitionIn) -> Any:
    """One step up the tree. The unit submits (draft or returned) or withdraws; the level the
    nomination is at (``at``) recommends it a level up within its quota, returns it to the unit
    with a comment or rejects it; the city puts it on public notice and, after the notice with
    no open objection, awards it (a certificate number) or not. Someone acting at a level the
    nomination is not at gets 403; a broken rule 400; a changed nomination 409."""
    nomination = apiutils.get_scoped_or_404(Nomination, request, "view", pk=nomination_id)
    version = versioning.parse(payload.version)
    if version is None:
        version = versioning.parse(request.headers.get("If-Match"))
    services.apply(
        nomination, actor=request.user, action=payload.action.value, note=payload.note, version=version
    )
    return _detail(request, nomination.pk)
