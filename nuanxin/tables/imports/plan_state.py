"""The dry run, part two: what the register holds for the rows being planned: the units a
table names (``Units``, within the batch's organisation and the user's grants), the state of
each worker met (``State``: the worker, family, open difficulties, assignment, deployments,
loaded a chunk of names at a time), the current campaign and the care contacts by name with
the organisation paths their grants cover (``Contacts``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from nuanxin.core.roles import Role
from nuanxin.orgs import scope
from nuanxin.registry import normalise
from nuanxin.tables.imports import bulk

WORKER_FIELDS = ("gender", "category", "post_title", "team", "contact_name_hint")


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
    """The campaign an import assigns care contacts in: the running one (care decides which)."""
    from nuanxin.care.selectors import running_campaign

    return running_campaign()


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
