"""The dry run: every row of the file gets exactly one outcome and the exact changes that
applying will write.

Rows are planned in order (tables 1 and 2 first, then table 3, whose rows attach to workers
of tables 1 and 2, including those the same file creates). A state per worker carries what
earlier rows already planned, so a person listed twice is one worker and the second row
shows only what it adds. The file is read once, as a stream: rows are planned a chunk at a
time, and before each chunk the register is searched for the names of the chunk that were
not searched yet (one query for the workers, then one each for their families, open
difficulties, assignments and deployments). A person's rows all share one name key, so every
state a row can meet is loaded before the row is planned.

The identity rule is ``registry.selectors.identity_match``'s, applied to many rows at once:
same person = same name_key and same E.164 mobile anywhere in the register; likely duplicate
= same name_key in the same unit with a different mobile.

``changes`` of a row (what ``services.apply_batch`` writes):

- ``worker``: {field: [old, new]} for a worker that exists or an earlier row creates
- ``family_add``: [{name, key, relation, mobile, is_primary}]
- ``family_update``: [{"id": id} or {"row": index, "pos": n}, plus field: [old, new]]
- ``assign``: {user, name, campaign}: a care assignment to create
- ``difficulty``: text of a difficulty to open
- ``deployment``: {id or None, deployed_mobile: [old, new], carrier: [old, new]}

What is stored of a row (``stored``) is only what the page, the decisions and the apply need:
the cells as written only for rows that may end in the rejects file, the parsed values in full
only for rows waiting for a decision.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from nuanxin.orgs import scope
from nuanxin.orgs.choices import Role
from nuanxin.registry import duplicates, normalise
from nuanxin.registry.choices import REGISTER_CHANGE_ROLES, TeamType
from nuanxin.registry.import_models import Outcome
from nuanxin.tables.imports import bulk
from nuanxin.tables.imports import headers as h
from nuanxin.tables.imports import rows as r
from nuanxin.tables.imports.messages import reason
from nuanxin.tables.imports.reader import read_sheets
from nuanxin.tables.imports.safety import FileRefused
from nuanxin.tables.imports.timing import phase

CHUNK = 5000  # rows planned between two searches of the register
WORKER_FIELDS = ("gender", "category", "post_title", "team", "contact_name_hint")
LAYOUT_ROWS = 30


@dataclass(slots=True)
class Parsed:
    """One data row of the file, parsed."""

    sheet: str
    line: int
    table: int
    raw: list
    data: dict
    reasons: list
    notes: list = field(default_factory=list)
    unit_hint: str = ""
    unit_refused: str = ""


def _no_table():
    from django.utils.translation import gettext as _

    return FileRefused(
        _(
            "No official table was found in the file: no sheet has a header row with 姓名 and the "
            "columns of table 1, 2 or 3."
        )
    )


def iter_file(path, kind: str, *, default_team: str, sheets: list[dict], on_sheet=None):
    """Yield the data rows of every sheet in file order, one at a time; ``sheets`` is filled
    with a description of each sheet as it is read, ``on_sheet(rows)`` is told the size of each
    sheet as it is opened. A row that only continues the family of the row above is merged
    into it before that row is yielded."""
    for sheet in read_sheets(path, kind):
        if on_sheet is not None:
            on_sheet(sheet.height)
        head = list(itertools.islice(sheet.rows, LAYOUT_ROWS))
        with phase("recognise"):
            layout = h.find_layout(head, sheet.name)
        if layout is None:
            if any(any(c.strip() for c in cells) for _line, cells in head):
                sheets.append({"name": sheet.name, "table": None, "rows": 0})
            for _item in sheet.rows:  # count the rows against the limit all the same
                pass
            continue
        team = layout.team or ""
        info = {
            "name": sheet.name,
            "table": layout.table,
            "header_line": layout.header_line,
            "headers": layout.headers,
            "unit": layout.unit_text,
            "team": team,
            "rows": 0,
        }
        sheets.append(info)
        # A table 2 sheet that names no team: the upload's default team (else 其他一线团队) for the
        # workers it creates, noted on their rows by the planner; never a change to a registered one.
        fallback = "" if team or layout.table != 2 else str(default_team or TeamType.OTHER)
        previous: Parsed | None = None
        columns = layout.columns
        table = layout.table
        for line, cells in itertools.chain(head[layout.header_index + 1 :], sheet.rows):
            with phase("normalise"):
                if r.skip_row(cells, columns):
                    continue
                if table == 3:
                    data, reasons = r.parse_deployment(cells, columns)
                else:
                    if previous is not None and r.is_continuation(cells, columns):
                        extra: list = []
                        r.refuse_invisible(cells, columns, extra)
                        previous.data["family"].extend(
                            r.split_family(
                                r.cell(cells, columns, h.FAMILY_NAME),
                                r.cell(cells, columns, h.FAMILY_PHONE),
                                r.cell(cells, columns, h.RELATION),
                                extra,
                            )
                        )
                        previous.reasons.extend(extra)
                        previous.notes.append(reason("family_continued", line=line))
                        continue
                    data, reasons = r.parse_person(
                        cells, columns, table=table, sheet_team=team, default_team=fallback
                    )
                notes = data.pop("notes")
                row = Parsed(
                    sheet=sheet.name,
                    line=line,
                    table=table,
                    raw=cells,
                    data=data,
                    reasons=reasons,
                    notes=list(notes) if notes else [],
                    unit_hint=layout.unit_text,
                )
                info["rows"] += 1
            if previous is not None:
                yield previous
                previous = None
            if table == 3:
                yield row
            else:
                previous = row
        if previous is not None:
            yield previous


def read_file(path, kind: str, *, default_team: str) -> tuple[list[dict], list[Parsed]]:
    """Read every sheet: (sheets described, data rows in file order)."""
    sheets: list[dict] = []
    parsed = list(iter_file(path, kind, default_team=default_team, sheets=sheets))
    if not any(s.get("table") for s in sheets):
        raise _no_table()
    return sheets, parsed


# --- units ----------------------------------------------------------------------------------


def _org_keys(name: str) -> set[str]:
    key = normalise.name_key(name)
    keys = {key}
    for prefix in ("青岛市", "青岛"):
        if key.startswith(prefix) and len(key) > len(prefix) + 1:
            keys.add(key[len(prefix) :])
    for k in list(keys):
        if k.endswith("工会") and len(k) > 3:
            keys.add(k[: -len("工会")])
    return keys


class Units:
    """Resolve unit names written in a table to organisations under the batch's organisation."""

    def __init__(self, root, in_scope=None):
        from nuanxin.orgs.models import Organisation

        self.root = root
        self.in_scope = in_scope or (lambda path: True)  # whether the acting user covers a path
        self.by_key: dict[str, list] = {}
        self.by_id = {}
        for org in Organisation.objects.only("id", "path", "name", "code").order_by("path"):
            self.by_id[org.pk] = org
            for key in _org_keys(org.name) | {normalise.name_key(org.code)}:
                self.by_key.setdefault(key, []).append(org)
        self.cache: dict[str, tuple] = {}

    def resolve(self, text: str):
        """(organisation or None, reason code or "")."""
        if text in self.cache:
            return self.cache[text]
        found = []
        for key in _org_keys(text):
            for org in self.by_key.get(key, []):
                if org not in found:
                    found.append(org)
        inside = [o for o in found if o.path.startswith(self.root.path)]
        if len(inside) == 1:
            result = (inside[0], "")
        elif len(inside) > 1:
            exact = [o for o in inside if o.name == text]
            result = (exact[0], "") if len(exact) == 1 else (None, "unit_unknown")
        elif any(self.in_scope(o.path) for o in found):
            result = (None, "unit_outside_org")  # the user's, but not under the organisation chosen
        else:
            # Unknown, or someone else's: one answer, so the file cannot probe which units exist
            # outside the user's scope.
            result = (None, "unit_unknown")
        self.cache[text] = result
        return result


