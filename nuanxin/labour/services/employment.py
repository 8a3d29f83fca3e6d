"""Employment help for frontline staff's family members (measure 5 of notice 001: "give
priority help with the employment of frontline staff's family members").

- Partner employers (``PartnerEmployer``) and their job leads (``JobLead``): a directory kept by
  the labour-rights officers and administrators of an organisation.
- Employment cases (``EmploymentCase``): cases (nuanxin/cases) on ``EMPLOYMENT_LIFECYCLE``:
  seeking → referred → employed, or closed without a job. A care contact may open one (the
  "refer" action) for a family assigned to them; labour officers and administrators own and
  move it. This module checks the case's own fields; opening, moving, noting and updating are
  the cases app's services.
- Referrals (``Referral``): the seeker referred to a lead (once per lead and case), with the
  outcome; an "employed" outcome moves the case to employed with the employer's name.
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.cases import services as cases
from nuanxin.cases.lifecycle import Urgency
from nuanxin.core import audit, plaintext, roles, versioning
from nuanxin.core.errors import ServiceError
from nuanxin.core.policy import SYSTEM
from nuanxin.labour.choices import EmploymentStatus, ReferralOutcome
from nuanxin.labour.models import EmploymentCase, EmploymentCaseNote, JobLead, PartnerEmployer, Referral
from nuanxin.labour.selectors import employment as selectors
from nuanxin.registry import normalise
from nuanxin.registry.models import FamilyMember, Worker

TEXT_LIMIT = 2000  # characters of skills, wishes, requirements, notes


# --- checks ------------------------------------------------------------------------------------


def _line(value, *, field: str, label, limit: int, required: object = None) -> str:
    value = plaintext.line(value, field=field, label=label)
    if required is not None and not value:
        raise ServiceError(str(required), field=field)
    if len(value) > limit:
        raise ServiceError(
            _("%(field)s: at most %(limit)d characters, now %(length)d.")
            % {"field": label, "limit": limit, "length": len(value)},
            field=field,
        )
    return value


def _text(value, *, field: str, label) -> str:
    value = plaintext.notes(value, field=field, label=label)
    if len(value) > TEXT_LIMIT:
        raise ServiceError(
            _("%(field)s: at most %(limit)d characters, now %(length)d.")
            % {"field": label, "limit": TEXT_LIMIT, "length": len(value)},
            field=field,
        )
    return value


def _mobile(value) -> str:
    try:
        return normalise.phone(value or "")
    except normalise.InvalidValue as exc:
        raise ServiceError(exc.message, field="contact_mobile") from None


def _openings(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 999:
        raise ServiceError(_("The openings must be a whole number from 1 to 999."), field="openings")
    return value


def _save(obj, actor, fields=None) -> None:
    obj._history_user = cases.user_of(actor)
    if fields is None:
        obj.save()
    else:
        obj.save(update_fields=fields)


# --- partner employers and job leads -------------------------------------------------------


def _employer_fields(name, contact_name, contact_mobile, area) -> dict:
    return {
        "name": _line(name, field="name", label=_("Name"), limit=100, required=_("Name the employer.")),
        "contact_name": _line(contact_name, field="contact_name", label=_("Contact person"), limit=50),
        "contact_mobile": _mobile(contact_mobile),
        "area": _line(area, field="area", label=_("Area"), limit=100),
    }


@transaction.atomic
def create_employer(
    *, actor, organisation, name: str, contact_name: str = "", contact_mobile: str = "", area: str = ""
) -> PartnerEmployer:
    """Add a partner employer to ``organisation``'s directory (labour officers and
    administrators of it or above)."""
    PartnerEmployer.policy.require_in(actor, "change", organisation)
    fields = _employer_fields(name, contact_name, contact_mobile, area)
    if PartnerEmployer.objects.filter(organisation=organisation, name=fields["name"]).exists():
        raise ServiceError(_("This organisation already has a partner employer of this name."), field="name")
    employer = PartnerEmployer(organisation=organisation, **fields)
    _save(employer, actor)
    audit.record(
        actor, "labour.employer.create", obj=employer, organisation=organisation, detail={"name": employer.name}
    )
    return employer


@transaction.atomic
def update_employer(
    *,
    actor,
    employer: PartnerEmployer,
    name: str,
    contact_name: str = "",
    contact_mobile: str = "",
    area: str = "",
    active: bool = True,
    version: int | None = None,
) -> PartnerEmployer:
    """Change a partner employer's details, or set it inactive (its leads are then no longer
    offered). ``version``: the version the form showed (``Conflict`` if changed since)."""
    employer = PartnerEmployer.objects.select_for_update().select_related("organisation").get(pk=employer.pk)
    PartnerEmployer.policy.require(actor, "change", employer)
    versioning.check_version(employer, version)
    fields = {**_employer_fields(name, contact_name, contact_mobile, area), "active": bool(active)}
    if (
        PartnerEmployer.objects.filter(organisation=employer.organisation_id, name=fields["name"])
        .exclude(pk=employer.pk)
        .exists()
    ):
        raise ServiceError(_("This organisation already has a partner employer of this name."), field="name")
    changed = [k for k, v in fields.items() if getattr(employer, k) != v]
    if not changed:
        return employer
    for key in changed:
        setattr(employer, key, fields[key])
    _save(employer, actor, [*changed, versioning.bump(employer)])
    audit.record(
        actor,
        "labour.employer.update",
        obj=employer,
        organisation=employer.organisation,
        detail={"changed": changed},
    )
    return employer


def _lead_fields(title, area, requirements, pay, openings, open_until) -> dict:
    if open_until is not None and not isinstance(open_until, date):
        raise ServiceError(_("Enter a valid date."), field="open_until")
    return {
        "title": _line(title, field="title", label=_("Job"), limit=100, required=_("Name the job.")),
        "area": _line(area, field="area", label=_("Area"), limit=100),
        "requirements": _text(requirements, field="requirements", label=_("Requirements")),
        "pay": _line(pay, field="pay", label=_("Pay"), limit=50),
        "openings": _openings(openings),
        "open_until": open_until,
    }


@transaction.atomic
def add_lead(
    *,
    actor,
    employer: PartnerEmployer,
    title: str,
    area: str = "",
    requirements: str = "",
    pay: str = "",
    openings: int = 1,
    open_until: date | None = None,
) -> JobLead:
    """Add a job lead of a partner employer. A lead closing before today would never be
    offered: refused."""
    employer = PartnerEmployer.objects.select_related("organisation").get(pk=employer.pk)
    PartnerEmployer.policy.require(actor, "change", employer)
    fields = _lead_fields(title, area, requirements, pay, openings, open_until)
    if open_until is not None and open_until < timezone.localdate():
        raise ServiceError(_("The lead cannot close before today."), field="open_until")
    if not employer.active:
        raise ServiceError(_("This employer is inactive: make it active before adding leads."))
    lead = JobLead(employer=employer, **fields)
    _save(lead, actor)
    audit.record(
        actor,
        "labour.lead.create",
        obj=lead,
        organisation=employer.organisation,
        detail={"employer": employer.pk, "openings": lead.openings},
    )
    return lead


@transaction.atomic
def update_lead(
    *,
    actor,
    lead: JobLead,
    title: str,
    area: str = "",
    requirements: str = "",
    pay: str = "",
    openings: int = 1,
    open_until: date | None = None,
    version: int | None = None,
) -> JobLead:
    """Change a job lead (e.g. fewer openings, an earlier closing date to close it now)."""
    lead = JobLead.objects.select_for_update().select_related("employer__organisation").get(pk=lead.pk)
    JobLead.policy.require(actor, "change", lead)
    versioning.check_version(lead, version)
    fields = _lead_fields(title, area, requirements, pay, openings, open_until)
    changed = [k for k, v in fields.items() if getattr(lead, k) != v]
    if not changed:
        return lead
    for key in changed:
        setattr(lead, key, fields[key])
    _save(lead, actor, [*changed, versioning.bump(lead)])
    audit.record(
        actor,
        "labour.lead.update",
        obj=lead,
        organisation=lead.employer.organisation,
        detail={"changed": changed},
    )
    return lead


# --- employment cases ----------------------------------------------------------------------


def _seeker(worker: Worker, family_member: FamilyMember | None, seeker_name: str) -> tuple[FamilyMember | None, str]:
    if family_member is not None:
        if family_member.worker_id != worker.pk:
            raise ServiceError(_("Choose a family member of this worker."), field="family_member")
        return family_member, family_member.name
    name = _line(
        seeker_name,
        field="seeker_name",
        label=_("Seeker"),
        limit=50,
        required=_("Choose the family member seeking work, or write their name."),
    )
    return None, name


def _default_owner(worker: Worker):
    """A labour-rights officer (else an administrator) nearest the worker's unit who may own the
    case: the first holder of the "own" action there."""
    candidates = list(cases.owner_candidates(EmploymentCase, worker.organisation).order_by("pk"))
    for user in candidates:
        if any(g.role == roles.Role.LABOUR_OFFICER for g in user.grants.all()):
            return user
    return candidates[0] if candidates else None


@transaction.atomic
def open_employment(
    *,
    actor,
    worker: Worker,
    family_member: FamilyMember | None = None,
    seeker_name: str = "",
    skills: str = "",
    wishes: str = "",
    area: str = "",
    urgency: str = Urgency.NORMAL,
    visit=None,
    difficulty=None,
) -> EmploymentCase:
    """Open employment help for a worker's family member (picked from the register, or a name).
    A care contact opens it for a family assigned to them (it is referred to the unit's
    labour-rights officer, who owns it); a labour officer or administrator owns what they open
    unless an officer of the unit exists. ``visit`` / ``difficulty``: where the need was seen
    (of the same family)."""
    worker = Worker.objects.select_related("organisation").get(pk=worker.pk)
    family_member, name = _seeker(worker, family_member, seeker_name)
    for source, field in ((visit, "visit"), (difficulty, "difficulty")):
        if source is not None and source.worker_id != worker.pk:
            raise ServiceError(_("The visit or difficulty is of another family."), field=field)
    fields = {
        "family_member": family_member,
        "seeker_name": name,
        "skills": _text(skills, field="skills", label=_("Skills and experience")),
        "wishes": _text(wishes, field="wishes", label=_("Work wished for")),
        "area": _line(area, field="area", label=_("Area"), limit=100),
        "visit": visit,
        "difficulty": difficulty,
    }
    actor_user = cases.user_of(actor)
    default_owner = None
    if actor_user is None or not EmploymentCase.policy.may(actor_user, "own"):
        default_owner = _default_owner(worker)
    return cases.open(
        EmploymentCase,
        actor=actor,
        worker=worker,
        fields=fields,
        urgency=urgency,
        default_owner=default_owner,
        detail={
            "worker": worker.pk,
            "family_member": family_member.pk if family_member else None,
            "visit": visit.pk if visit else None,
            "difficulty": difficulty.pk if difficulty else None,
        },
    )


def update_employment(
    *,
    actor,
    case: EmploymentCase,
    skills: str | None = None,
    wishes: str | None = None,
    area: str | None = None,
    urgency: str | None = None,
    owner=None,
    version: int | None = None,
) -> EmploymentCase:
    """Change the seeker's skills, wishes or area, the urgency or the owner."""
    fields = {
        "skills": None if skills is None else _text(skills, field="skills", label=_("Skills and experience")),
        "wishes": None if wishes is None else _text(wishes, field="wishes", label=_("Work wished for")),
        "area": None if area is None else _line(area, field="area", label=_("Area"), limit=100),
    }
    return cases.update(case, actor=actor, fields=fields, urgency=urgency, owner=owner, version=version)


