"""The commendations' coded values and the nomination's life cycle."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nuanxin.cases.lifecycle import LifeCycle, Texts, Transition, Urgency


class AwardLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    CITY = "city", _("City")
    DISTRICT = "district", _("District")


class RecipientKind(models.TextChoices):
    """Who an award is for: 五一劳动奖章 a person, 五一劳动奖状 a unit, 工人先锋号 a collective."""

    PERSON = "person", _("A person")
    UNIT = "unit", _("A unit")
    COLLECTIVE = "collective", _("A collective (team)")


class CallStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for nominations")
    CLOSED = "closed", _("Closed")


class NominationStatus(models.TextChoices):
    """A nomination goes up the tree: written at the unit (draft), reviewed at each level above
    (review, at ``Nomination.at_organisation``), sent back for changes (returned), rejected at
    some level, put on public notice by the city (notice, 公示), and decided by the city
    (awarded / not awarded). The unit may withdraw it before the notice."""

    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("Under review")
    RETURNED = "returned", _("Returned for changes")
    NOTICE = "notice", _("Public notice")
    AWARDED = "awarded", _("Awarded")
    NOT_AWARDED = "not_awarded", _("Not awarded")
    REJECTED = "rejected", pgettext_lazy("nomination", "Rejected")  # 不予推荐, not the register import's 拒收
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("Awaiting an answer")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


NOMINATION_LIFECYCLE = LifeCycle(
    statuses=NominationStatus,
    initial=NominationStatus.DRAFT,
    active=frozenset(
        {NominationStatus.DRAFT, NominationStatus.REVIEW, NominationStatus.RETURNED, NominationStatus.NOTICE}
    ),
    transitions=(
        Transition(NominationStatus.DRAFT, NominationStatus.REVIEW),  # submitted by the unit
        Transition(NominationStatus.RETURNED, NominationStatus.REVIEW),  # submitted again
        Transition(NominationStatus.REVIEW, NominationStatus.REVIEW, action="review"),  # recommended a level up
        Transition(NominationStatus.REVIEW, NominationStatus.RETURNED, action="review", reason=True),
        Transition(NominationStatus.REVIEW, NominationStatus.REJECTED, action="review", reason=True),
        Transition(NominationStatus.REVIEW, NominationStatus.NOTICE, action="decide"),  # the city's recommendation
        Transition(NominationStatus.NOTICE, NominationStatus.AWARDED, action="decide"),
        Transition(NominationStatus.NOTICE, NominationStatus.NOT_AWARDED, action="decide", reason=True),
        Transition(NominationStatus.DRAFT, NominationStatus.WITHDRAWN, reason=True),
        Transition(NominationStatus.RETURNED, NominationStatus.WITHDRAWN, reason=True),
        Transition(NominationStatus.REVIEW, NominationStatus.WITHDRAWN, reason=True),
    ),
    due_days={Urgency.NORMAL: 14, Urgency.URGENT: 7, Urgency.CRITICAL: 3},
    stamps={
        NominationStatus.AWARDED: "closed_at",
        NominationStatus.NOT_AWARDED: "closed_at",
        NominationStatus.REJECTED: "closed_at",
        NominationStatus.WITHDRAWN: "closed_at",
    },
    audit_prefix="honours.nomination",
    open_action="nominate",
    change_action="nominate",
    reassign_action="manage",
    own_action="manage",
    escalate_action="manage",
    text_fields=("story",),
    audited=("urgency", "owner"),
    texts=Texts(
        may_not_open=_("Only the administrators of a unit's union nominate."),
        may_not_change=_("You may not change this nomination."),
    ),
)