# --- worker states --------------------------------------------------------------------------

# A family member in a state: (name_key, id or None, row, pos, mobile, relation, version). Kept
# as tuples (replaced, not changed, on the rare update) so 100,000 states stay small.
F_KEY, F_ID, F_ROW, F_POS, F_MOBILE, F_RELATION, F_VERSION = range(7)


@dataclass(slots=True)
class State:
    """What the register holds (or will hold, after earlier rows) for one worker."""

    worker_id: int | None
    ref: int | None  # index of the row that creates the worker
    org_id: int
    name: str
    key: str
    mobile: str
    gender: str = ""
    category: str = ""
    post_title: str = ""
    team: str = ""
    contact_name_hint: str = ""
    line: int | None = None  # the first row of the file naming this person (None: none yet)
    sheet: str = ""
    version: str = ""
    family: tuple = ()  # of family tuples (see F_KEY ...), in the register's order
    has_primary: bool = False
    difficulties: frozenset = frozenset()  # open difficulty texts
    difficulty_rows: tuple = ()  # (text, line, sheet) of those among them an earlier row of the file opens
    assigned: int | None = None
    assigned_name: str = ""
    deployment: dict | None = None

    def target(self) -> dict:
        return {"worker": self.worker_id} if self.worker_id else {"row": self.ref}

    def member(self, key: str):
        for m in self.family:
            if m[F_KEY] == key:
                return m
        return None


