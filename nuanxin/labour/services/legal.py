"""Legal-aid cases (法律援助): a labour dispute of a medical worker or a family member, a case
(nuanxin/cases) whose life cycle is ``choices.LEGAL_LIFECYCLE``: consultation → mediation →
arbitration → litigation → closed (with the outcome and the amount recovered); a closed case
can be reopened with a reason.

This module checks the case's own fields (whose dispute, kind, other party, facts, the day the
right was infringed, the lawyer, where it came from) and picks its default owner (a
labour-rights officer or administrator of the unit, or the nearest level above that has one);
opening, moving, noting, handing over and escalating are the cases app's services.

The arbitration time limit is one year from the day the right was infringed
(``models.ARBITRATION_LIMIT_DAYS``; ``legal_limits``): ``warn_time_limits`` (a daily job, in
``legal_notices`` with the referral notice and the escalation) tells the owner and the holders of
"escalate" 60, 30 and 7 days before and once when it has passed, each threshold once
(``limit_warned_for``), while the case has not reached arbitration."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from nuanxin.cases import services as cases
from nuanxin.cases.lifecycle import NoteKind, Urgency
from nuanxin.core import attachments, audit, plaintext, versioning
from nuanxin.core.attachments import MB, AttachmentRefused
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.models import Attachment
from nuanxin.core.roles import Role
from nuanxin.labour.choices import Claimant, DisputeKind, LegalOutcome, LegalStatus
from nuanxin.labour.models import ARBITRATION_LIMIT_DAYS, Lawyer, LegalCase, LegalCaseNote
from nuanxin.labour.services import lawyers as lawyer_services
from nuanxin.labour.services import legal_notices
from nuanxin.labour.services.legal_limits import (  # noqa: F401 (the limit's names, read here by pages and jobs)
    BEFORE_ARBITRATION,
    LIMIT_WARNINGS,
    NEAR_DAYS,
    PASSED,
    Limit,
    limit_of,
    threshold_for,
)
from nuanxin.labour.services.legal_notices import (  # noqa: F401 (the jobs' entry points)
    escalate_overdue_legal_cases,
    warn_time_limits,
)
from nuanxin.registry.models import FamilyMember, Worker

OTHER_PARTY_MAX = 100
FACTS_MAX = 5000
AMOUNT_MAX = Decimal("9999999999.99")

DOCUMENT_KINDS = attachments.DOCUMENTS  # PDF, PNG, JPEG, WebP
DOCUMENT_MAX_BYTES = 20 * MB
DOCUMENTS_AT_ONCE = 10


# --- checks ------------------------------------------------------------------------------------


def _kind(kind: Any) -> str:
    if kind not in DisputeKind.values:
        raise ServiceError(_("Choose the kind of dispute."), field="kind")
    return str(kind)


def _other_party(value: Any) -> str:
    text = plaintext.line(value, field="other_party", label=_("Other party"))
    if not text:
        raise ServiceError(_("Name the other party (usually the employer)."), field="other_party")
    if len(text) > OTHER_PARTY_MAX:
        raise ServiceError(
            _("The other party must be at most %(n)d characters.") % {"n": OTHER_PARTY_MAX}, field="other_party"
        )
    return text


def _facts(value: Any) -> str:
    text = plaintext.notes(value, field="facts", label=_("Facts"))
    if not text:
        raise ServiceError(_("Describe the facts of the dispute."), field="facts")
    if len(text) > FACTS_MAX:
        raise ServiceError(_("The facts must be at most %(n)d characters.") % {"n": FACTS_MAX}, field="facts")
    return text


def _infringed_on(value: Any) -> date:
    today = timezone.localdate()
    if not isinstance(value, date):
        raise ServiceError(_("Enter the day the right was infringed."), field="infringed_on")
    if value > today:
        raise ServiceError(
            _("The day the right was infringed cannot be after today (%(today)s).") % {"today": today.isoformat()},
            field="infringed_on",
        )
    if value.year < 1990:
        raise ServiceError(_("Enter a day from 1990 on."), field="infringed_on")
    return value


def _urgency(value: Any) -> str:
    if value not in Urgency.values:
        raise ServiceError(_("Unknown urgency."), field="urgency")
    return str(value)


def _claimant(worker: Worker, claimant: Any, family_member: FamilyMember | None) -> FamilyMember | None:
    if claimant not in Claimant.values:
        raise ServiceError(_("Say whose dispute it is."), field="claimant")
    if claimant == Claimant.WORKER:
        return None
    if family_member is None:
        raise ServiceError(_("Choose the family member whose dispute it is."), field="family_member")
    if family_member.worker_id != worker.pk:
        raise ServiceError(_("This person is not of the worker's family."), field="family_member")
    return family_member


def _source(worker: Worker, visit: Any, difficulty: Any) -> None:
    if visit is not None and visit.worker_id != worker.pk:
        raise ServiceError(_("The visit is not of this family."), field="visit")
    if difficulty is not None and difficulty.worker_id != worker.pk:
        raise ServiceError(_("The difficulty is not of this family."), field="difficulty")


def parse_amount(value: Any) -> Decimal:
    """The amount recovered: yuan with at most two decimals, from 0."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ServiceError(_("Enter the amount recovered (0 if none)."), field="amount_recovered")
    if isinstance(value, float):
        value = str(value)
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ServiceError(_("Enter the amount as a number of yuan."), field="amount_recovered") from None
    if not amount.is_finite() or amount < 0 or amount > AMOUNT_MAX:
        raise ServiceError(
            _("The amount recovered must be from 0 to %(max)s yuan.") % {"max": f"{AMOUNT_MAX:,}"},
            field="amount_recovered",
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise ServiceError(_("The amount has at most two decimals (fen)."), field="amount_recovered")
    return amount.quantize(Decimal("0.01"))


def _may_change_new(actor: Any, worker: Worker) -> bool:
    """Whether ``actor`` may move (own, assign a lawyer to) a case of ``worker``'s family."""
    probe = LegalCase(worker=worker, organisation=worker.organisation, status=LegalStatus.CONSULTATION)
    return LegalCase.policy.allows(actor, "change", probe)


# --- the default owner ------------------------------------------------------------------------


def default_owner(actor: Any, worker: Worker) -> Any:
    """The one who follows a new case: the actor if they may own it, else the labour-rights
    officer nearest the worker's unit (at it or above), else its nearest administrator."""
    probe = LegalCase(worker=worker, organisation=worker.organisation, status=LegalStatus.CONSULTATION)
    if cases.may_own(cases.user_of(actor), probe):
        return cases.user_of(actor)
    # The green channel is the labour-rights officers' work: the nearest officer first (at the
    # unit or above), else the nearest administrator.
    policy = LegalCase.policy
    for org in lawyer_services.chain_of(worker.organisation):
        officer = policy.holders("own", org).filter(grants__role=Role.LABOUR_OFFICER).order_by("pk").first()
        if officer is not None:
            return officer
    _org, users = legal_notices.nearest_holders("own", worker.organisation)
    return users[0] if users else None


# --- opening -------------------------------------------------------------------------------------


@transaction.atomic
def open_legal_case(
    *,
    actor: Any,
    worker: Worker,
    kind: str,
    other_party: str,
    facts: str,
    infringed_on: date,
    claimant: str = Claimant.WORKER,
    family_member: FamilyMember | None = None,
    lawyer: Lawyer | None = None,
    urgency: str = Urgency.NORMAL,
    owner: Any = None,
    visit: Any = None,
    difficulty: Any = None,
) -> LegalCase:
    """Open a legal-aid case for ``worker``'s family (the worker's own dispute, or a family
    member's). A care contact may open (refer) one for a family assigned to them; the owner is
    then a labour-rights officer or administrator of the unit or above. Giving it a lawyer is for
    those who may move the case (officers, administrators): the lawyer must be active, of the
    unit or above, and below capacity. ``visit``/``difficulty``: the care work it came from."""
    worker = Worker.objects.select_related("organisation").get(pk=worker.pk)
    probe = LegalCase(worker=worker, organisation=worker.organisation, status=LegalStatus.CONSULTATION)
    if not LegalCase.policy.allows(actor, LegalCase.lifecycle.open_action, probe):
        raise NotAllowed(str(LegalCase.lifecycle.texts.may_not_open))
    fields: dict[str, Any] = {
        "claimant": claimant,
        "family_member": _claimant(worker, claimant, family_member),
        "kind": _kind(kind),
        "other_party": _other_party(other_party),
        "facts": _facts(facts),
        "infringed_on": _infringed_on(infringed_on),
        "visit": visit,
        "difficulty": difficulty,
    }
    _urgency(urgency)
    _source(worker, visit, difficulty)
    if lawyer is not None:
        if not _may_change_new(actor, worker):
            raise NotAllowed(_("Only a labour-rights officer or an administrator assigns the lawyer."))
        fields["lawyer"] = lawyer_services.check_free(lawyer, worker.organisation)
    # The case is due by the arbitration time limit at the latest: escalating an overdue case
    # after the right to arbitrate is lost helps no one.
    today = timezone.localdate()
    due_on = LegalCase.lifecycle.due_on(urgency, today)
    deadline = fields["infringed_on"] + timedelta(days=ARBITRATION_LIMIT_DAYS)
    if today <= deadline < due_on:
        due_on = deadline
    case = cases.open(
        LegalCase,
        actor=actor,
        worker=worker,
        fields=fields,
        urgency=urgency,
        due_on=due_on,
        owner=owner,
        default_owner=None if owner is not None else default_owner(actor, worker),
        detail={
            "worker": worker.pk,
            "kind": fields["kind"],
            "claimant": claimant,
            "lawyer": lawyer.pk if lawyer is not None else None,
            "infringed_on": fields["infringed_on"].isoformat(),
            "visit": getattr(visit, "pk", None),
            "difficulty": getattr(difficulty, "pk", None),
        },
    )
    if fields["infringed_on"] and limit_of(case).state == "passed":
        # Opened after the limit: no countdown to warn of; the page says it has passed.
        LegalCase.objects.filter(pk=case.pk).update(limit_warned_for=PASSED)
        case.limit_warned_for = PASSED
    legal_notices.tell_owner_of_referral(actor, case)
    return case


def change_legal_status(
    *,
    actor: Any,
    case: LegalCase,
    to: str,
    note: str = "",
    version: int | None = None,
    outcome: str | None = None,
    amount_recovered: Any = None,
) -> LegalCase:
    """Move a case to its next step (consultation → mediation → arbitration → litigation, any
    step may be skipped) or close it with its ``outcome`` and ``amount_recovered`` (yuan, from
    0); a closed case is reopened (to consultation) with a reason, which clears the outcome.
    Each step's date is stamped (``mediation_at``, …). ``version``: the version the page showed."""
    LegalCase.policy.require(actor, "change", case, str(LegalCase.lifecycle.texts.may_not_change))
    # Read again under the lock: the status, the lawyer and the outcome as they are now.
    case = (
        LegalCase.objects.select_for_update(of=("self",))
        .select_related("worker__organisation", "lawyer")
        .get(pk=case.pk)
    )
    closing = to == LegalStatus.CLOSED
    reopening = case.status == LegalStatus.CLOSED and to in LegalCase.lifecycle.active
    if closing:
        if outcome not in LegalOutcome.values:
            raise ServiceError(_("Choose the outcome of the case."), field="outcome")
        amount = parse_amount(amount_recovered)
    if reopening and case.lawyer_id is not None:
        lawyer_services.check_free(case.lawyer, case.worker.organisation, case=case)  # type: ignore[arg-type]
    before_outcome = case.outcome
    case = cases.transition(case, actor=actor, to=to, note=note, version=version)
    if closing:
        case.outcome = str(outcome)
        case.amount_recovered = amount
        case.save(update_fields=["outcome", "amount_recovered"])
        audit.record(
            actor,
            "labour.legal.outcome",
            obj=case,
            organisation=case.organisation,
            detail={"outcome": case.outcome, "amount_recovered": str(amount)},
        )
    elif reopening and (case.outcome or case.amount_recovered is not None):
        case.outcome = ""
        case.amount_recovered = None
        case.save(update_fields=["outcome", "amount_recovered"])
        audit.record(
            actor,
            "labour.legal.outcome",
            obj=case,
            organisation=case.organisation,
            detail={"outcome": "", "before": before_outcome},
        )
    return case


def add_legal_note(*, actor: Any, case: LegalCase, text: str) -> LegalCaseNote:
    """A note on the case's timeline (a call with the lawyer, a hearing's date)."""
    return cases.note(case, actor=actor, text=text)  # type: ignore[return-value]


@transaction.atomic
def update_legal_case(
    *,
    actor: Any,
    case: LegalCase,
    version: int | None,
    kind: str | None = None,
    other_party: str | None = None,
    facts: str | None = None,
    infringed_on: date | None = None,
    urgency: str | None = None,
    owner: Any = None,
) -> LegalCase:
    """Change the case's kind, other party, facts, the day the right was infringed (the
    warnings of the time limit start again from the new date), urgency or owner (handing it
    over: administrators and officers)."""
    LegalCase.policy.require(actor, "change", case, str(LegalCase.lifecycle.texts.may_not_change))
    fields = {
        "kind": _kind(kind) if kind is not None else None,
        "other_party": _other_party(other_party) if other_party is not None else None,
        "facts": _facts(facts) if facts is not None else None,
        "infringed_on": _infringed_on(infringed_on) if infringed_on is not None else None,
    }
    if urgency is not None:
        _urgency(urgency)
    moved_limit = infringed_on is not None and infringed_on != case.infringed_on
    case = cases.update(case, actor=actor, fields=fields, urgency=urgency, owner=owner, version=version)
    if moved_limit:
        warned = PASSED if limit_of(case).state == "passed" else None
        LegalCase.objects.filter(pk=case.pk).update(limit_warned_for=warned)
        case.limit_warned_for = warned
    return case


@transaction.atomic
def assign_lawyer(*, actor: Any, case: LegalCase, lawyer: Lawyer | None, version: int | None) -> LegalCase:
    """Give the case to ``lawyer`` (active, of the case's unit or above, below capacity) or take
    it from its lawyer (``None``). A timeline note and ``labour.legal.lawyer``."""
    LegalCase.policy.require(actor, "change", case, str(LegalCase.lifecycle.texts.may_not_change))
    locked = (
        LegalCase.objects.select_for_update(of=("self",))
        .select_related("worker__organisation", "lawyer")
        .get(pk=case.pk)
    )
    versioning.check_version(locked, version)
    before = locked.lawyer_id
    if lawyer is not None and lawyer.pk == before:
        return locked
    if lawyer is None and before is None:
        return locked
    if lawyer is not None:
        if locked.is_active:
            lawyer = lawyer_services.check_free(lawyer, locked.worker.organisation, case=locked)
        else:
            lawyer = Lawyer.objects.get(pk=lawyer.pk)
            if lawyer.organisation_id not in {o.pk for o in lawyer_services.chain_of(locked.worker.organisation)}:
                raise ServiceError(_("This lawyer does not serve the case's unit."), field="lawyer")
    locked.lawyer = lawyer
    locked._history_user = cases.user_of(actor)
    locked.save(update_fields=["lawyer", "updated_at", versioning.bump(locked)])
    cases.add_note(
        locked,
        actor,
        NoteKind.EDIT,
        _("Lawyer: %(name)s") % {"name": lawyer.name} if lawyer is not None else _("No lawyer any more"),
    )
    audit.record(
        actor,
        "labour.legal.lawyer",
        obj=locked,
        organisation=locked.organisation,
        detail={"lawyer": lawyer.pk if lawyer is not None else None, "before": before},
    )
    return locked


# --- documents ---------------------------------------------------------------------------------


@transaction.atomic
def add_documents(*, actor: Any, case: LegalCase, files: Sequence[Any]) -> list[Attachment]:
    """Attach documents (a contract, pay slips, an award: PDF or photos, checked by content,
    at most 20 MB each, 10 at once) to the case, kept privately and served only to those who may
    see the case. The first refused file refuses them all, naming it."""
    LegalCase.policy.require(actor, "change", case, str(LegalCase.lifecycle.texts.may_not_change))
    if not files:
        raise ServiceError(_("Choose at least one file."), field="documents")
    if len(files) > DOCUMENTS_AT_ONCE:
        raise ServiceError(
            ngettext("Attach at most %(n)d file at once.", "Attach at most %(n)d files at once.", DOCUMENTS_AT_ONCE)
            % {"n": DOCUMENTS_AT_ONCE},
            field="documents",
        )
    case = LegalCase.objects.select_related("worker__organisation").get(pk=case.pk)
    stored: list[Attachment] = []
    for upload in files:
        try:
            stored.append(
                attachments.store(
                    actor=actor, owner=case, uploaded_file=upload, kinds=DOCUMENT_KINDS, max_bytes=DOCUMENT_MAX_BYTES
                )
            )
        except AttachmentRefused as exc:
            for done in stored:  # the transaction rolls back their rows: drop their files too
                attachments.storage().delete(done.storage_name)
            name = attachments.clean_name(getattr(upload, "name", "") or "")
            raise AttachmentRefused(
                _("Document “%(name)s”: %(reason)s") % {"name": name, "reason": exc.message}, field="documents"
            ) from None
    cases.add_note(
        case,
        actor,
        NoteKind.NOTE,
        ngettext("%(n)d document attached.", "%(n)d documents attached.", len(stored)) % {"n": len(stored)},
    )
    audit.record(
        actor, "labour.legal.documents", obj=case, organisation=case.organisation, detail={"count": len(stored)}
    )
    return stored


def documents_of(case: LegalCase) -> list[Attachment]:
    """The case's documents, oldest first (the caller has resolved the case through its policy)."""
    return list(attachments.for_owner(case).order_by("created_at", "id"))


# --- jobs --------------------------------------------------------------------------------------


