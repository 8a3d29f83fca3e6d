"""The volunteers' own authorization cases run alone (the shared matrix runs every app's): each
page and operation anonymous, wrong role, other organisation and allowed; and every URL of the
app is covered by a case or declared public."""

import pytest

from nuanxin.core import access
from nuanxin.volunteers.tests import authz_cases
from tests.test_authorization import _check_case, api_operations, page_patterns


@pytest.mark.django_db
def test_volunteers_matrix(personas, subtests):
    for case in authz_cases.cases(personas):
        with subtests.test(case=str(case)):
            _check_case(case)


@pytest.mark.django_db
def test_every_volunteers_url_is_covered_or_public(personas):
    covered = {c.target for c in authz_cases.cases(personas)}
    pages = {name: p for name, p in page_patterns() if name and name.startswith("volunteers:")}
    public = sorted(n for n, p in pages.items() if p.callback.nuanxin_access == access.PUBLIC)
    assert public == ["volunteers:my_place", "volunteers:signup"]
    assert sorted(n for n in pages if n not in covered and n not in public) == []
    assert sorted(op for op in api_operations() if "/volunteers/" in op and op not in covered) == []