def _iso(value) -> str:
    return value.isoformat() if value else ""


WORKER_VALUES = (
    "id",
    "name",
    "name_key",
    "mobile",
    "organisation_id",
    "gender",
    "category",
    "post_title",
    "team",
    "contact_name_hint",
    "updated_at",
)


def _chunks(values: list):
    size = 20000 if bulk.is_postgres() else 2000
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _fetch(qs) -> list[tuple]:
    """The rows of a ``values_list`` query: on PostgreSQL straight from the cursor (its values
    need no conversion there: ints, text, booleans, aware datetimes), elsewhere through Django."""
    if not bulk.is_postgres():
        return list(qs)
    from django.db import connection

    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def existing_workers(keys) -> list[State]:
    """States of the workers whose name_key is one of ``keys``, in the register's order."""
    from nuanxin.registry.models import Worker

    result = []
    share = {}.setdefault  # one string object for the many equal values of a column (memory)
    for chunk in _chunks(sorted(set(keys))):
        for w_id, name, key, mobile, org_id, gender, category, post, team, hint, updated in _fetch(
            Worker.objects.filter(name_key__in=bulk.among(chunk, "text")).values_list(*WORKER_VALUES)
        ):
            result.append(
                State(
                    worker_id=w_id, ref=None, org_id=org_id, name=name, key=key, mobile=mobile,
                    gender=share(gender, gender), category=share(category, category), post_title=share(post, post),
                    team=share(team, team), contact_name_hint=share(hint, hint), version=_iso(updated),
                )
            )
    return result


def state_from_worker(w: dict) -> State:
    """A state from a worker's values (``WORKER_VALUES``)."""
    return State(
        worker_id=w["id"],
        ref=None,
        org_id=w["organisation_id"],
        name=w["name"],
        key=w["name_key"],
        mobile=w["mobile"],
        version=_iso(w["updated_at"]),
        **{f: w[f] for f in WORKER_FIELDS},
    )


