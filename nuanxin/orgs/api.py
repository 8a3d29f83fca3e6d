"""REST operations on the organisation tree (read-only for now)."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Left, Length
from ninja import Schema

from nuanxin.core import apiutils
from nuanxin.orgs.models import Organisation
from nuanxin.orgs.scope import STEPLEN

router = apiutils.ScopedRouter(tags=["organisations"])


class OrganisationOut(Schema):
    code: str
    name: str
    kind: str
    parent_code: str | None

    @staticmethod
    def resolve_parent_code(obj) -> str | None:
        # The model's ``parent_code`` property costs a query per row; use the annotation.
        return obj.nx_parent_code


def with_parent_code(queryset):
    """Annotate ``nx_parent_code`` from the materialised path in the same query (no N+1): the
    parent's path is the node's path without its last step."""
    parent = Organisation.objects.filter(path=Left(OuterRef("path"), Length(OuterRef("path")) - STEPLEN))
    return queryset.annotate(nx_parent_code=Subquery(parent.values("code")[:1]))


@router.get("/orgs", model=Organisation, action="view",
            response={200: list[OrganisationOut], **apiutils.ERROR_RESPONSES},
            operation_id="list_orgs", summary="The organisations inside the token's scope")
@apiutils.paginate
def list_orgs(request):
    """Every organisation the account's grants cover, in tree order (a parent before its
    children). ``parent_code`` is null for the root; it may name an organisation outside the
    scope (e.g. a hospital's district for a group grant)."""
    return with_parent_code(Organisation.objects.for_user(request.user)).order_by("path")
