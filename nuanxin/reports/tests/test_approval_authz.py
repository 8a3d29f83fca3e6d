"""The forms', filling and approval cases of the authorization matrix, run alone (the whole
matrix, ``tests/test_authorization.py``, runs them with every other app's)."""

import pytest

from nuanxin.reports.tests import authz_approval, authz_filling, authz_forms
from tests.test_authorization import _check_case


@pytest.mark.django_db
def test_the_report_pages_and_api_hold_their_scope(personas, subtests):
    p = personas
    for case in [*authz_forms.cases(p), *authz_filling.cases(p), *authz_approval.cases(p)]:
        with subtests.test(case=str(case)):
            _check_case(case)