def change_employment_status(
    *, actor, case: EmploymentCase, to: str, note: str = "", version: int | None = None
) -> EmploymentCase:
    """Move the case: back to seeking, closed without a job, or reopened (with a reason).
    Employed is recorded through a referral's outcome (``record_outcome``), which names the
    employer."""
    if to == EmploymentStatus.EMPLOYED:
        raise ServiceError(_("Record the job through the referral to the employer that took them on."), field="to")
    with transaction.atomic():
        was = EmploymentCase.objects.filter(pk=case.pk).values_list("status", flat=True).first()
        case = cases.transition(case, actor=actor, to=to, note=note, version=version)
        if was == EmploymentStatus.EMPLOYED and case.employer_name:  # reopened: the job is over
            EmploymentCase.objects.filter(pk=case.pk).update(employer_name="")
            case.employer_name = ""
        return case


def add_employment_note(*, actor, case: EmploymentCase, text: str) -> EmploymentCaseNote:
    """Add a note to the case's timeline."""
    return cases.note(case, actor=actor, text=text)  # type: ignore[return-value]


# --- referrals -----------------------------------------------------------------------------


@transaction.atomic
def refer(*, actor, case: EmploymentCase, lead: JobLead, referred_on: date | None = None, notes: str = "") -> Referral:
    """Refer the seeker to a job lead offered for this case (a lead of the case unit's
    organisation or one above, open, of an active employer), once per lead. A seeking case
    becomes referred."""
    case = EmploymentCase.objects.select_for_update().select_related("worker__organisation").get(pk=case.pk)
    Referral.policy.require(actor, "change", Referral(case=case))
    if not case.is_active:
        raise ServiceError(_("This case is not active: reopen it before referring the seeker."))
    if not selectors.offered_leads(case).filter(pk=lead.pk).exists():
        raise ServiceError(_("This lead is not open to this case."), field="lead")
    today = timezone.localdate()
    referred_on = referred_on or today
    if referred_on > today:
        raise ServiceError(_("The referral date cannot be in the future."), field="referred_on")
    notes = _text(notes, field="notes", label=_("Notes"))
    if Referral.objects.filter(case=case, lead=lead).exists():
        raise ServiceError(_("The seeker is already referred to this lead."), field="lead")
    referral = Referral(case=case, lead=lead, referred_on=referred_on, notes=notes, created_by=cases.user_of(actor))
    try:
        with transaction.atomic():
            _save(referral, actor)
    except IntegrityError:
        raise ServiceError(_("The seeker is already referred to this lead."), field="lead") from None
    lead = JobLead.objects.select_related("employer").get(pk=lead.pk)
    text = _("Referred to %(job)s at %(employer)s.") % {"job": lead.title, "employer": lead.employer.name}
    if case.status == EmploymentStatus.SEEKING:
        cases.transition(case, actor=actor, to=EmploymentStatus.REFERRED, note=text)
    else:
        cases.note(case, actor=actor, text=text)
    audit.record(
        actor,
        "labour.referral.create",
        obj=referral,
        organisation=case.organisation,
        detail={"case": case.pk, "lead": lead.pk, "employer": lead.employer_id},
    )
    return referral


