"""Review of issue 15 (F20): a legal-aid case is due by its arbitration time limit at the latest."""

from datetime import timedelta

from nuanxin.labour.models import ARBITRATION_LIMIT_DAYS
from nuanxin.labour.services import legal
from nuanxin.labour.tests.test_legal import family, officer, today  # noqa: F401 (fixtures)


def _open(officer, family, days_ago):  # noqa: F811
    return legal.open_legal_case(
        actor=officer,
        worker=family,
        kind="wages",
        other_party="某公司",
        facts="拖欠工资",
        infringed_on=today() - timedelta(days=days_ago),
    )


def test_the_due_date_is_not_after_the_arbitration_limit(officer, family):  # noqa: F811
    near = _open(officer, family, ARBITRATION_LIMIT_DAYS - 5)  # 5 days left
    assert near.due_on == today() + timedelta(days=5) == near.arbitration_deadline
    far = _open(officer, family, 10)  # the lifecycle's own due date comes first
    assert far.due_on == legal.LegalCase.lifecycle.due_on("normal", today())
    passed = _open(officer, family, ARBITRATION_LIMIT_DAYS + 3)  # already passed: the usual due date
    assert passed.due_on == far.due_on