def load_related(states: dict[int, State], campaign_id: int | None) -> None:
    """Family, open difficulties, current assignment and latest deployment of existing workers."""
    from nuanxin.care.choices import DifficultyStatus
    from nuanxin.care.models import CareAssignment, Difficulty
    from nuanxin.registry.models import Deployment, FamilyMember

    share = {}.setdefault
    for chunk in _chunks(sorted(states)):
        ids = bulk.among(chunk, "integer")
        family: dict[int, list] = {}
        for f_id, worker_id, key, mobile, relation, primary, updated in _fetch(
            FamilyMember.objects.filter(worker_id__in=ids)
            .values_list("id", "worker_id", "name_key", "mobile", "relation", "is_primary", "updated_at")
            .order_by("id")
        ):
            members = family.setdefault(worker_id, [])
            if all(m[F_KEY] != key for m in members):
                members.append((key, f_id, None, None, mobile, share(relation, relation), _iso(updated)))
            if primary:
                states[worker_id].has_primary = True
        for worker_id, members in family.items():
            states[worker_id].family = tuple(members)
        open_texts: dict[int, set] = {}
        for worker_id, description in _fetch(
            Difficulty.objects.filter(
                worker_id__in=ids, status__in=[DifficultyStatus.OPEN, DifficultyStatus.IN_PROGRESS]
            ).values_list("worker_id", "description")
        ):
            open_texts.setdefault(worker_id, set()).add(normalise.text(description))
        for worker_id, texts in open_texts.items():
            states[worker_id].difficulties = frozenset(texts)
        if campaign_id:
            for worker_id, contact_id, full_name, username in _fetch(
                CareAssignment.objects.current()
                .filter(worker_id__in=ids, campaign_id=campaign_id)
                .values_list("worker_id", "contact_id", "contact__full_name", "contact__username")
            ):
                s = states[worker_id]
                s.assigned = contact_id
                s.assigned_name = full_name or username
        for d_id, worker_id, deployed, carrier, updated in _fetch(
            Deployment.objects.filter(worker_id__in=ids)
            .values_list("id", "worker_id", "deployed_mobile", "carrier", "updated_at")
            .order_by("worker_id", "-departed_on", "-id")
        ):
            s = states[worker_id]
            if s.deployment is None:
                s.deployment = {"id": d_id, "deployed_mobile": deployed, "carrier": carrier, "version": _iso(updated)}


def current_campaign():
    from nuanxin.care.models import Campaign

    today = timezone.localdate()
    return (
        Campaign.objects.filter(starts_on__lte=today)
        .filter(Q(declared_end_on__isnull=True) | Q(declared_end_on__gte=today))
        .order_by("-starts_on", "-id")
        .first()
    )


class Contacts:
    """Care-contact users by name, with the organisation paths their grants cover."""

    def __init__(self, root):
        from nuanxin.orgs.models import Grant

        ancestors = [root.path[:i] for i in range(scope.STEPLEN, len(root.path) + 1, scope.STEPLEN)]
        self.by_key: dict[str, list[tuple[int, str, str]]] = {}
        grants = (
            Grant.objects.active()
            .filter(role=Role.CARE_CONTACT, organisation__isnull=False, user__is_active=True)
            .filter(Q(organisation__path__startswith=root.path) | Q(organisation__path__in=ancestors))
            .values("user_id", "user__full_name", "user__username", "organisation__path")
        )
        for g in grants:
            name = g["user__full_name"] or g["user__username"]
            self.by_key.setdefault(normalise.name_key(name), []).append((g["user_id"], name, g["organisation__path"]))
        self.cache: dict[tuple[str, str], list[tuple[int, str]]] = {}

    def match(self, name_key: str, unit_path: str) -> list[tuple[int, str]]:
        found = self.cache.get((name_key, unit_path))
        if found is None:
            users = {}
            for user_id, name, path in self.by_key.get(name_key, []):
                if unit_path.startswith(path):
                    users[user_id] = name
            found = self.cache[(name_key, unit_path)] = sorted(users.items())
        return found


def open_among(text: str, open_texts: frozenset) -> set[str]:
    """The open difficulties (normalised texts) a 存在困难 cell (normalised) names, or an empty
    set when it names a new one: the cell itself, or each of the open difficulties that the
    exported tables join with "；" (read back as ";")."""
    if text in open_texts:
        return {text}
    if ";" in text:
        parts = {part.strip() for part in text.split(";")} - {""}
        if parts and parts <= open_texts:
            return parts
    return set()


