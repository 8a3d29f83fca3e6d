"""Reads that only the care pages need (the shared reads are in ``selectors``): which
organisations a user may pick on a page, the difficulty list with the page's filters, who may
own a difficulty or be assigned a family, the rows of the assignment page with their current
care contact and the suggestion from the imported 工会联系人 name, and unassigned families
counted per unit.

Every function applies the user's scope itself (``for_user`` or ``scope_q``), and every list
is a fixed number of queries whatever its length.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from nuanxin.care import selectors, weeks
from nuanxin.care.choices import DifficultyCategory, DutyStatus
from nuanxin.care.models import Campaign, CareAssignment, Difficulty, UnassignedFamily, VisitDuty, WeekTotal
from nuanxin.care.selectors.overview import _name_key
from nuanxin.core import audit, roles, treelabels
from nuanxin.core.policy import is_system
from nuanxin.orgs import scope
from nuanxin.orgs.models import Organisation
from nuanxin.registry.models import Worker

ADMIN_ROLES = roles.REGISTER_CHANGE  # city_admin, org_admin
REPORT_ROLES = roles.CARE_REPORT  # admins and viewers: aggregates
OWNER_ROLES = roles.CASE_OWNERS


# --- organisations a page offers ------------------------------------------------------------


def scope_organisations(user, roles) -> list[Organisation]:
    """The organisations inside the user's grants for ``roles``, in tree order."""
    q = scope.scope_q(user, roles, "path")
    if q is None:
        return []
    return list(Organisation.objects.filter(q).order_by("path"))


def scope_root(user, roles) -> Organisation | None:
    """The organisation a page shows by default (``orgs.scope.common_root``)."""
    return scope.common_root(user, roles)


@dataclass
class OrgPicker:
    """The organisation select of a page: the default (root of the scope), the organisations
    offered (a queryset for the one picker, ``core.forms.OrganisationField``) and the choices
    (code, indented name) as that picker labels them."""

    selected: Organisation | None
    root: Organisation | None
    choices: list[tuple[str, str]]
    organisations: QuerySet


def org_picker(user, roles, code: str | None) -> OrgPicker:
    """The organisations the user may pick (their scope, plus the common ancestor when the
    grants are scattered) and the one chosen by ``code`` (default: the root). An unknown or
    out-of-scope code falls back to the root: the page stays inside the scope."""
    orgs = scope_organisations(user, roles)
    root = scope_root(user, roles)
    if root is not None and all(o.pk != root.pk for o in orgs):
        orgs = [root, *orgs]
    # indented under the organisations shown, not by depth (core/treelabels.py)
    choices = [(o.code, label) for o, label in treelabels.labelled(orgs)]
    selected = next((o for o in orgs if code and o.code == code), root)
    organisations = Organisation.objects.filter(pk__in=[o.pk for o in orgs])
    return OrgPicker(selected=selected, root=root, choices=choices, organisations=organisations)


# --- campaigns and weeks --------------------------------------------------------------------


def campaigns() -> list[Campaign]:
    return list(Campaign.objects.order_by("-starts_on", "-pk"))


ID_MAX = 2**63 - 1  # the largest id a database column holds (PostgreSQL bigint)


def parse_id(value) -> int | None:
    """An id a page was sent (``"12"``), or None for anything else: not ASCII digits (``"²"`` and
    ``"１２"`` pass ``str.isdigit`` but are no id), 0, or too large for the database (SQLite
    raises OverflowError on such a number instead of finding nothing)."""
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 1 <= number <= ID_MAX else None


def pick_campaign(all_campaigns: list[Campaign], value: str | None, today: date | None = None) -> Campaign | None:
    """The campaign chosen by id, else the current one (``selectors.current_campaign``)."""
    chosen_id = parse_id(value)
    if chosen_id is not None:
        chosen = next((c for c in all_campaigns if c.pk == chosen_id), None)
        if chosen is not None:
            return chosen
    return selectors.current_campaign(today)


def pick_week(value: str | None) -> date:
    """The Monday of the week in ``value`` (``2020-W05`` or a date), else this week."""
    try:
        return weeks.parse(value) if value else weeks.current_week()
    except ValueError:
        return weeks.current_week()


def last_ended_week(week: date) -> date:
    """``week`` if it has ended, else the week before it (missed duties exist only for weeks
    that have ended)."""
    this_week = weeks.current_week()
    return week if week < this_week else this_week - weeks.WEEK


