"""Nominations (提名) and their way up the tree, on the shared case life cycle
(``choices.NOMINATION_LIFECYCLE``, ``nuanxin/cases``).

A unit union nominates (``nominate``: a draft at the unit; ``at_organisation`` is the unit) a
registered worker, an organisation or a team, as the award type's recipient kind says, with
the story (先进事迹, at most ``models.STORY_MAX`` characters), photos and documents
(``add_file``). While the nomination is a draft or returned, the unit edits it
(``update_nomination``), submits it (``submit``: to the review of the unit's parent) or
withdraws it. Each level reviews what is at it (``at_organisation``; the reviewer's grant must
cover it): recommends it a level up (``recommend``: within the level's quota), returns it for
changes with a comment (``return_for_changes``: back to the unit, status returned) or rejects
it with a reason (``reject``). At the city (the root) a recommended nomination goes on public
notice (``start_notice``: 公示 for ``call.notice_days`` days); objections are recorded
(``record_objection``) and answered (``answer_objection``: upheld or dismissed); after the
notice, with no open objection, the city decides (``decide``: awarded, with a certificate
number, or not awarded).

Quota rule: what organisation X has recommended up in a call (the nominations that passed X
and are still in the running: under review above X, on notice or decided) never exceeds X's
quota for the award type nor its quota for all award types; no quota row, no limit. The call's
row is locked while a recommendation counts, so two reviewers cannot both take the last place.

Every step is one transaction: the nomination, a timeline note (``NominationNote`` with the
``level`` it was written at) and an audit row (ids, status, levels as organisation codes; the
story and notes only as their length).

Refusals: ``NotAllowed`` (someone not allowed, or acting at a level the nomination is not at)
and ``ServiceError`` (a rule broken), with messages in the user's language.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from nuanxin.core.models import Attachment
from nuanxin.honours.models import AwardType, Call, Nomination, NominationNote, Objection

# The actions of the transitions API and of the pages' buttons, in the order they are shown.
SUBMIT = "submit"
RECOMMEND = "recommend"
RETURN = "return"
REJECT = "reject"
WITHDRAW = "withdraw"
NOTICE = "notice"
AWARD = "award"
NOT_AWARD = "not_award"
ACTIONS = (SUBMIT, RECOMMEND, RETURN, REJECT, WITHDRAW, NOTICE, AWARD, NOT_AWARD)
# The actions that need a note (a comment or a reason).
NOTE_REQUIRED = frozenset({RETURN, REJECT, WITHDRAW, NOT_AWARD})


def nominate(
    *,
    actor: Any,
    call: Call,
    award_type: AwardType,
    organisation: Any,
    worker: Any = None,
    nominee_organisation: Any = None,
    team_name: str = "",
    story: str = "",
) -> Nomination:
    """A new nomination (a draft at ``organisation``, the nominating unit union; not the
    root) in ``call`` (open, before its deadline) for ``award_type`` (one of the call's, active).
    The nominee as the award type's recipient kind says: a person — ``worker`` (registered,
    of ``organisation``'s subtree; once per call and award type); a unit —
    ``nominee_organisation`` (``organisation`` or below it); a collective — ``team_name``.
    ``story`` at most ``STORY_MAX`` characters. The actor needs "nominate" in ``organisation``."""
    raise NotImplementedError


def update_nomination(
    nomination: Nomination,
    *,
    actor: Any,
    worker: Any = None,
    nominee_organisation: Any = None,
    team_name: str | None = None,
    story: str | None = None,
    version: int | None = None,
) -> Nomination:
    """Change a draft or returned nomination's nominee or story (``None``: unchanged), with the
    checks of ``nominate``. ``version``: the version the form showed (``Conflict``)."""
    raise NotImplementedError


def add_file(nomination: Nomination, *, actor: Any, uploaded_file: Any, name: str | None = None) -> Attachment:
    """Attach a photo or a document (PDF, PNG, JPEG, WebP: ``attachments.DOCUMENTS``, checked
    by content) to a draft or returned nomination. Audited (``honours.nomination.file``)."""
    raise NotImplementedError


def remove_file(nomination: Nomination, *, actor: Any, attachment: Attachment) -> None:
    """Remove a file of a draft or returned nomination."""
    raise NotImplementedError


def submit(nomination: Nomination, *, actor: Any, note: str = "", version: int | None = None) -> Nomination:
    """The unit sends its draft (call open, before the deadline) or its returned nomination (the
    changes made) to the review of its parent: status review, ``at_organisation`` = the unit's
    parent, ``submitted_at`` now."""
    raise NotImplementedError


def recommend(nomination: Nomination, *, actor: Any, note: str = "", version: int | None = None) -> Nomination:
    """The level reviewing the nomination (``at_organisation``, not the root) recommends it one
    level up (``at_organisation`` = its parent), within its quota (``ServiceError`` when full).
    The actor's grant must cover ``at_organisation``."""
    raise NotImplementedError


def return_for_changes(nomination: Nomination, *, actor: Any, note: str, version: int | None = None) -> Nomination:
    """The reviewing level sends the nomination back to the unit for changes with ``note`` (the
    comment, required): status returned, ``at_organisation`` = the unit."""
    raise NotImplementedError


def reject(nomination: Nomination, *, actor: Any, note: str, version: int | None = None) -> Nomination:
    """The reviewing level rejects the nomination with ``note`` (the reason, required)."""
    raise NotImplementedError


def withdraw(nomination: Nomination, *, actor: Any, note: str, version: int | None = None) -> Nomination:
    """The unit withdraws its nomination (draft, returned, or under review) with a reason."""
    raise NotImplementedError


def start_notice(
    nomination: Nomination, *, actor: Any, note: str = "", starts_on: date | None = None, version: int | None = None
) -> Nomination:
    """The city (a nomination under review at the root; a city administrator) puts it on public
    notice (公示) from ``starts_on`` (today by default, not in the past) for ``call.notice_days``
    days: ``notice_starts_on`` .. ``notice_ends_on`` (inclusive). Within the root's quota."""
    raise NotImplementedError


def record_objection(
    nomination: Nomination, *, actor: Any, text: str, received_on: date | None = None, raised_by: str = ""
) -> Objection:
    """Record an objection received during the nomination's public notice (``received_on``
    within the notice, today by default; ``raised_by`` may stay empty: anonymous). City
    administrators."""
    raise NotImplementedError


def answer_objection(
    objection: Objection, *, actor: Any, upheld: bool, answer: str, version: int | None = None
) -> Objection:
    """Answer an open objection: upheld or dismissed, with ``answer`` (required). City
    administrators. An upheld objection bars the award (the nomination can only be not
    awarded)."""
    raise NotImplementedError


def decide(
    nomination: Nomination, *, actor: Any, awarded: bool, note: str = "", version: int | None = None
) -> Nomination:
    """The city's final decision on a nomination on notice, after the notice ended
    (``notice_ends_on`` before today) and with no open objection: awarded (a certificate number,
    ``decided_at``; refused while an objection was upheld) or not awarded (``note``: the
    reason, required)."""
    raise NotImplementedError


def comment(nomination: Nomination, *, actor: Any, text: str) -> NominationNote:
    """A note on the nomination's timeline by someone who may change it (the unit, or a level it
    has reached), with the level it was written at."""
    raise NotImplementedError


def apply(
    nomination: Nomination, *, actor: Any, action: str, note: str = "", version: int | None = None
) -> Nomination:
    """Do ``action`` (one of ``ACTIONS``: submit, recommend, return, reject, withdraw, notice,
    award, not_award) to ``nomination``: the transitions API and the pages' buttons."""
    raise NotImplementedError


def available_actions(user: Any, nomination: Nomination) -> list[str]:
    """The ``ACTIONS`` ``user`` may do to ``nomination`` now (the pages' buttons; rules that
    need the database's state — the quota, the notice's end, open objections — are left to
    the services' refusals, except the notice's end and open objections for award/not_award)."""
    raise NotImplementedError


def may_edit(user: Any, nomination: Nomination) -> bool:
    """Whether ``user`` may edit ``nomination`` and its files (a draft or returned, "nominate")."""
    raise NotImplementedError


def may_object(user: Any, nomination: Nomination) -> bool:
    """Whether ``user`` may record (and answer) objections to ``nomination`` (on notice; the
    city)."""
    raise NotImplementedError


def level_of(organisation: Any) -> Any:
    """The organisation a nomination of ``organisation`` goes to when submitted or recommended
    from it: its parent (``None`` at the root)."""
    raise NotImplementedError