# --- the planner ----------------------------------------------------------------------------


@dataclass(slots=True)
class Planned:
    index: int
    sheet: str
    line: int
    table: int
    outcome: str
    raw: list
    data: dict
    reasons: list
    worker_id: int | None = None
    ref_index: int | None = None
    candidates: list = field(default_factory=list)
    changes: dict = field(default_factory=dict)
    versions: dict = field(default_factory=dict)

    def stored(self) -> tuple[list, list, dict]:
        """(reasons or notes, cells as written, values) as the row is stored: the cells only
        for rows that may be rejected, the values in full only for rows waiting for a decision
        (decide_row plans them again); otherwise the name (shown), the identity (the apply
        checks that the person it creates is still new) and the unit."""
        d = self.data
        notes = d.get("notes") or []
        if self.outcome == Outcome.REJECT:
            return self.reasons, self.raw, {"name": d.get("name", "")}
        if self.outcome == Outcome.REVIEW:
            return notes, self.raw, d
        if self.table == 3:
            values = {"name": d.get("name", "")}
        else:
            values = {"name": d["name"], "key": d["key"], "mobile": d["mobile"], "unit_id": d.get("unit_id")}
            if "pinyin" in d:
                values["pinyin"], values["initials"] = d["pinyin"], d["initials"]
        if notes:
            values["notes"] = notes
        return notes, [], values


