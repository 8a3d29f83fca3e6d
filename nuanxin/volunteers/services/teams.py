"""Volunteer teams and their volunteers.

A team belongs to an organisation; its administrators (``Team.policy`` "manage") open, rename
and close it and name its leader: a user holding ``team_leader`` on the team's organisation (or
above), who then reaches only the teams they lead. A volunteer's mobile is kept in E.164 as the
register keeps workers' (``registry.normalise.phone``) and shown masked (``mask``); one mobile
per team. The consent to be contacted is recorded with its time; a volunteer may be a registered
worker (of the team's subtree) or a user (e.g. a care contact)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core import audit, roles
from nuanxin.core.errors import ServiceError
from nuanxin.core.policy import user_of
from nuanxin.core.versioning import bump, check_version
from nuanxin.orgs import scope
from nuanxin.registry import normalise
from nuanxin.volunteers.models import Team, Volunteer

TEAM_FIELDS = ("name", "description", "leader", "active")
VOLUNTEER_FIELDS = ("name", "mobile", "skills", "availability", "consent_to_contact", "worker", "user", "active")


def mask(mobile: str) -> str:
    """A volunteer's mobile as lists show it: 138****5678."""
    return normalise.mask(mobile)


def clean_mobile(value: Any, field: str = "mobile") -> str:
    try:
        mobile = normalise.phone(value or "")
    except normalise.InvalidValue as exc:
        raise ServiceError(str(exc), field=field) from None
    if not mobile:
        raise ServiceError(_("Enter the volunteer's mobile number."), field=field)
    return mobile


def _name(value: Any, field: str = "name") -> str:
    name = normalise.text(value or "")
    if not name:
        raise ServiceError(_("This field is required."), field=field)
    return name


def _unknown(values: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(values) - set(allowed)
    if unknown:
        raise ServiceError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})


def _check_leader(leader: Any, organisation: Any) -> None:
    if leader is None:
        return
    if not getattr(leader, "is_active", False) or not scope.covers(leader, {roles.Role.TEAM_LEADER}, organisation):
        raise ServiceError(
            _("%(user)s holds no team leader role on %(org)s: grant it first, then name them leader.")
            % {"user": leader.get_full_name() or leader.username, "org": organisation.name},
            field="leader",
        )


def _team_name_free(organisation: Any, name: str, exclude: int | None = None) -> None:
    others = Team.objects.filter(organisation=organisation, name=name)
    if exclude:
        others = others.exclude(pk=exclude)
    if others.exists():
        raise ServiceError(
            _("%(org)s already has a volunteer team named “%(name)s”.") % {"org": organisation.name, "name": name},
            field="name",
        )


@transaction.atomic
def create_team(*, actor, organisation, name: str, description: str = "", leader=None) -> Team:
    Team.policy.require_in(actor, "manage", organisation)
    name = _name(name)
    _team_name_free(organisation, name)
    _check_leader(leader, organisation)
    team = Team(organisation=organisation, name=name, description=(description or "").strip(), leader=leader)
    team._history_user = user_of(actor)  # type: ignore[attr-defined]
    team.save()
    audit.record(
        actor,
        "volunteers.team.create",
        obj=team,
        organisation=organisation,
        detail={"name": team.name, "leader": leader.pk if leader else None},
    )
    return team


@transaction.atomic
def change_team(*, actor, team: Team, version=None, **values: Any) -> Team:
    """Rename, describe, close or reopen a team, or name its leader (``leader=None``: none)."""
    team = Team.objects.select_for_update().select_related("organisation").get(pk=team.pk)
    Team.policy.require(actor, "manage", team)
    check_version(team, version)
    _unknown(values, TEAM_FIELDS)
    if "name" in values:
        values["name"] = _name(values["name"])
        _team_name_free(team.organisation, values["name"], exclude=team.pk)
    if "description" in values:
        values["description"] = (values["description"] or "").strip()
    if "leader" in values:
        if values["leader"] is not None and values["leader"].pk != team.leader_id:
            _check_leader(values["leader"], team.organisation)
    if "active" in values:
        values["active"] = bool(values["active"])
    changed = sorted(
        k
        for k, v in values.items()
        if (team.leader_id if k == "leader" else getattr(team, k))
        != ((v.pk if v is not None else None) if k == "leader" else v)
    )
    if not changed:
        return team
    for key, value in values.items():
        setattr(team, key, value)
    team._history_user = user_of(actor)  # type: ignore[attr-defined]
    bump(team)
    team.save()
    detail: dict[str, Any] = {"changed": changed}
    if "leader" in changed:
        detail["leader"] = team.leader_id
    audit.record(actor, "volunteers.team.change", obj=team, organisation=team.organisation, detail=detail)
    return team