# --- the pages' reads in one place (the views and bench/care_scale.py call these) ------------

LIST_ROWS = 50  # rows of the lists on the overview (the rest is counted)


def my_week_rows(user, week: date) -> tuple[list, list]:
    """A care contact's duties of ``week`` (``selectors.my_week``) and the other families
    assigned to them (no duty that week), both evaluated."""
    rows = list(selectors.my_week(user, week))
    others = list(selectors.my_families(user).exclude(pk__in=[r.worker_id for r in rows]))
    return rows, others


def overview_reads(user, org: Organisation, week: date, campaign: Campaign | None, *, by: str, people: bool) -> dict:
    """Everything the overview page reads for ``org`` and ``week``: open difficulties by age
    and category, and with a campaign the duty counts per sub-organisation (or unit); for
    admins (``people``) also the missed duties of the last ended week and the unassigned
    families, and for a unit the duties still due this week: the first ``LIST_ROWS`` of
    each and their counts."""
    summary = selectors.difficulty_summary(user, org)
    for row in summary["rows"]:
        row["ages"] = [row[key] for key in summary["buckets"]]
    result: dict = {"difficulties": summary}
    if campaign is None:
        return result
    result["overview"] = selectors.week_overview(user, org, week, campaign, by=by)
    if people:
        missed_week = last_ended_week(week)
        missed_qs = selectors.missed_duties(user, org, missed_week, campaign)
        by_unit = _missed_by_unit(user, org, missed_week, campaign)
        if by_unit is None:
            missed, missed_count = _first_rows(missed_qs)
        else:
            missed, missed_count = _first_rows_by_unit(missed_qs, by_unit[0], by_unit[1])
        unassigned_qs = selectors.unassigned_families(user, org, campaign)
        unassigned_units = _unassigned_by_unit(user, org, campaign)
        if unassigned_units is None:
            unassigned, unassigned_count = _first_rows(unassigned_qs)
        else:
            unassigned, unassigned_count = _first_rows_by_unit(unassigned_qs, unassigned_units)
        result.update(
            missed_week_label=weeks.label(missed_week),
            missed=missed,
            missed_count=missed_count,
            unassigned=unassigned,
            unassigned_count=unassigned_count,
            due=None,
        )
        if not org.numchild:
            # The families still to visit this week, for one unit: above it the table's
            # counts per unit say where to look (sorting a district's thousands of due
            # duties by name would dominate the page).
            due, due_count = _first_rows(
                selectors.duties(user, org=org, week=week, status=DutyStatus.DUE, campaign=campaign)
            )
            result.update(due=due, due_count=due_count)
    return result


def _plain_reach(policy, user, action: str):
    """``policy``'s rule of ``action`` for ``user`` over an organisation path, when it is a set
    of subtrees (``Q``, or ``False`` for nowhere); ``None`` when a role of the user's reaches
    only related rows (a care contact's families): then only the rows themselves can tell."""
    if is_system(user):
        return Q()
    narrowed = policy.roles(action) & set(policy.related)
    if narrowed and scope.scope_paths(user, narrowed):
        return None
    reach = policy.reach_q(user, action, "organisation__path")
    return False if reach is None else reach


def _missed_by_unit(user, org: Organisation, week: date, campaign: Campaign) -> tuple[list, int] | None:
    """The units of ``org``'s subtree inside the user's scope for viewing duties with missed
    duties in ``week``, in the missed list's order (by unit code) with their number, and the
    number in all, from the weekly totals; None for a scope the totals cannot follow."""
    reach = _plain_reach(VisitDuty.policy, user, "view")
    if reach is None:
        return None
    if reach is False:
        return [], 0
    rows = list(
        WeekTotal.objects.filter(campaign=campaign, week=week, organisation__path__startswith=org.path, missed__gt=0)
        .filter(reach)
        .values("organisation_id", "organisation__code")
        .annotate(n=Sum("missed"))
        .order_by("organisation__code")
        .values_list("organisation_id", "n")
    )
    return rows, sum(n for _unit, n in rows)


def _unassigned_by_unit(user, org: Organisation, campaign: Campaign) -> list[tuple[int, int]] | None:
    """The units of ``org``'s subtree inside the user's scope for changing the register with
    unassigned-family rows, in the list's order (by path) with their number of rows; None for
    a scope the rows cannot follow."""
    reach = _plain_reach(Worker.policy, user, "change")
    if reach is None:
        return None
    if reach is False:
        return []
    rows = (
        UnassignedFamily.objects.filter(campaign=campaign, organisation__path__startswith=org.path)
        .filter(reach)
        .values("organisation_id", "organisation__path")
        .annotate(n=Count("pk"))
        .order_by("organisation__path")
    )
    return [(r["organisation_id"], r["n"]) for r in rows]


