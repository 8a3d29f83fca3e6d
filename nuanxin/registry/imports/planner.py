"""The dry run: every row of the file gets exactly one outcome and the exact changes that
applying will write.

Rows are planned in order (tables 1 and 2 first, then table 3, whose rows attach to workers
of tables 1 and 2, including those the same file creates). A state per worker carries what
earlier rows already planned, so a person listed twice is one worker and the second row
shows only what it adds. Existing records are read in bulk: one query per chunk of names,
then one per chunk of matched workers for their families, difficulties, assignments and
deployments.

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
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from nuanxin.orgs import scope
from nuanxin.orgs.choices import Role
from nuanxin.registry import normalise
from nuanxin.registry.choices import REGISTER_CHANGE_ROLES, TeamType
from nuanxin.registry.import_models import Outcome
from nuanxin.registry.imports import headers as h
from nuanxin.registry.imports import rows as r
from nuanxin.registry.imports.messages import reason
from nuanxin.registry.imports.reader import read_sheets
from nuanxin.registry.imports.safety import FileRefused

CHUNK = 2000
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


def iter_file(path, kind: str, *, default_team: str, sheets: list[dict]):
    """Yield the data rows of every sheet in file order, one at a time; ``sheets`` is filled
    with a description of each sheet as it is read. A row that only continues the family of
    the row above is merged into it before that row is yielded."""
    for sheet in read_sheets(path, kind):
        head = list(itertools.islice(sheet.rows, LAYOUT_ROWS))
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
        sheet_team = team or default_team or TeamType.OTHER
        team_note = [] if team or layout.table != 2 else [reason("team_default", team=str(sheet_team))]
        previous: Parsed | None = None
        columns = layout.columns
        for line, cells in itertools.chain(head[layout.header_index + 1 :], sheet.rows):
            if r.is_blank(cells, columns) or r.is_footer(cells, columns):
                continue
            if layout.table == 3:
                data, reasons = r.parse_deployment(cells, columns)
            else:
                if previous is not None and r.is_continuation(cells, columns):
                    extra: list = []
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
                data, reasons = r.parse_person(cells, columns, table=layout.table, sheet_team=sheet_team)
            row = Parsed(
                sheet=sheet.name,
                line=line,
                table=layout.table,
                raw=cells,
                data=data,
                reasons=reasons,
                notes=list(data.pop("notes", [])),
                unit_hint=layout.unit_text,
            )
            if layout.table == 2 and not r.cell(cells, columns, h.TEAM).strip():
                row.notes.extend(team_note)
            info["rows"] += 1
            if previous is not None:
                yield previous
                previous = None
            if layout.table == 3:
                yield row
            else:
                previous = row
        if previous is not None:
            yield previous


def scan_keys(path, kind: str) -> tuple[set[str], int]:
    """The name keys of every data row and about how many rows there are, read cheaply (the
    name column only) so the register is searched once before the rows are planned one by one."""
    keys: set[str] = set()
    count = 0
    for sheet in read_sheets(path, kind):
        head = list(itertools.islice(sheet.rows, LAYOUT_ROWS))
        layout = h.find_layout(head, sheet.name)
        if layout is None:
            for _item in sheet.rows:
                pass
            continue
        position = layout.columns[h.NAME]
        for _line, cells in itertools.chain(head[layout.header_index + 1 :], sheet.rows):
            if position < len(cells) and cells[position]:
                key = r.person_name(cells[position])[1]
                if key:
                    keys.add(key)
                    count += 1
    return keys, count


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

    def __init__(self, root):
        from nuanxin.orgs.models import Organisation

        self.root = root
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
        elif found:
            result = (None, "unit_outside_scope")
        else:
            result = (None, "unit_unknown")
        self.cache[text] = result
        return result


# --- worker states --------------------------------------------------------------------------


@dataclass(slots=True)
class State:
    """What the register holds (or will hold, after earlier rows) for one worker."""

    worker_id: int | None
    ref: int | None  # index of the row that creates the worker
    org_id: int
    org_path: str
    org_name: str
    name: str
    key: str
    mobile: str
    fields: dict
    version: str = ""
    family: dict = field(default_factory=dict)  # key -> {"id"/"row","pos", "mobile", "relation"}
    has_primary: bool = False
    difficulties: set | None = None  # open difficulty texts, made when there is one
    assigned: int | None = None
    assigned_name: str = ""
    deployment: dict | None = None

    def target(self) -> dict:
        return {"worker": self.worker_id} if self.worker_id else {"row": self.ref}


def _iso(value) -> str:
    return value.isoformat() if value else ""


WORKER_VALUES = (
    "id",
    "name",
    "name_key",
    "mobile",
    "organisation_id",
    "organisation__path",
    "organisation__name",
    "gender",
    "category",
    "post_title",
    "team",
    "contact_name_hint",
    "updated_at",
)


def existing_workers(keys) -> list[dict]:
    """Workers whose name_key is one of ``keys`` (one query per chunk)."""
    from nuanxin.registry.models import Worker

    result = []
    keys = sorted(set(keys))
    for start in range(0, len(keys), CHUNK):
        result.extend(Worker.objects.filter(name_key__in=keys[start : start + CHUNK]).values(*WORKER_VALUES))
    return result


def state_from_worker(w: dict) -> State:
    return State(
        worker_id=w["id"],
        ref=None,
        org_id=w["organisation_id"],
        org_path=w["organisation__path"],
        org_name=w["organisation__name"],
        name=w["name"],
        key=w["name_key"],
        mobile=w["mobile"],
        fields={f: w[f] for f in WORKER_FIELDS},
        version=_iso(w["updated_at"]),
    )


def load_related(states: dict[int, State], campaign_id: int | None) -> None:
    """Family, open difficulties, current assignment and latest deployment of existing workers."""
    from nuanxin.care.choices import DifficultyStatus
    from nuanxin.care.models import CareAssignment, Difficulty
    from nuanxin.registry.models import Deployment, FamilyMember

    ids = sorted(states)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for f in (
            FamilyMember.objects.filter(worker_id__in=chunk)
            .values("id", "worker_id", "name_key", "mobile", "relation", "is_primary", "updated_at")
            .order_by("id")
        ):
            s = states[f["worker_id"]]
            s.family.setdefault(
                f["name_key"],
                {"id": f["id"], "mobile": f["mobile"], "relation": f["relation"], "version": _iso(f["updated_at"])},
            )
            s.has_primary = s.has_primary or f["is_primary"]
        for d in Difficulty.objects.filter(
            worker_id__in=chunk, status__in=[DifficultyStatus.OPEN, DifficultyStatus.IN_PROGRESS]
        ).values("worker_id", "description"):
            s = states[d["worker_id"]]
            if s.difficulties is None:
                s.difficulties = set()
            s.difficulties.add(normalise.text(d["description"]))
        if campaign_id:
            for a in (
                CareAssignment.objects.current()
                .filter(worker_id__in=chunk, campaign_id=campaign_id)
                .values("worker_id", "contact_id", "contact__full_name", "contact__username")
            ):
                s = states[a["worker_id"]]
                s.assigned = a["contact_id"]
                s.assigned_name = a["contact__full_name"] or a["contact__username"]
        for d in (
            Deployment.objects.filter(worker_id__in=chunk)
            .values("id", "worker_id", "deployed_mobile", "carrier", "updated_at")
            .order_by("worker_id", "-departed_on", "-id")
        ):
            s = states[d["worker_id"]]
            if s.deployment is None:
                s.deployment = {
                    "id": d["id"],
                    "deployed_mobile": d["deployed_mobile"],
                    "carrier": d["carrier"],
                    "version": _iso(d["updated_at"]),
                }


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
        from nuanxin.orgs.models import Grant, Organisation

        ancestors = [root.path[:i] for i in range(scope.STEPLEN, len(root.path) + 1, scope.STEPLEN)]
        self.by_key: dict[str, list[tuple[int, str, str]]] = {}
        grants = (
            Grant.objects.active()
            .filter(role=Role.CARE_CONTACT, organisation__isnull=False, user__is_active=True)
            .filter(Q(organisation__path__startswith=root.path) | Q(organisation__path__in=ancestors))
            .values("user_id", "user__full_name", "user__username", "organisation__path")
        )
        del Organisation
        for g in grants:
            name = g["user__full_name"] or g["user__username"]
            self.by_key.setdefault(normalise.name_key(name), []).append((g["user_id"], name, g["organisation__path"]))

    def match(self, name_key: str, unit_path: str) -> list[tuple[int, str]]:
        users = {}
        for user_id, name, path in self.by_key.get(name_key, []):
            if unit_path.startswith(path):
                users[user_id] = name
        return sorted(users.items())


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


class Planner:
    """Plans the parsed rows of one batch. ``actor`` None is the system (CLI without --user)."""

    def __init__(self, *, organisation, actor):
        self.root = organisation
        self.actor = actor
        self.scope_paths = None if actor is None else scope.scope_paths(actor, REGISTER_CHANGE_ROLES)
        self.units = Units(organisation)
        self.contacts = Contacts(organisation)
        campaign = current_campaign()
        self.campaign_id = campaign.pk if campaign else None
        self.states: dict = {}  # (key, mobile) -> State
        self.states_by_unit_name: dict = {}  # (org_id, key) -> [State]
        self.states_by_id: dict[int, State] = {}
        self.created_by_key: dict[str, list[State]] = {}
        self.existing_by_identity: dict = {}
        self.existing_by_unit_name: dict = {}
        self.existing_by_key: dict = {}

    def in_scope(self, path: str) -> bool:
        return self.scope_paths is None or any(path.startswith(p) for p in self.scope_paths)

    def plan(self, parsed: list[Parsed]) -> list[Planned]:
        """Plan a list of parsed rows at once (tests, small files)."""
        keys = {p.data.get("key") for p in parsed if p.data.get("key")}
        return list(self.iter_plan(keys, iter(list(parsed))))

    def iter_plan(self, keys: set[str], rows):
        """Plan the rows of ``rows`` (an iterator of Parsed, in file order) one at a time,
        tables 1 and 2 first and table 3 after them, yielding each planned row at once so a
        caller can store them in chunks. ``keys`` are the name keys of all rows: the register
        is searched once for them before planning."""
        for w in existing_workers(keys):
            self.existing_by_identity.setdefault((w["name_key"], w["mobile"]), w)
            self.existing_by_unit_name.setdefault((w["organisation_id"], w["name_key"]), []).append(w)
            self.existing_by_key.setdefault(w["name_key"], []).append(w)
            self.states_by_id[w["id"]] = state_from_worker(w)
        load_related(self.states_by_id, self.campaign_id)
        later: list[Parsed] = []
        index = 0
        for p in rows:
            if p.table == 3:
                later.append(p)
                continue
            yield self.plan_one(index, p)
            index += 1
        for p in later:
            yield self.plan_one(index, p)
            index += 1

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
        identity = (d["key"], d["mobile"])
        state = self.states.get(identity)
        if state is not None:
            first = state.ref if state.ref is not None else None
            if first is not None:
                planned.ref_index = first
            else:
                planned.worker_id = state.worker_id
            notes.append(reason("same_as_row", line=state.fields.get("_line"), sheet=state.fields.get("_sheet")))
            self.diff_into(planned, state, d)
            return
        existing = self.existing_by_identity.get(identity)
        if existing is not None:
            if not self.in_scope(existing["organisation__path"]):
                planned.reasons.append(reason("registered_elsewhere"))
                return
            state = self.states_by_id[existing["id"]]
            state.fields.setdefault("_line", planned.line)
            state.fields.setdefault("_sheet", planned.sheet)
            self.states[identity] = state
            planned.worker_id = state.worker_id
            if state.org_id != unit.pk:
                notes.append(reason("other_unit", unit=state.org_name))
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
            org_path=unit.path,
            org_name=unit.name,
            name=d["name"],
            key=d["key"],
            mobile=d["mobile"],
            fields={"_line": planned.line, "_sheet": planned.sheet},  # the rest filled by diff_into
        )
        self.states[(d["key"], d["mobile"])] = state
        self.states_by_unit_name.setdefault((unit.pk, d["key"]), []).append(state)
        self.created_by_key.setdefault(d["key"], []).append(state)
        planned.outcome = Outcome.CREATE
        planned.ref_index = None
        self.diff_into(planned, state, d, creating=True)
        return state

    def duplicate_candidates(self, org_id: int, key: str, mobile: str) -> list[dict]:
        found = []
        for w in self.existing_by_unit_name.get((org_id, key), []):
            if w["mobile"] != mobile:
                found.append(
                    {
                        "worker": w["id"],
                        "name": w["name"],
                        "unit": w["organisation__name"],
                        "mobile": normalise.mask(w["mobile"]),
                    }
                )
        for s in self.states_by_unit_name.get((org_id, key), []):
            if s.mobile != mobile and s.ref is not None:
                found.append(
                    {
                        "row": s.ref,
                        "line": s.fields.get("_line"),
                        "sheet": s.fields.get("_sheet"),
                        "name": s.name,
                        "unit": s.org_name,
                        "mobile": normalise.mask(s.mobile),
                    }
                )
        return found

    def diff_into(self, planned: Planned, state: State, d: dict, creating: bool = False) -> None:
        """Work out what the row changes on ``state``, record it in ``planned.changes`` and
        apply it to ``state`` so later rows see it."""
        changes = planned.changes
        notes = d["notes"]
        new_values = {
            "gender": d.get("gender", ""),
            "category": d.get("category", ""),
            "post_title": d.get("post_title", ""),
            "team": d.get("team", ""),
        }
        contact_user = None
        contact = d.get("contact", "")
        if contact:
            matches = self.contacts.match(normalise.name_key(contact), state.org_path)
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
            if value and state.fields.get(name, "") != value:
                worker_changes[name] = [state.fields.get(name, ""), value]
                state.fields[name] = value
        if worker_changes:
            changes["worker"] = worker_changes
        # family
        adds, updates = [], []
        for member in d.get("family", []):
            known = state.family.get(member["key"])
            if known is None:
                add = dict(member)
                add["is_primary"] = not state.has_primary
                state.has_primary = True
                adds.append(add)
                state.family[member["key"]] = {
                    "row": planned.index,
                    "pos": len(adds) - 1,
                    "mobile": member["mobile"],
                    "relation": member["relation"],
                }
                continue
            change = {}
            for f in ("mobile", "relation"):
                if member[f] and member[f] != known[f]:
                    change[f] = [known[f], member[f]]
                    known[f] = member[f]
            if change:
                ref = {"id": known["id"]} if "id" in known else {"row": known["row"], "pos": known["pos"]}
                if "id" in known:
                    planned.versions.setdefault("family", {})[str(known["id"])] = known.get("version", "")
                updates.append(ref | change)
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
            if state.difficulties and difficulty in state.difficulties:
                notes.append(reason("difficulty_exists"))
            else:
                changes["difficulty"] = difficulty
                if state.difficulties is None:
                    state.difficulties = set()
                state.difficulties.add(difficulty)
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
        for w in self.existing_by_key.get(d["key"], []):
            state = self.states_by_id.get(w["id"])
            if state is not None and state.fields.get("team") == TeamType.HUBEI_AID:
                if (unit and state.org_id == unit.pk) or (not unit and state.org_path.startswith(base)):
                    found[("w", state.worker_id)] = state
        for state in self.created_by_key.get(d["key"], []):
            if state.fields.get("team") == TeamType.HUBEI_AID:
                if (unit and state.org_id == unit.pk) or (not unit and state.org_path.startswith(base)):
                    found[("w", state.worker_id) if state.worker_id else ("r", state.ref)] = state
        unit_name = unit.name if unit else self.root.name
        if not found:
            planned.reasons.append(reason("no_aid_worker", name=d["name"], unit=unit_name))
            return
        if len(found) > 1:
            planned.reasons.append(reason("ambiguous_aid_worker", name=d["name"], unit=unit_name, count=len(found)))
            return
        state = next(iter(found.values()))
        if not self.in_scope(state.org_path):
            planned.reasons.append(reason("registered_elsewhere"))
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
