"""Volunteer teams: the teams API operations.

``GET /volunteers/teams``: the teams in the token user's reach (a team leader: the teams they
lead), with their active volunteers' count (no names); ``POST /volunteers/teams``: open a team
(administrators of its organisation; the same refusals as the page)."""
# No ``from __future__ import annotations``: ninja reads the operations' annotations.

from datetime import datetime
from typing import Any

from django.db.models import Count, Q
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status

from nuanxin.accounts.models import User
from nuanxin.core import apiutils, idempotency
from nuanxin.core.errors import ServiceError
from nuanxin.orgs.models import Organisation
from nuanxin.volunteers.models import Team
from nuanxin.volunteers.services import teams as services

router = apiutils.ScopedRouter(tags=["volunteers"])


class VolunteerTeamOut(Schema):
    id: int
    name: str
    organisation: str = Field(description="The organisation's code.")
    organisation_name: str
    leader: str | None = Field(None, description="The team leader's username.")
    description: str
    active: bool
    volunteers: int = Field(description="Active volunteers.")
    created_at: datetime
    version: int

    @staticmethod
    def resolve_organisation(obj: Any) -> str:
        return obj.organisation.code

    @staticmethod
    def resolve_organisation_name(obj: Any) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_leader(obj: Any) -> str | None:
        return obj.leader.username if obj.leader_id else None

    @staticmethod
    def resolve_volunteers(obj: Any) -> int:
        return obj.members


class VolunteerTeamFilter(Schema):
    org: str | None = Field(None, max_length=50, description="An organisation's code: its subtree's teams.")
    active: bool | None = None


def _rows(user: Any) -> Any:
    return (
        Team.objects.for_user(user, "view")
        .select_related("organisation", "leader")
        .annotate(members=Count("volunteers", filter=Q(volunteers__active=True), distinct=True))
    )


@router.get(
    "/volunteers/teams",
    model=Team,
    action="view",
    response=list[VolunteerTeamOut],
    operation_id="list_volunteer_teams",
    summary="Volunteer teams",
)
@apiutils.paginate
def list_teams(request: Any, filters: Query[VolunteerTeamFilter]) -> Any:
    """The teams in reach by organisation then name. ``org``: an unknown code is a 404."""
    rows = _rows(request.user)
    if filters.org:
        org = Organisation.objects.filter(code=filters.org).first()
        if org is None:
            raise Http404
        rows = rows.filter(organisation__path__startswith=org.path)
    if filters.active is not None:
        rows = rows.filter(active=filters.active)
    return rows.order_by("organisation__path", "name", "id")


class VolunteerTeamIn(Schema):
    organisation: str = Field(..., max_length=50, description="The organisation's code.")
    name: str = Field(..., max_length=100)
    description: str = Field("", max_length=2000)
    leader: str | None = Field(None, max_length=150, description="The username of a team leader of the organisation.")


@router.post(
    "/volunteers/teams",
    model=Team,
    action="manage",
    response={201: VolunteerTeamOut},
    operation_id="create_volunteer_team",
    summary="Open a volunteer team",
)
@idempotency.api
def create_team(request: Any, payload: VolunteerTeamIn) -> Any:
    """Open a team of an organisation in reach (else 404); ``leader`` must hold the team
    leader role there (else 400, field ``leader``)."""
    org = Organisation.objects.filter(code=payload.organisation).first()
    if org is None or not Team.policy.allows_in(request.user, "manage", org):
        raise Http404
    leader = None
    if payload.leader:
        leader = User.objects.filter(username=payload.leader).first()
        if leader is None:
            raise ServiceError(_("No user has this username."), field="leader")
    team = services.create_team(
        actor=request.user, organisation=org, name=payload.name, description=payload.description, leader=leader
    )
    return Status(201, _rows(request.user).get(pk=team.pk))
