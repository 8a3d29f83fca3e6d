"""REST operations about the token's own account."""

from __future__ import annotations

from ninja import Schema

from nuanxin.core import apiutils
from nuanxin.orgs import scope
from nuanxin.orgs.models import Organisation

router = apiutils.ScopedRouter(tags=["me"])


class GrantOut(Schema):
    role: str
    organisation: str | None  # organisation code, for a grant on an organisation
    group: str | None  # group code, for a grant on an organisation group


class ScopeOut(Schema):
    role: str
    organisations: list[str]  # codes of the top organisations covered (each with its subtree)


class MeOut(Schema):
    username: str
    full_name: str
    organisation: str | None  # home organisation code
    roles: list[str]
    grants: list[GrantOut]
    scope: list[ScopeOut]


@router.get("/me", model=None, response={200: MeOut, **apiutils.ERROR_RESPONSES}, operation_id="get_me",
            summary="The token's account, roles and scope")
def me(request):
    """The account the token belongs to, its active grants and, per role, the organisations
    whose subtrees it covers."""
    user = request.user
    grants = scope.effective_grants(user)
    roles = scope.roles_of(user)
    paths_by_role = {role: scope.scope_paths(user, {role}) for role in roles}
    all_paths = {p for paths in paths_by_role.values() for p in paths}
    codes = dict(Organisation.objects.filter(path__in=all_paths).values_list("path", "code")) if all_paths else {}
    return {
        "username": user.get_username(),
        "full_name": user.full_name,
        "organisation": user.organisation.code if user.organisation_id else None,
        "roles": roles,
        "grants": [
            {
                "role": g.role,
                "organisation": g.organisation.code if g.organisation_id else None,
                "group": g.group.code if g.group_id else None,
            }
            for g in grants
        ],
        "scope": [{"role": role, "organisations": [codes[p] for p in paths_by_role[role]]} for role in roles],
    }
