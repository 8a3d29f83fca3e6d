"""The legal area's authorization cases alone (the whole matrix is ``tests/test_authorization.py``):
anonymous, wrong role, other organisation and allowed, for every legal page and API operation."""

from __future__ import annotations

import pytest

from nuanxin.labour.tests import authz_legal
from tests.test_authorization import _check_case


@pytest.mark.django_db
def test_legal_scoping_matrix(personas, subtests):
    for case in authz_legal.cases(personas):
        with subtests.test(case=str(case)):
            _check_case(case)