def _first_rows_by_unit(qs, by_unit: list, count: int | None = None) -> tuple[list, int]:
    """``_first_rows`` of a list ordered by unit first, read from the first units only: the
    units (in the list's order, with how many rows each holds, ``by_unit``) are taken until
    they hold ``LIST_ROWS`` rows, and the list is read for those units alone (more units when
    the list's own rule or scope left fewer rows). So a city's list sorts the rows of a unit
    or two, not every missed family of the city; the rows are the same as the whole list's
    first. ``count``: the list's length when known (weekly totals), else counted as
    ``_first_rows`` does."""
    rows: list = []
    taken = 0
    while taken < len(by_unit) and len(rows) < LIST_ROWS:
        chosen, expected = [], 0
        while taken < len(by_unit) and expected < LIST_ROWS - len(rows):
            chosen.append(by_unit[taken][0])
            expected += by_unit[taken][1]
            taken += 1
        rows += list(qs.filter(organisation_id__in=chosen)[: LIST_ROWS - len(rows)])
    if count is None:
        count = len(rows) if len(rows) < LIST_ROWS else qs.count()
    return rows, count


def _first_rows(qs) -> tuple[list, int]:
    """The first ``LIST_ROWS`` of ``qs`` and how many there are in all; counted by the
    database only when the first rows do not already tell (the usual case on a good week:
    a short list, and no second pass over the subtree)."""
    rows = list(qs[:LIST_ROWS])
    return rows, len(rows) if len(rows) < LIST_ROWS else qs.count()


# --- difficulties ---------------------------------------------------------------------------


def difficulty_list(
    user,
    *,
    org: Organisation | None = None,
    status: str | None = None,
    category: str | None = None,
    urgency: str | None = None,
    overdue: bool = False,
):
    """The difficulty list of the page: ``selectors.difficulties`` plus the urgency filter,
    with the care contact of the family prefetched."""
    qs = selectors.difficulties(user, org, status=status, category=category, overdue=overdue)
    if urgency:
        qs = qs.filter(urgency=urgency)
    return qs


def owner_candidates(worker: Worker) -> list:
    """Active users who may own a difficulty of ``worker``'s family (the holders of its
    policy's "own" action over the worker's unit: admins and care contacts whose grants cover
    it), by name. One query."""
    from nuanxin.cases import services as cases

    return list(cases.owner_candidates(Difficulty, worker.organisation).order_by("full_name", "username"))


def allowed_transitions(user, difficulty: Difficulty) -> list[str]:
    """The statuses the user may move the difficulty to, in the life cycle's order (closing is
    for admins)."""
    from nuanxin.cases import services as cases

    return cases.allowed_targets(user, difficulty)


# --- assignments ----------------------------------------------------------------------------


def assignable_contacts(user) -> list:
    """Active care contacts the user could assign families to: their care-contact grant lies
    inside the user's admin scope, or above it (a contact for a whole district serves its
    units): the holders of the assignment policy's "contact" over the organisations of that
    scope or below them. The service still checks each family against the contact's grants."""
    paths = scope.scope_paths(user, ADMIN_ROLES)
    if not paths:
        return []
    organisations = Organisation.objects.filter(path__in=paths)
    holders = CareAssignment.policy.holders_by_unit("contact", organisations, below=True)
    users = {u.pk: u for found in holders.values() for u in found}
    return sorted(users.values(), key=lambda u: (u.full_name, u.username))


def current_assignment_prefetch(campaign: Campaign | None) -> Prefetch:
    qs = CareAssignment.objects.current().select_related("contact")
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return Prefetch("care_assignments", queryset=qs.order_by("-started_at", "pk"), to_attr="current_assignments")


def assignment_workers(user, campaign: Campaign | None, *, unassigned: bool = False):
    """Workers an admin may assign (``for_user(user, "change")``) with their current
    assignment in ``campaign`` prefetched as ``current_assignments``. With ``unassigned``,
    only families the campaign visits (a team with a cadence) that have no care contact."""
    qs = Worker.objects.for_user(user, "change").select_related("organisation")
    if unassigned and campaign is not None:
        qs = selectors.unassigned(qs, campaign)
    return qs.prefetch_related(current_assignment_prefetch(campaign))


