"""A rejected nomination's status has its own translation context ("nomination": 不予推荐), so it
never takes the register import's 拒收 of the shared msgid "Rejected"."""

from unittest import mock

from django.utils import translation

from nuanxin.honours.choices import NominationStatus
from nuanxin.registry.import_models import Outcome

CATALOGUE = {("nomination", "Rejected"): "不予推荐"}


def test_rejected_is_looked_up_in_the_nomination_context():
    asked = []

    def pgettext(context, message):
        asked.append((context, message))
        return CATALOGUE.get((context, message), message)

    with translation.override("zh-hans"), mock.patch.object(translation._trans, "pgettext", pgettext, create=True):
        assert str(NominationStatus.REJECTED.label) == "不予推荐"
        assert str(Outcome.REJECT.label) == "拒收"  # the import keeps its own msgid, without a context
    assert asked == [("nomination", "Rejected")]


def test_the_other_statuses_keep_their_msgids():
    with translation.override("en"):
        assert dict(NominationStatus.choices) == {
            "draft": "Draft", "review": "Under review", "returned": "Returned for changes", "notice": "Public notice",
            "awarded": "Awarded", "not_awarded": "Not awarded", "rejected": "Rejected", "withdrawn": "Withdrawn",
        }
