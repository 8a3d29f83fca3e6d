"""The importer's large-file paths: rows planned and applied a chunk at a time (the register
searched per chunk, later rows referring to workers and family members created chunks earlier),
the PostgreSQL COPY path (from COPY_MIN_ROWS rows per write) and the generic one giving the
same records, the plan stored compactly, and the fast helpers equal to what they replace."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nuanxin.care.models import Difficulty, DifficultyNote
from nuanxin.registry import normalise
from nuanxin.registry.import_models import ImportBatch, ImportRow
from nuanxin.registry.models import FamilyMember, Worker
from nuanxin.tables.imports import applysql, planner, services
from nuanxin.tables.imports import rows as r
from nuanxin.tables.tests.import_fixtures import import_bytes, table1

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚"


def _name(i: int) -> str:
    return "赵" + GIVEN[i // len(GIVEN)] + GIVEN[i % len(GIVEN)]


def _people(n: int) -> list[list]:
    return [
        [i + 1, _name(i), "男" if i % 2 else "女", "护士", "护师", f"1370000{i:04d}", "钱" + _name(i)[1:] + "（妻）",
         f"1360000{i:04d}", "", "老人无人照顾" if i % 10 == 3 else ""]
        for i in range(n)
    ]


def _file() -> bytes:
    rows = _people(120)
    n = len(rows)
    rows += [
        # the same people again, further down the file (chunks later when chunks are small)
        [n + 1, _name(0), "", "", "主管护师", "137 0000 0000", "", "", "", ""],  # a new post
        [n + 2, _name(1), "", "", "", "13700000001", "钱" + _name(1)[1:], "13911112222", "", ""],  # family phone
        [n + 3, _name(2), "", "", "", "+86 13700000002", "", "", "", "孩子无人照看"],  # a difficulty
        [n + 4, _name(4), "", "", "", "13700000004", "孙小五（女儿）", "13922223333", "", ""],  # one more family
        [n + 5, _name(0), "女", "护士", "护师", "13799999999", "", "", "", ""],  # same name, other phone: review
    ]
    return table1(rows)


def _register() -> list:
    """The register as values, to compare imports made along different paths."""
    people = []
    for w in Worker.objects.order_by("name"):
        family = sorted(w.family.values_list("name", "name_key", "relation", "mobile", "is_primary"))
        difficulties = sorted(Difficulty.objects.filter(worker=w).values_list("description", "source", "status"))
        history = sorted(w.history.values_list("history_type", flat=True))
        people.append(
            (w.name, w.name_key, w.name_pinyin, w.name_initials, w.mobile, w.mobile_tail, w.gender, w.category,
             w.post_title, w.team, w.contact_name_hint, w.organisation_id, family, difficulties, history)
        )
    return people


EXPECTED_COUNTS = {"create": 120, "update": 4, "unchanged": 0, "reject": 0, "review": 1, "total": 125}


def _import_apply_check(world) -> list:
    batch = import_bytes(world.p.yi, world.unit, _file())
    assert batch.counts == EXPECTED_COUNTS
    review = batch.rows.get(outcome="review")
    assert [(c["row"], c["line"]) for c in review.candidates] == [(0, 3)]
    services.skip_undecided(actor=world.p.yi, batch=batch)
    batch.refresh_from_db()
    services.apply_batch(actor=world.p.yi, batch=batch)
    register = _register()
    assert len(register) == 120
    by_name = {p[0]: p for p in register}
    zero, one, two, four = (by_name[_name(i)] for i in (0, 1, 2, 4))
    assert zero[8] == "主管护师" and zero[14] == ["+", "~"]
    assert one[12] == [("钱" + _name(1)[1:], "钱" + _name(1)[1:], "妻", "+8613911112222", True)]
    assert two[13] == [("孩子无人照看", "import", "open")]
    assert [m[0] for m in four[12]] == ["孙小五", "钱" + _name(4)[1:]]
    assert Difficulty.objects.count() == 13  # 12 from the first rows, one added further down
    assert FamilyMember.objects.count() == 121
    # every applied row points at its worker; the created ones say what they created
    applied = ImportRow.objects.filter(batch=batch, outcome__in=["create", "update"])
    assert applied.filter(worker__isnull=True).count() == 0
    assert applied.filter(applied__created=True).count() == 120
    # importing again creates nobody; only the rows that contradict a later row of the file
    # (another post, another family phone for the same person) change anything; undo empties the
    # register
    again = import_bytes(world.p.yi, world.unit, _file())
    assert again.counts == {**EXPECTED_COUNTS, "create": 0, "update": 4, "unchanged": 120}
    assert list(again.rows.filter(outcome="update").values_list("line", flat=True)) == [3, 4, 123, 124]
    deleted_before = Worker.history.filter(history_type="-").count()
    services.undo_batch(actor=world.p.yi, batch=batch)
    assert (Worker.objects.count(), FamilyMember.objects.count(), Difficulty.objects.count()) == (0, 0, 0)
    # deletions recorded as django-simple-history records them, one "-" row each, by the user
    assert Worker.history.filter(history_type="-").count() - deleted_before == 120
    assert Worker.history.filter(history_type="-", history_user=world.p.yi).count() >= 120
    gone = {w.name: w for w in Worker.history.filter(history_type="-").order_by("-history_id")[:120]}
    assert gone[_name(0)].post_title == "主管护师"  # the values as they were when deleted
    assert DifficultyNote.objects.count() == 0
    # the rows of the later dry run that named these workers lose the link, as SET_NULL says
    assert again.rows.filter(worker__isnull=False).count() == 0
    return register


def test_chunked_planning_and_apply_give_the_same_register(world, monkeypatch):
    """One chunk; chunks of the COPY path's size; tiny chunks (the generic writes): later rows
    refer to workers and family members created chunks earlier, the register is searched per
    chunk, and the register comes out the same."""
    registers = []
    for plan_chunk, apply_chunk in [(5000, 5000), (53, 55), (7, 6)]:
        monkeypatch.setattr(planner, "CHUNK", plan_chunk)
        monkeypatch.setattr(applysql, "APPLY_CHUNK", apply_chunk)
        registers.append(_import_apply_check(world))
    assert registers[0] == registers[1] == registers[2]


def test_the_plan_is_stored_compactly(world):
    data = table1([
        [1, "张三", "男", "医生", "主治医师", "13800001111", "李四（妻）", "13900001111", "", ""],
        [2, "王五", "男", "医生", "", "1380000", "", "", "", ""],
    ])
    batch = import_bytes(world.p.yi, world.unit, data)
    created, rejected = batch.rows.order_by("index")
    assert created.outcome == "create" and created.raw == []
    assert created.data == {
        "name": "张三", "key": "张三", "mobile": "+8613800001111", "unit_id": world.unit.pk, "pinyin": "zhangsan",
        "initials": "zs",
    }
    assert created.changes["family_add"] == [
        {"name": "李四", "key": "李四", "relation": "妻", "mobile": "+8613900001111", "is_primary": True}
    ]
    assert rejected.outcome == "reject" and rejected.data == {"name": "王五"}
    assert rejected.raw == ["2", "王五", "男", "医生", "", "1380000", "", "", "", ""]


NAMES = st.text(alphabet="张王李赵 伟芳娜·•・．. ＡbＣ１23\u3000\t-_", max_size=12)


@settings(max_examples=300, deadline=None)
@given(raw=NAMES, mobile=st.sampled_from(["", "+8613800001234", "+865328566912"]))
def test_derived_values_are_the_models_own(raw, mobile):
    w = Worker(name=raw, mobile=mobile)
    w.refresh_derived()
    assert services.worker_derived(raw, mobile) == (w.name, w.name_key, w.name_pinyin, w.name_initials, w.mobile_tail)
    f = FamilyMember(name=raw)
    f.refresh_derived()
    assert services.family_derived(raw) == (f.name, f.name_key)
    assert r.key_of_name(normalise.name(raw)) == normalise.name_key(raw)
    # the apply writes the plan's name, key and pinyin as they are: name must be idempotent
    assert normalise.name(normalise.name(raw)) == normalise.name(raw)


CELLS = st.lists(st.sampled_from(["", " ", "\u3000", "1", "张三", "填表人：李四", "合计", "注：无", "x"]), max_size=5)


@settings(max_examples=300, deadline=None)
@given(cells=CELLS, seq=st.sampled_from([None, 0, 1]))
def test_skip_row_is_blank_or_footer(cells, seq):
    columns = {} if seq is None else {"seq": seq}
    assert r.skip_row(cells, columns) == (r.is_blank(cells, columns) or r.is_footer(cells, columns))


def test_array_parameters_round_trip():
    """Long IN lists go to PostgreSQL as one array literal; any text survives the quoting."""
    from django.db import connection

    from nuanxin.tables.imports import bulk

    if not bulk.is_postgres():
        pytest.skip("PostgreSQL only")
    texts = ["张三", 'a"b', "c\\d", "{e,f}", " g ", "", "NULL", "h'i"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT unnest(%s::text[])", [bulk.text_array(texts)])
        assert [t for (t,) in cursor.fetchall()] == texts
        cursor.execute("SELECT unnest(%s::integer[])", [bulk.int_array([3, 1, 2])])
        assert [i for (i,) in cursor.fetchall()] == [3, 1, 2]


def test_many_updates_and_their_undo(world):
    """60 workers and 60 family members updated at once (PostgreSQL: one UPDATE per set of
    changed fields and history rows copied by the database; elsewhere bulk_update_with_history):
    the new values, a "~" history row each by the user, then undo puts the old values back."""
    first = services.apply_batch(actor=world.p.yi, batch=import_bytes(world.p.yi, world.unit, table1(_people(60))))
    stamps = (dict(Worker.objects.values_list("pk", "updated_at")),
              dict(FamilyMember.objects.values_list("pk", "updated_at")))
    changed = _people(60)
    for i, row in enumerate(changed):
        row[4] = "主管护师"
        if i % 2:
            row[7] = f"1350000{i:04d}"  # a new family phone for every other worker
    batch = import_bytes(world.p.yi, world.unit, table1(changed))
    assert batch.counts["update"] == 60
    services.apply_batch(actor=world.p.yi, batch=batch)
    assert Worker.objects.filter(post_title="主管护师").count() == 60
    assert FamilyMember.objects.filter(mobile__startswith="+86135").count() == 30
    assert Worker.history.filter(history_type="~", history_user=world.p.yi).count() == 60
    assert FamilyMember.history.filter(history_type="~", history_user=world.p.yi).count() == 30
    w = Worker.objects.get(name=_name(7))
    assert (w.name_key, w.name_pinyin, w.name_initials, w.mobile_tail) == (
        _name(7), normalise.pinyin(_name(7))[0], normalise.pinyin(_name(7))[1], "0007"
    )
    assert w.updated_at <= ImportBatch.objects.get(pk=batch.pk).applied_until
    services.undo_batch(actor=world.p.yi, batch=batch)
    assert Worker.objects.filter(post_title="护师").count() == 60
    assert FamilyMember.objects.filter(mobile__startswith="+86136").count() == 60
    assert Worker.history.filter(history_type="~").count() == 120
    # restored as they were, their time of change included: the first batch can be undone in its turn
    assert (dict(Worker.objects.values_list("pk", "updated_at")),
            dict(FamilyMember.objects.values_list("pk", "updated_at"))) == stamps
    services.undo_batch(actor=world.p.yi, batch=first)
    assert (Worker.objects.count(), FamilyMember.objects.count()) == (0, 0)


def test_the_postgres_fast_path_writes_what_the_orm_path_writes(world, monkeypatch):
    """The ORM path (``apply``) is the reference; on PostgreSQL ``applysql`` writes the new
    workers and family members from the stored plan in the database itself. The same file,
    applied along each path in turn (undone in between), leaves the same records: the register
    with its history, the family members' history, the difficulties and their notes, what each
    row says it wrote, and the audit rows."""
    from collections import Counter

    from nuanxin.core.models import AuditLog
    from nuanxin.tables.imports import bulk

    if not bulk.is_postgres():
        pytest.skip("the fast path (applysql) runs on PostgreSQL only; elsewhere the ORM path is the only one")
    results = []
    real = applysql.writes_in_database
    for fast in (False, True):
        monkeypatch.setattr(applysql, "writes_in_database", lambda batch, f=fast: real(batch) if f else False)
        batch = import_bytes(world.p.yi, world.unit, _file())
        assert batch.counts == EXPECTED_COUNTS
        services.skip_undecided(actor=world.p.yi, batch=batch)
        batch.refresh_from_db()
        assert applysql.writes_in_database(batch) is fast
        audit_before = AuditLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        services.apply_batch(actor=world.p.yi, batch=batch)
        workers = {w.pk: w.name for w in Worker.objects.all()}
        rows = [
            (r.index, r.outcome, workers.get(r.worker_id), sorted((r.applied or {}).keys()),
             len((r.applied or {}).get("family", [])))
            for r in ImportRow.objects.filter(batch=batch).order_by("index")
        ]
        family_history = sorted(
            FamilyMember.history.filter(worker_id__in=list(workers)).values_list("name", "history_type", "history_user")
        )
        notes = sorted(DifficultyNote.objects.values_list("difficulty__description", "kind", "author", "to_status"))
        audit = Counter(
            (a.action, a.actor_id, a.object_type)
            for a in AuditLog.objects.filter(pk__gt=audit_before).exclude(action="import.apply")
        )
        applied = AuditLog.objects.get(pk__gt=audit_before, action="import.apply").detail
        results.append((_register(), rows, family_history, notes, audit, applied))
        services.undo_batch(actor=world.p.yi, batch=batch)
        assert Worker.objects.count() == 0
    orm, fast = results
    parts = ("register", "rows", "family history", "notes", "audit", "apply detail")
    for name, a, b in zip(parts, orm, fast, strict=True):
        assert a == b, name
    assert len(orm[0]) == 120 and len(orm[2]) >= 121 and len(orm[3]) == 13