def _outcome_text(outcome: str, lead: JobLead) -> str:
    texts = {
        ReferralOutcome.INTERVIEW: _("Invited to an interview for %(job)s at %(employer)s."),
        ReferralOutcome.EMPLOYED: _("Employed as %(job)s at %(employer)s."),
        ReferralOutcome.NOT_EMPLOYED: _("Not employed as %(job)s at %(employer)s."),
        ReferralOutcome.PENDING: _("Waiting again for %(employer)s (%(job)s)."),
    }
    return texts[ReferralOutcome(outcome)] % {"job": lead.title, "employer": lead.employer.name}


@transaction.atomic
def record_outcome(
    *,
    actor,
    referral: Referral,
    outcome: str,
    outcome_on: date | None = None,
    notes: str | None = None,
    version: int | None = None,
) -> Referral:
    """Record what came of a referral, with its date (today unless given; not before the
    referral, not in the future). "Employed" moves the case to employed with the employer's
    name; when no referral of a referred case is still open (waiting or interview) after a
    "not employed", the case goes back to seeking."""
    referral = (
        Referral.objects.select_for_update()
        .select_related("case__worker__organisation", "lead__employer")
        .get(pk=referral.pk)
    )
    Referral.policy.require(actor, "change", referral)
    versioning.check_version(referral, version)
    if outcome not in ReferralOutcome.values:
        raise ServiceError(_("Unknown outcome."), field="outcome")
    if outcome == referral.outcome:
        raise ServiceError(_("The referral already has this outcome."), field="outcome")
    case = referral.case
    if outcome == ReferralOutcome.EMPLOYED and case.status not in (EmploymentStatus.SEEKING, EmploymentStatus.REFERRED):
        raise ServiceError(
            _("The case is “%(status)s”: reopen it before recording a job.") % {"status": case.get_status_display()},
            field="outcome",
        )
    today = timezone.localdate()
    on = outcome_on or today
    if on > today:
        raise ServiceError(_("The outcome date cannot be in the future."), field="outcome_on")
    if on < referral.referred_on:
        raise ServiceError(
            _("The outcome date cannot be before the referral (%(date)s).")
            % {"date": referral.referred_on.isoformat()},
            field="outcome_on",
        )
    before = referral.outcome
    referral.outcome = outcome
    referral.outcome_on = None if outcome == ReferralOutcome.PENDING else on
    changed = ["outcome", "outcome_on"]
    if notes is not None:
        referral.notes = _text(notes, field="notes", label=_("Notes"))
        changed.append("notes")
    _save(referral, actor, [*changed, versioning.bump(referral)])
    text = _outcome_text(outcome, referral.lead)
    if outcome == ReferralOutcome.EMPLOYED:
        EmploymentCase.objects.filter(pk=case.pk).update(employer_name=referral.lead.employer.name)
        case.employer_name = referral.lead.employer.name
        cases.transition(case, actor=actor, to=EmploymentStatus.EMPLOYED, note=text)
    elif (
        outcome == ReferralOutcome.NOT_EMPLOYED
        and case.status == EmploymentStatus.REFERRED
        and not case.referrals.filter(outcome__in=[ReferralOutcome.PENDING, ReferralOutcome.INTERVIEW]).exists()
    ):
        cases.transition(case, actor=actor, to=EmploymentStatus.SEEKING, note=text)
    else:
        cases.note(case, actor=actor, text=text)
    audit.record(
        actor,
        "labour.referral.outcome",
        obj=referral,
        organisation=case.organisation,
        detail={
            "case": case.pk,
            "from": before,
            "to": outcome,
            "on": referral.outcome_on.isoformat() if referral.outcome_on else None,
        },
    )
    return referral