def _check_worker(worker: Any, team: Team) -> None:
    if worker is None:
        return
    if not worker.organisation.path.startswith(team.organisation.path) and not team.organisation.path.startswith(
        worker.organisation.path
    ):
        raise ServiceError(
            _("This registered worker belongs to another organisation's subtree than the team's."), field="worker"
        )


def _mobile_free(team: Team, mobile: str, exclude: int | None = None) -> None:
    others = Volunteer.objects.filter(team=team, mobile=mobile)
    if exclude:
        others = others.exclude(pk=exclude)
    if others.exists():
        raise ServiceError(
            _("A volunteer of this team already has the mobile %(mobile)s.") % {"mobile": mask(mobile)},
            field="mobile",
        )


def _clean_volunteer(values: dict[str, Any]) -> dict[str, Any]:
    _unknown(values, VOLUNTEER_FIELDS)
    values = dict(values)
    if "name" in values:
        values["name"] = _name(values["name"])
    if "mobile" in values:
        values["mobile"] = clean_mobile(values["mobile"])
    for key in ("skills", "availability"):
        if key in values:
            values[key] = normalise.text(values[key] or "")
    for key in ("consent_to_contact", "active"):
        if key in values:
            values[key] = bool(values[key])
    return values


@transaction.atomic
def add_volunteer(
    *, actor, team: Team, name: str, mobile: str, joined_on: date | None = None, **values: Any
) -> Volunteer:
    """A new volunteer of ``team`` (its leader or an administrator). ``consent_to_contact``
    records its time."""
    team = Team.objects.select_for_update().select_related("organisation").get(pk=team.pk)
    Volunteer.policy.require(actor, "change", Volunteer(team=team))
    if not team.active:
        raise ServiceError(_("This team is closed: reopen it before adding volunteers."))
    values = _clean_volunteer({"name": name, "mobile": mobile, **values})
    _mobile_free(team, values["mobile"])
    _check_worker(values.get("worker"), team)
    now = timezone.now()
    volunteer = Volunteer(team=team, joined_on=joined_on or timezone.localdate(now), **values)
    if volunteer.consent_to_contact:
        volunteer.consent_at = now
    volunteer._history_user = user_of(actor)  # type: ignore[attr-defined]
    volunteer.save()
    audit.record(
        actor,
        "volunteers.volunteer.add",
        obj=volunteer,
        organisation=team.organisation,
        detail={"team": team.pk, "consent": volunteer.consent_to_contact},
    )
    return volunteer


@transaction.atomic
def change_volunteer(*, actor, volunteer: Volunteer, version=None, **values: Any) -> Volunteer:
    """Change a volunteer's details, consent (its time recorded when given, cleared when taken
    back), links to a registered worker or a user, or deactivate them (``active=False``)."""
    volunteer = Volunteer.objects.select_for_update().select_related("team__organisation").get(pk=volunteer.pk)
    Volunteer.policy.require(actor, "change", volunteer)
    check_version(volunteer, version)
    values = _clean_volunteer(values)
    if "mobile" in values:
        _mobile_free(volunteer.team, values["mobile"], exclude=volunteer.pk)
    if values.get("worker") is not None:
        _check_worker(values["worker"], volunteer.team)

    def current(key: str) -> Any:
        return getattr(volunteer, f"{key}_id") if key in ("worker", "user") else getattr(volunteer, key)

    def wanted(key: str, value: Any) -> Any:
        return (value.pk if value is not None else None) if key in ("worker", "user") else value

    changed = sorted(k for k, v in values.items() if current(k) != wanted(k, v))
    if not changed:
        return volunteer
    for key, value in values.items():
        setattr(volunteer, key, value)
    if "consent_to_contact" in changed:
        volunteer.consent_at = timezone.now() if volunteer.consent_to_contact else None
    volunteer._history_user = user_of(actor)  # type: ignore[attr-defined]
    bump(volunteer)
    volunteer.save()
    action = "volunteers.volunteer.deactivate" if changed == ["active"] and not volunteer.active else None
    audit.record(
        actor,
        action or "volunteers.volunteer.change",
        obj=volunteer,
        organisation=volunteer.team.organisation,
        detail={"changed": changed},
    )
    return volunteer


def deactivate_volunteer(*, actor, volunteer: Volunteer, version=None) -> Volunteer:
    return change_volunteer(actor=actor, volunteer=volunteer, version=version, active=False)
