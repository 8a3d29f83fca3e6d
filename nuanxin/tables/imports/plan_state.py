"""The dry run, part two: what the register holds for the rows being planned: the units a
table names (``Units``, within the batch's organisation and the user's grants), the state of
each worker met (``State``: the worker, family, open difficulties, assignment, deployments,
loaded a chunk of names at a time), the current campaign and the care contacts by name with
the organisation paths their grants cover (``Contacts``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from nuanxin.core.roles import Role
from nuanxin.orgs import scope
from nuanxin.registry import normalise
from nuanxin.tables.imports import bulk, unit_names

WORKER_FIELDS = ("gender", "category", "post_title", "team", "contact_name_hint")


# --- units ----------------------------------------------------------------------------------


def _org_keys(name: str) -> set[str]:
    return unit_names.exact_keys(name)


@dataclass(frozen=True, slots=True)
class UnitMatch:
    """What a unit written in a table names: an organisation taken (``org``, with a ``note``
    for the row when the text is not simply its name), organisations offered for a person to
    confirm (``candidates``), or neither (``problem``: a reason code)."""

    org: Any = None
    problem: str = ""
    note: dict | None = None
    candidates: tuple = ()


MAX_CANDIDATES = 5  # more close matches than this: the text says too little (unknown)
CLOSE_TEXTS = 1000  # distinct texts searched for close matches per file (the rest: unknown)


class Units:
    """Resolve unit names written in a table to organisations under the batch's organisation:
    exactly, then leniently, then a close match offered to confirm (``unit_names``). Every
    answer is cached per distinct text. An organisation outside the acting user's scope is
    never named, taken or offered: such a text gets the answer of an unknown one.

    A text is taken as one organisation only when it names that one alone. Its name as written
    (or without 工会, or its code) wins outright, and so does a text whose lenient form is the
    organisation's whole name (``unit_names.canonical``: 青岛市中心医院（盖章）). A text that fits
    only after dropping the front of the name (the city: 中心医院 for 青岛市中心医院工会) is not
    sure when another organisation's name also ends with it (西海岸新区中心医院工会: the same
    text with another place in front): the row waits for a person with all of them offered, the
    closest first. Organisations that contain the text elsewhere (市立医院西海岸分院 for 市立医院)
    match only by dropping more, and do not stand in the way."""

    def __init__(self, root, in_scope=None):
        from nuanxin.orgs.models import Organisation

        self.root = root
        self.in_scope = in_scope or (lambda path: True)  # whether the acting user covers a path
        self.by_key: dict[str, list] = {}
        self.by_lenient: dict[str, list] = {}
        self.by_id = {}
        # the organisations under the root: (org, characters of its forms, distinct characters
        # of its shortest form, ((form, matcher), …))
        self.inside: list[tuple[Any, frozenset, int, tuple]] = []
        self.plain: dict[int, set[str]] = {}
        self.whole: dict[int, str] = {}  # an organisation's name, leniently, the city kept
        self.forms: dict[int, frozenset] = {}  # an organisation's lenient forms
        for org in Organisation.objects.only("id", "path", "name", "code").order_by("path"):
            self.by_id[org.pk] = org
            code = normalise.name_key(org.code)
            for key in _org_keys(org.name) | {code}:
                self.by_key.setdefault(key, []).append(org)
            lenient = unit_names.lenient_keys(org.name)
            for key in lenient:
                found = self.by_lenient.setdefault(key, [])
                if org not in found:
                    found.append(org)
            if org.path.startswith(root.path):
                fewest = len(set(min(lenient, key=len)))
                matchers = tuple((k, unit_names.matcher(k)) for k in lenient)
                self.inside.append((org, frozenset("".join(lenient)), fewest, matchers))
            self.plain[org.pk] = unit_names.plain_keys(org.name) | {code}
            self.whole[org.pk] = unit_names.canonical(org.name)
            self.forms[org.pk] = lenient
        # a single unit: the organisation chosen has no organisation under it
        self.single = len(self.inside) == 1 and self.inside[0][0].pk == root.pk
        self.cache: dict[str, tuple] = {}
        self.matches: dict[tuple[str, bool], UnitMatch] = {}
        self.close_searched = 0
        self._endings: dict[str, list] | None = None  # built when first needed (``_rivals``)

    def resolve(self, text: str):
        """(organisation or None, reason code or ""): exactly or leniently; a text that is only
        close to organisations, or that nothing matches, is "unit_unknown"."""
        found = self.cache.get(text)
        if found is None:
            m = self.match(text, assume=False)
            found = self.cache[text] = (m.org, "" if m.org else (m.problem or "unit_unknown"))
        return found

    def match(self, text: str, *, assume: bool = True) -> UnitMatch:
        """What ``text`` names. With ``assume`` (a 单位 cell), a text that names nothing goes to
        the organisation chosen when it is a single unit, with a note."""
        key = (text, assume)
        found = self.matches.get(key)
        if found is None:
            found = self.matches[key] = self._match(text, assume)
        return found

    def _taken(self, text: str, org) -> UnitMatch:
        note = None
        if normalise.name_key(text) not in self.plain[org.pk]:
            note = {"code": "unit_matched", "params": {"value": text, "unit": org.name}}
        return UnitMatch(org=org, note=note)

    def _named(self, text: str, org) -> bool:
        """Whether ``text`` is ``org``'s name itself: as written, without 工会, its code, or
        leniently the whole name (spaces, brackets, 工会委员会, abbreviations; a campus)."""
        if normalise.name_key(text) in self.plain[org.pk]:
            return True
        return self.whole[org.pk] in unit_names.base_forms(text)

    def _rivals(self, text: str, org) -> list:
        """The other organisations under the root whose name ends with the text as well (the
        text fits them with another place in front): 西海岸新区中心医院工会 for 中心医院."""
        if self._endings is None:
            self._endings = {}
            for other, _chars, _fewest, matchers in self.inside:
                for form, _m in matchers:
                    for i in range(len(form) - 1):
                        found = self._endings.setdefault(form[i:], [])
                        if not found or found[-1] is not other:
                            found.append(other)
        rivals: list = []
        own = self.forms[org.pk]
        for form in unit_names.base_forms(text):
            if not any(o.endswith(form) for o in own):
                continue  # not the form it was taken by (市立医院 of 市立医院东院区 for that campus)
            for other in self._endings.get(form, ()):
                if other.pk != org.pk and other not in rivals:
                    rivals.append(other)
        return rivals

    def ordered(self, text: str, orgs) -> tuple:
        """``orgs`` (at most ``MAX_CANDIDATES``) the closest to ``text`` first, then by path."""
        forms = unit_names.lenient_keys(text, campus=True)
        ranked = sorted(orgs, key=lambda o: (-unit_names.likeness(forms, self.forms[o.pk]), o.path))
        return tuple(ranked[:MAX_CANDIDATES])

    def _level(self, text: str, found: list) -> UnitMatch | None:
        inside = [o for o in found if o.path.startswith(self.root.path)]
        if len(inside) == 1:
            org = inside[0]
            if self._named(text, org):
                return self._taken(text, org)
            rivals = self._rivals(text, org)
            if not rivals:
                return self._taken(text, org)
            return UnitMatch(candidates=self.ordered(text, [org, *rivals]), problem="unit_unknown")
        if len(inside) > 1:
            named = [o for o in inside if self._named(text, o)]
            if len(named) == 1:
                return self._taken(text, named[0])
            return UnitMatch(candidates=self.ordered(text, inside), problem="unit_unknown")
        if any(self.in_scope(o.path) for o in found):
            # the user's, but not under the organisation chosen
            return UnitMatch(problem="unit_outside_org")
        return None  # unknown, or someone else's: one answer, so the file cannot probe them

    def _match(self, text: str, assume: bool) -> UnitMatch:
        found: list = []
        for k in _org_keys(text):
            for org in self.by_key.get(k, ()):
                if org not in found:
                    found.append(org)
        answer = self._level(text, found)
        if answer is not None:
            return answer
        # the lenient forms, first as written, then without a campus (本部, 东院区): a campus that
        # is an organisation of its own is found by the first
        written = unit_names.lenient_keys(text)
        forms = unit_names.lenient_keys(text, campus=True)
        for level in (written, forms - written):
            found = []
            for k in level:
                for org in self.by_lenient.get(k, ()):
                    if org not in found:
                        found.append(org)
            answer = self._level(text, found)
            if answer is not None:
                return answer
        if self.single:
            # a part of the unit's own name (附属医院 in 青岛大学附属医院工会) is the unit
            own = self.forms[self.root.pk]
            if any(len(f) >= 2 and any(f in o for o in own) for f in forms):
                return self._taken(text, self.root)
            if assume:
                return UnitMatch(
                    org=self.root, note={"code": "unit_assumed", "params": {"value": text, "unit": self.root.name}}
                )
            return UnitMatch(problem="unit_unknown")
        close = self._close(text, forms)
        if 0 < len(close) <= MAX_CANDIDATES:
            return UnitMatch(candidates=tuple(close), problem="unit_unknown")
        return UnitMatch(problem="unit_unknown")

    def _close(self, text: str, forms) -> list:
        """The organisations under the root close to one of ``forms`` (of ``text``), closest
        first (``unit_names.likeness``, then the kind of closeness, then the path)."""
        if self.close_searched >= CLOSE_TEXTS or not forms:
            return []
        self.close_searched += 1
        scored = []
        closeness = unit_names.closeness
        short = len(normalise.name_key(text)) >= unit_names.MIN_CLOSE  # 附属医院 → 附院
        sets = [(a, set(a)) for a in forms]
        for org, chars, fewest, lenient in self.inside:
            # first by the characters the two share (cheap; every close pair shares most of the
            # shorter one's): a file's thousand texts against a city's hundreds of organisations
            near = [a for a, own in sets if len(own & chars) >= max(2, 0.6 * min(len(own), fewest))]
            if not near:
                continue
            best = max((closeness(a, b, m, short=short) for a in near for b, m in lenient), default=0.0)
            if best > 0:
                scored.append((-best, org.path, org))
        if len(scored) > MAX_CANDIDATES:  # too many to offer: only their number matters
            return [org for _best, _path, org in scored]
        # the few offered, the one most alike first (a ratio per pair: only for these)
        ranked = sorted((-unit_names.likeness(forms, self.forms[o.pk]), best, path, o) for best, path, o in scored)
        return [o for _alike, _best, _path, o in ranked]


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