# --- overdue cases -------------------------------------------------------------------------


def _notify_overdue(case: EmploymentCase, level: int, organisation, users: list) -> int:
    """Tell the owner and the holders of the escalate action at ``organisation`` (no text
    message: the seeker's name stays behind the sign-in). Keyed by case, due date and level."""
    from nuanxin.notify.services import notify

    today = timezone.localdate()
    days = (today - case.due_on).days if case.due_on else 0
    occasion = f"{case.pk}:{case.due_on}:{level}"
    url = reverse("labour:employment_detail", kwargs={"pk": case.pk})
    sent = 0
    for user in [case.owner, *users]:
        if user is None:
            continue
        if notify(
            recipient=user,
            kind="labour.employment.overdue",
            occasion=occasion,
            texts=lambda: (
                _("Employment help overdue (%(days)d days): %(unit)s") % {"days": days, "unit": case.organisation},
                _("A family member is still seeking work; the case was due on %(due)s. Open it to follow it up.")
                % {"due": case.due_on.isoformat() if case.due_on else ""},
            ),
            url=url,
            email_text=(
                _("Employment help overdue (%(days)d days)") % {"days": days},
                _("A case of employment help is overdue. Please sign in to follow it up."),
            ),
        ):
            sent += 1
    return sent


def escalate_overdue_employment(*, actor=SYSTEM, today: date | None = None) -> int:
    """Escalate every overdue employment case (seeking or referred past its due date) up the
    tree, one level per overdue period, telling the owner and the labour officers and
    administrators there; each level once. Returns how many were escalated."""
    return cases.escalate_overdue(EmploymentCase, actor=actor, notify=_notify_overdue, today=today)