def unassigned_counts(user, campaign: Campaign | None) -> list[dict]:
    """Families without a care contact in ``campaign`` per unit of the user's admin scope:
    ``[{"organisation": Organisation, "count": n}]`` in tree order. One aggregate query plus
    the organisations."""
    if campaign is None:
        return []
    rows = list(
        selectors.unassigned(Worker.objects.for_user(user, "change"), campaign)
        .values("organisation_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    orgs = Organisation.objects.in_bulk([r["organisation_id"] for r in rows])
    result = [{"organisation": orgs[r["organisation_id"]], "count": r["n"]} for r in rows]
    return sorted(result, key=lambda r: r["organisation"].path)


def suggestions(workers: list[Worker]) -> dict[int, list]:
    """The care contacts whose name matches each worker's imported 工会联系人 name and whose
    care-contact grant covers the worker's unit: ``{worker_id: [user, ...]}`` for workers
    with a hint. The same rule as ``selectors.suggest_contacts`` (which the assign action's
    service uses), read for a whole page at once (``policy.holders_by_unit``), not per unit."""
    hinted = [w for w in workers if _name_key(w.contact_name_hint)]
    if not hinted:
        return {}
    holders = CareAssignment.policy.holders_by_unit("contact", {w.organisation for w in hinted})
    result: dict[int, list] = {}
    for worker in hinted:
        hint = _name_key(worker.contact_name_hint)
        result[worker.pk] = [
            user
            for user in holders[worker.organisation_id]
            if hint in {_name_key(user.full_name), _name_key(user.username)}
        ]
    return result


# --- a family -------------------------------------------------------------------------------


def family_duties(user, worker: Worker, campaign: Campaign | None = None, limit: int = 26):
    """The family's duties, newest week first (the weeks strip of the family page)."""
    return list(selectors.duties(user, worker=worker, campaign=campaign).order_by("-week", "campaign_id")[:limit])


# Difficulties whose description is a sensitive record (PIPL art. 28; DOMAIN.md lists health
# and psychological records): every read of one is audited under its kind's own action.
SENSITIVE_READS = {
    DifficultyCategory.PSYCHOLOGICAL: "care.psychological_read",
    DifficultyCategory.MEDICAL: "care.health_read",
}


def is_sensitive(difficulty) -> bool:
    return difficulty.category in SENSITIVE_READS


def difficulty_reader(user):
    """Whether ``user`` may read a sensitive difficulty's description: ``reader(difficulty) ->
    bool``, by the pages' own rule (``Difficulty.objects.for_user``). The ids of the sensitive
    difficulties the user may view are read once, at the first question, so that an export of
    many workers asks one query rather than one per difficulty; ``None`` (the system) reads all."""
    if user is None:
        return lambda difficulty: True
    readable: set[int] | None = None

    def reader(difficulty) -> bool:
        nonlocal readable
        if readable is None:
            visible = Difficulty.objects.for_user(user).filter(category__in=list(SENSITIVE_READS))
            readable = set(visible.values_list("pk", flat=True))
        return difficulty.pk in readable

    return reader


def record_sensitive_reads(user, difficulties, *, page: str) -> dict[str, int]:
    """Health and psychological records are sensitive (PIPL art. 28; DOMAIN.md: every read of
    them is audited). A page, API answer or export that shows the description of such
    difficulties writes ``care.psychological_read`` and ``care.health_read`` rows (one per
    unit, listing them; none for a kind not shown). Returns how many of each kind were shown,
    by category."""
    difficulties = list(difficulties)
    counts: dict[str, int] = {}
    for category, action in SENSITIVE_READS.items():
        shown = [(d.worker.organisation, d.pk) for d in difficulties if d.category == category]
        audit.record_reads(user, action, shown, object_type="care.difficulty", key="difficulties", page=page)
        counts[category] = len({pk for _unit, pk in shown})
    return counts


def record_call_links(user, workers, *, page: str) -> None:
    """The pages of a care contact carry one-tap ``tel:`` links, i.e. the full numbers of the
    worker and the primary family member. Showing them is recorded like the register's
    reveals: ``care.call_links`` rows listing the families."""
    shown = [(w.organisation, w.pk) for w in workers]
    audit.record_reads(user, "care.call_links", shown, object_type="registry.worker", key="workers", page=page)
