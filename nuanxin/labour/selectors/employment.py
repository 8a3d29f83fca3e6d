"""What the employment pages and API read: the partner employers and leads in scope, the leads
offered to a case (the case unit's organisation and every level above: open ones first, those
matching the seeker's area or wishes first), the cases in scope and a family's cases."""

from __future__ import annotations

from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Value, When
from django.utils import timezone

from nuanxin.labour.choices import EmploymentStatus
from nuanxin.labour.models import EmploymentCase, EmploymentCaseNote, JobLead, PartnerEmployer, Referral
from nuanxin.orgs.models import Organisation


def employers(user) -> QuerySet[PartnerEmployer]:
    """The partner employers ``user`` may see, with the number of their open leads."""
    today = timezone.localdate()
    return (
        PartnerEmployer.objects.for_user(user, "view")
        .select_related("organisation")
        .annotate(
            open_leads=Count(
                "leads", filter=Q(leads__open_until__isnull=True) | Q(leads__open_until__gte=today), distinct=True
            )
        )
        .order_by("-active", "organisation__path", "name", "id")
    )


def leads_of(employer: PartnerEmployer) -> QuerySet[JobLead]:
    """An employer's leads, open ones first, with how many seekers were referred to each."""
    return (
        JobLead.objects.filter(employer=employer)
        .annotate(referred=Count("referrals"), is_open=_is_open())
        .order_by("-is_open", "-created_at", "id")
    )


def _is_open():
    today = timezone.localdate()
    return Case(
        When(Q(open_until__isnull=True) | Q(open_until__gte=today), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def chain(organisation: Organisation) -> list[Organisation]:
    """``organisation`` and every organisation above it."""
    return [*Organisation.objects.get_ancestors(organisation), organisation]


def _words(text: str) -> list[str]:
    """The words of a seeker's area or wishes to match leads by (split on spaces and commas)."""
    for sep in "，、,;；/\n\t":
        text = text.replace(sep, " ")
    return [w for w in text.split() if len(w) >= 2][:10]


def offered_leads(case: EmploymentCase) -> QuerySet[JobLead]:
    """The leads that may be offered to ``case``: of active employers of the case unit's
    organisation or any above it, still open (no closing date, or not before today), not yet
    referred for this case. Those matching the seeker's area or wishes come first, then the
    ones closing soonest."""
    today = timezone.localdate()
    orgs = [o.pk for o in chain(case.organisation)]
    qs = (
        JobLead.objects.filter(employer__organisation__in=orgs, employer__active=True)
        .filter(Q(open_until__isnull=True) | Q(open_until__gte=today))
        .select_related("employer__organisation")
    )
    match = Q(pk__in=[])
    for word in _words(case.area):
        match |= Q(area__icontains=word) | Q(employer__area__icontains=word)
    for word in _words(case.wishes):
        match |= Q(title__icontains=word) | Q(requirements__icontains=word)
    return qs.annotate(
        matches=Case(When(match, then=Value(True)), default=Value(False), output_field=BooleanField())
    ).order_by("-matches", F("open_until").asc(nulls_last=True), "title", "id")


def leads_to_offer(case: EmploymentCase) -> QuerySet[JobLead]:
    """``offered_leads`` without those the seeker is already referred to."""
    return offered_leads(case).exclude(referrals__case=case)


def cases_for(user, *, status: str = "", org: Organisation | None = None) -> QuerySet[EmploymentCase]:
    """The employment cases ``user`` may see: active first, then by due date."""
    qs = EmploymentCase.objects.for_user(user, "view").select_related("worker__organisation", "owner")
    if status:
        qs = qs.filter(status=status)
    if org is not None:
        qs = qs.filter(organisation__path__startswith=org.path)
    active = [EmploymentStatus.SEEKING, EmploymentStatus.REFERRED]
    return qs.annotate(
        nx_active=Case(When(status__in=active, then=Value(True)), default=Value(False), output_field=BooleanField())
    ).order_by("-nx_active", "due_on", "-created_at", "id")


def referrals_of(case: EmploymentCase) -> QuerySet[Referral]:
    return Referral.objects.filter(case=case).select_related("lead__employer").order_by("-referred_on", "-id")


def timeline(user, case: EmploymentCase) -> QuerySet[EmploymentCaseNote]:
    return EmploymentCaseNote.objects.for_user(user, "view").filter(case=case).select_related("author")


def family_cases(user, worker) -> QuerySet[EmploymentCase]:
    """A family's employment cases ``user`` may see (the care timeline)."""
    return EmploymentCase.objects.for_user(user, "view").filter(worker=worker).select_related("worker__organisation")
