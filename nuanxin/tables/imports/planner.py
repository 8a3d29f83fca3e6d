"""The dry run: every row of the file gets exactly one outcome and the exact changes that
applying will write. Three modules: reading the file (``plan_read``), what the register holds
for the rows (``plan_state``: units, workers' states, campaign, care contacts and their grants),
and here the planner itself, which decides from those alone (the names of the other two are
re-exported here).

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

from dataclasses import dataclass, field

from django.db import transaction

from nuanxin.core.policy import is_system
from nuanxin.orgs import scope
from nuanxin.registry import duplicates, normalise
from nuanxin.registry.choices import REGISTER_CHANGE_ROLES, TeamType
from nuanxin.registry.import_models import Outcome
from nuanxin.tables.imports.messages import reason
from nuanxin.tables.imports.plan_read import LAYOUT_ROWS, Parsed, _no_table, iter_file, read_file
from nuanxin.tables.imports.plan_state import (
    F_ID,
    F_KEY,
    F_MOBILE,
    F_POS,
    F_RELATION,
    F_ROW,
    F_VERSION,
    WORKER_FIELDS,
    WORKER_VALUES,
    Contacts,
    State,
    Units,
    _chunks,
    _fetch,
    _iso,
    _org_keys,
    current_campaign,
    existing_workers,
    load_related,
    open_among,
    state_from_worker,
)
from nuanxin.tables.imports.safety import FileRefused
from nuanxin.tables.imports.timing import phase

CHUNK = 5000  # rows planned between two searches of the register

__all__ = [
    "CHUNK", "F_ID", "F_KEY", "F_MOBILE", "F_POS", "F_RELATION", "F_ROW", "F_VERSION", "LAYOUT_ROWS",
    "WORKER_FIELDS", "WORKER_VALUES", "Contacts", "Parsed", "Planned", "Planner", "State", "Units",
    "_chunks", "_fetch", "_iso", "_no_table", "_org_keys", "current_campaign", "existing_workers",
    "iter_file", "load_related", "open_among", "read_file", "state_from_worker",
]


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
        self.scope_paths = None if is_system(actor) else scope.scope_paths(actor, REGISTER_CHANGE_ROLES)
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
        """The unit of a row of tables 1 and 2: the one a person confirmed, the 单位 cell's, the
        填报单位 row's or the batch's organisation; None when the row is rejected or waits for a
        person to confirm a close match."""
        chosen = p.data.get("unit_chosen")
        if chosen:
            return self.units.by_id[chosen]
        text = p.data.get("unit")
        if not text:
            if not p.unit_hint:
                return self.root
            org, problem = self.units.resolve(p.unit_hint)
            if org is None:
                if problem == "unit_unknown":
                    return self.root  # a 填报单位 row we cannot place: the batch's organisation
                planned.reasons.append(reason(problem, value=p.unit_hint, org=self.root.name))
            return org
        return self.unit_of_text(planned, text)

    def unit_of_text(self, planned: Planned, text: str):
        """The organisation a 单位 cell names (a note when taken leniently or assumed), or None:
        the row rejected, or offered with the close organisations for a person to confirm."""
        m = self.units.match(text)
        if m.org is not None:
            if m.note:
                planned.data["notes"].append(m.note)
            return m.org
        if m.candidates:
            planned.outcome = Outcome.REVIEW
            planned.candidates = [{"org": o.pk, "unit": o.name, "code": o.code} for o in m.candidates]
            planned.data["notes"].append(reason("unit_close", value=text, org=self.root.name))
            return None
        planned.reasons.append(reason(m.problem, value=text, org=self.root.name))
        return None

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
        if d.get("unit_chosen"):
            unit = self.units.by_id[d["unit_chosen"]]
        elif d.get("unit"):
            unit = self.unit_of_text(planned, d["unit"])
            if unit is None:
                return
        base = unit.path if unit else self.root.path
        found: dict = {}
        for state in self.states_named(d["key"]):
            if state.team == TeamType.HUBEI_AID:
                if (unit and state.org_id == unit.pk) or (not unit and self.org(state).path.startswith(base)):
                    found[("w", state.worker_id) if state.worker_id else ("r", state.ref)] = state
        unit_name = unit.name if unit else self.root.name
        if not found:
            guessed = not d.get("unit_chosen") and d.get("unit") and self.units.match(d["unit"]).note
            if guessed:  # the unit was taken leniently or assumed: say which, it may be the cause
                planned.reasons.append(reason("no_aid_worker_guessed", name=d["name"], unit=unit_name, value=d["unit"]))
            else:
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