class Planner:
    """Plans the parsed rows of one batch. ``actor`` None is the system (CLI without --user)."""

    def __init__(self, *, organisation, actor):
        self.root = organisation
        self.actor = actor
        self.scope_paths = None if actor is None else scope.scope_paths(actor, REGISTER_CHANGE_ROLES)
        self.units = Units(organisation, self.in_scope)
        self.contacts = Contacts(organisation)
        campaign = current_campaign()
        self.campaign_id = campaign.pk if campaign else None
        # name key -> the states of that name (a State, or a list when there are several):
        # the register's workers first (as loaded), then those this file creates, in order.
        self.by_key: dict[str, State | list[State]] = {}
        self.searched: set[str] = set()

    def in_scope(self, path: str) -> bool:
        return self.scope_paths is None or any(path.startswith(p) for p in self.scope_paths)

    def check_lookup_limit(self) -> None:
        """An actor who has met the day's number of people registered outside their scope may
        not import (``registry.duplicates.duplicate_lookup_refusal``): the whole file is refused,
        whatever it holds, so the refusal says nothing about its rows."""
        with transaction.atomic():
            refusal = duplicates.duplicate_lookup_refusal(self.actor, channel="import")
        if refusal is not None:
            raise FileRefused(refusal.message)

    def registered_elsewhere(self, planned: Planned, state: State) -> None:
        """The row's person is registered outside the actor's scope: the row is refused, the hit
        recorded (``registry.duplicate_elsewhere``) and counted towards the actor's daily
        limit; past the limit the whole file is refused."""
        with transaction.atomic():
            refusal = duplicates.duplicate_lookup_refusal(self.actor, channel="import")
            if refusal is None:
                duplicates.record_duplicate_elsewhere(self.actor, state.worker_id, channel="import")
        if refusal is not None:
            raise FileRefused(refusal.message)
        planned.reasons.append(reason("registered_elsewhere"))

    def org(self, state: State):
        return self.units.by_id[state.org_id]

    # -- states by name --

    def states_named(self, key: str) -> list[State] | tuple:
        found = self.by_key.get(key)
        if found is None:
            return ()
        return found if type(found) is list else (found,)

    def add_state(self, state: State) -> None:
        found = self.by_key.get(state.key)
        if found is None:
            self.by_key[state.key] = state
        elif type(found) is list:
            found.append(state)
        else:
            self.by_key[state.key] = [found, state]

    def state_of(self, key: str, mobile: str) -> State | None:
        for state in self.states_named(key):
            if state.mobile == mobile:
                return state
        return None

    def search(self, keys) -> None:
        """Load the register's workers named by any of ``keys`` not searched yet."""
        new = [k for k in keys if k and k not in self.searched]
        if not new:
            return
        with phase("lookup"):
            self.searched.update(new)
            loaded = {}
            for state in existing_workers(new):
                self.add_state(state)
                loaded[state.worker_id] = state
            if loaded:
                load_related(loaded, self.campaign_id)

    # -- planning --

    def plan(self, parsed: list[Parsed]) -> list[Planned]:
        """Plan a list of parsed rows at once (tests, small files)."""
        return [p for chunk in self.iter_plan(iter(list(parsed))) for p in chunk]

    def iter_plan(self, rows):
        """Plan the rows of ``rows`` (an iterator of Parsed, in file order), tables 1 and 2
        first and table 3 after them, yielding lists of planned rows (a chunk at a time) so a
        caller can store them as they come. Between two chunks the register is searched, so a
        caller must not hold a database command open while it takes the next chunk."""
        self.check_lookup_limit()
        later: list[Parsed] = []
        index = 0
        while True:
            chunk = []
            for p in rows:
                if p.table == 3:
                    later.append(p)
                    continue
                chunk.append(p)
                if len(chunk) >= CHUNK:
                    break
            if not chunk:
                break
            self.search({p.data.get("key") for p in chunk})
            with phase("plan"):
                planned = [self.plan_one(index + i, p) for i, p in enumerate(chunk)]
            index += len(chunk)
            del chunk
            yield planned
        for start in range(0, len(later), CHUNK):
            chunk = later[start : start + CHUNK]
            self.search({p.data.get("key") for p in chunk})
            with phase("plan"):
                planned = [self.plan_one(index + i, p) for i, p in enumerate(chunk)]
            index += len(chunk)
            yield planned

    def plan_one(self, index: int, p: Parsed) -> Planned:
        planned = Planned(
            index=index,
            sheet=p.sheet,
            line=p.line,
            table=p.table,
            outcome=Outcome.REJECT,
            raw=p.raw,
            data=p.data,
            reasons=list(p.reasons),
        )
        planned.data["notes"] = list(p.notes)
        if not planned.reasons:
            if p.table == 3:
                self.plan_deployment(planned, p)
            else:
                self.plan_person(planned, p)
        if planned.reasons:
            planned.outcome = Outcome.REJECT
        return planned

    # -- tables 1 and 2 --

    def unit_for(self, planned: Planned, p: Parsed):
        text = p.data.get("unit") or p.unit_hint
        if not text:
            return self.root
        org, problem = self.units.resolve(text)
        if org is None:
            if not p.data.get("unit") and problem == "unit_unknown":
                return self.root  # a 填报单位 row we cannot place: the batch's organisation
            planned.reasons.append(reason(problem, value=text, org=self.root.name))
        return org

    def plan_person(self, planned: Planned, p: Parsed) -> None:
        d = p.data
        unit = self.unit_for(planned, p)
        if unit is None:
            return
        d["unit_id"] = unit.pk
        notes = d["notes"]
        state = self.state_of(d["key"], d["mobile"])
        if state is not None and state.line is not None:
            if state.ref is not None:
                planned.ref_index = state.ref
            else:
                planned.worker_id = state.worker_id
            notes.append(reason("same_as_row", line=state.line, sheet=state.sheet))
            self.diff_into(planned, state, d)
            return
        if state is not None:  # in the register, named by this file for the first time
            if not self.in_scope(self.org(state).path):
                self.registered_elsewhere(planned, state)
                return
            state.line, state.sheet = planned.line, planned.sheet
            planned.worker_id = state.worker_id
            if state.org_id != unit.pk:
                notes.append(reason("other_unit", unit=self.org(state).name))
            self.diff_into(planned, state, d)
            return
        candidates = self.duplicate_candidates(unit.pk, d["key"], d["mobile"])
        if candidates:
            planned.outcome = Outcome.REVIEW
            planned.candidates = candidates
            notes.append(reason("likely_duplicate"))
            return
        self.plan_create(planned, unit, d)

    def plan_create(self, planned: Planned, unit, d: dict) -> State:
        state = State(
            worker_id=None,
            ref=planned.index,
            org_id=unit.pk,
            name=d["name"],
            key=d["key"],
            mobile=d["mobile"],
            line=planned.line,
            sheet=planned.sheet,
        )  # the worker's fields are filled by diff_into
        self.add_state(state)
        planned.outcome = Outcome.CREATE
        planned.ref_index = None
        # the search columns of the new worker, which the apply writes from the stored plan
        d["pinyin"], d["initials"] = normalise.pinyin_of_key(d["key"])
        self.diff_into(planned, state, d, creating=True)
        return state

    def duplicate_candidates(self, org_id: int, key: str, mobile: str) -> list[dict]:
        existing, created = [], []
        for s in self.states_named(key):
            if s.org_id != org_id or s.mobile == mobile:
                continue
            if s.worker_id:
                existing.append(
                    {
                        "worker": s.worker_id,
                        "name": s.name,
                        "unit": self.org(s).name,
                        "mobile": normalise.mask(s.mobile),
                    }
                )
            elif s.ref is not None:
                created.append(
                    {
                        "row": s.ref,
                        "line": s.line,
                        "sheet": s.sheet,
                        "name": s.name,
                        "unit": self.org(s).name,
                        "mobile": normalise.mask(s.mobile),
                    }
                )
        return existing + created

    def diff_into(self, planned: Planned, state: State, d: dict, creating: bool = False) -> None:
        """Work out what the row changes on ``state``, record it in ``planned.changes`` and
        apply it to ``state`` so later rows see it."""
        changes = planned.changes
        notes = d["notes"]
        team = d.get("team", "")
        if not team and creating and d.get("default_team"):
            # the upload's default team names the team of a new worker only
            team = d["default_team"]
            notes.append(reason("team_default", team=team))
        new_values = {
            "gender": d.get("gender", ""),
            "category": d.get("category", ""),
            "post_title": d.get("post_title", ""),
            "team": team,
        }
        contact_user = None
        contact = d.get("contact", "")
        if contact:
            matches = self.contacts.match(normalise.name_key(contact), self.org(state).path)
            if len(matches) == 1 and self.campaign_id:
                contact_user = matches[0]
            elif len(matches) == 1:
                notes.append(reason("contact_no_campaign", name=contact))
                new_values["contact_name_hint"] = contact
            elif len(matches) > 1:
                notes.append(reason("contact_ambiguous", name=contact))
                new_values["contact_name_hint"] = contact
            else:
                notes.append(reason("contact_kept", name=contact))
                new_values["contact_name_hint"] = contact
        worker_changes = {}
        for name, value in new_values.items():
            if value:
                old = getattr(state, name)
                if old != value:
                    worker_changes[name] = [old, value]
                    setattr(state, name, value)
        if worker_changes:
            changes["worker"] = worker_changes
        # family
        adds, updates = [], []
        family = state.family
        for member in d.get("family", ()):
            key = member["key"]
            known = state.member(key)
            if known is None:
                add = dict(member)
                add["is_primary"] = not state.has_primary
                state.has_primary = True
                adds.append(add)
                family = (*family, (key, None, planned.index, len(adds) - 1, member["mobile"], member["relation"], ""))
                state.family = family
                continue
            change = {}
            mobile, relation = known[F_MOBILE], known[F_RELATION]
            if member["mobile"] and member["mobile"] != mobile:
                change["mobile"] = [mobile, member["mobile"]]
                mobile = member["mobile"]
            if member["relation"] and member["relation"] != relation:
                change["relation"] = [relation, member["relation"]]
                relation = member["relation"]
            if change:
                member_id = known[F_ID]
                if member_id is not None:
                    ref = {"id": member_id}
                    planned.versions.setdefault("family", {})[str(member_id)] = known[F_VERSION]
                else:
                    ref = {"row": known[F_ROW], "pos": known[F_POS]}
                updates.append(ref | change)
                family = tuple(
                    (*m[:F_MOBILE], mobile, relation, m[F_VERSION]) if m is known else m for m in family
                )
                state.family = family
        if adds:
            changes["family_add"] = adds
        if updates:
            changes["family_update"] = updates
        # care contact
        if contact_user is not None:
            user_id, user_name = contact_user
            if state.assigned is None:
                changes["assign"] = {"user": user_id, "name": user_name, "campaign": self.campaign_id}
                state.assigned, state.assigned_name = user_id, user_name
                notes.append(reason("contact_matched", name=user_name))
            elif state.assigned != user_id:
                notes.append(reason("contact_other", name=state.assigned_name))
        # difficulty
        difficulty = d.get("difficulty", "")
        if difficulty:
            same = normalise.text(difficulty)  # how open difficulties are compared (load_related)
            known = open_among(same, state.difficulties)
            if known:
                earlier = [row for row in state.difficulty_rows if row[0] in known]
                if len(earlier) == len(known):  # not registered yet: an earlier row of the file opens it
                    notes.append(reason("difficulty_in_row", line=earlier[0][1], sheet=earlier[0][2]))
                else:
                    notes.append(reason("difficulty_exists"))
            else:
                changes["difficulty"] = difficulty
                state.difficulties = state.difficulties | {same}
                state.difficulty_rows = (*state.difficulty_rows, (same, planned.line, planned.sheet))
        if state.worker_id and (changes.get("worker") or changes.get("family_add")):
            planned.versions["worker"] = state.version
        if not creating:
            planned.outcome = Outcome.UPDATE if changes else Outcome.UNCHANGED

    # -- table 3 --

    def plan_deployment(self, planned: Planned, p: Parsed) -> None:
        d = p.data
        unit = None
        if d.get("unit"):
            unit, problem = self.units.resolve(d["unit"])
            if unit is None:
                planned.reasons.append(reason(problem, value=d["unit"], org=self.root.name))
                return
        base = unit.path if unit else self.root.path
        found: dict = {}
        for state in self.states_named(d["key"]):
            if state.team == TeamType.HUBEI_AID:
                if (unit and state.org_id == unit.pk) or (not unit and self.org(state).path.startswith(base)):
                    found[("w", state.worker_id) if state.worker_id else ("r", state.ref)] = state
        unit_name = unit.name if unit else self.root.name
        if not found:
            planned.reasons.append(reason("no_aid_worker", name=d["name"], unit=unit_name))
            return
        if len(found) > 1:
            planned.reasons.append(reason("ambiguous_aid_worker", name=d["name"], unit=unit_name, count=len(found)))
            return
        state = next(iter(found.values()))
        if not self.in_scope(self.org(state).path):
            self.registered_elsewhere(planned, state)
            return
        if state.worker_id:
            planned.worker_id = state.worker_id
        else:
            planned.ref_index = state.ref
        current = state.deployment or {"id": None, "deployed_mobile": "", "carrier": ""}
        change = {}
        for f in ("deployed_mobile", "carrier"):
            if d[f] and d[f] != current[f]:
                change[f] = [current[f], d[f]]
        if change:
            target = {"id": current.get("id")} if current.get("id") else {}
            if current.get("id") is None and state.deployment is not None:
                target = {"row": state.deployment.get("row")}
            planned.changes["deployment"] = target | change
            if current.get("id"):
                planned.versions["deployment"] = {str(current["id"]): current.get("version", "")}
            new = dict(current)
            for f, (_old, value) in change.items():
                new[f] = value
            if state.deployment is None:
                new["row"] = planned.index
            state.deployment = new
            planned.outcome = Outcome.UPDATE
        else:
            planned.outcome = Outcome.UNCHANGED
