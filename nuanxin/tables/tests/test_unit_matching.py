"""Unit texts matched leniently to organisations (issue 14, item 6): the hospital names people
write (市立医院, 青岛市立医院, 青岛市市立医院本部) are taken as the union in the tree (青岛市市立医院工会)
with a note; a close match waits for a person to confirm it in the dry run; a single unit takes
the rows whose unit it cannot recognise, with a warning; an organisation outside the user's
scope is answered like one that does not exist."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from nuanxin.core.errors import Conflict, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.orgs import services as org_services
from nuanxin.orgs.choices import OrgKind
from nuanxin.orgs.models import Organisation
from nuanxin.registry.import_models import Decision, ImportBatch, Outcome
from nuanxin.registry.models import Deployment, Worker
from nuanxin.tables.imports import plan_state, services, unit_names
from nuanxin.tables.imports.messages import render_all
from nuanxin.tables.tests.import_fixtures import import_bytes, outcomes, table1, xlsx_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

HEADER2 = ["序号", "姓名", "单位", "性别", "联系方式"]
HEADER3 = ["姓名", "单位", "在武汉使用的手机号", "手机运营商"]


class Hospitals:
    """Hospital unions under the medical union (青岛市医务工会)."""

    def __init__(self, personas):
        self.p = personas
        create = org_services.create_organisation
        medical = personas.medical_union
        self.shili = create(
            actor=SYSTEM, code="YW-SL", name="青岛市市立医院工会", kind=OrgKind.UNIT_UNION, parent=medical
        )
        self.branch = create(
            actor=SYSTEM, code="YW-SLXHA", name="青岛市市立医院西海岸分院工会", kind=OrgKind.UNIT_UNION, parent=medical
        )
        self.tcm = create(
            actor=SYSTEM, code="YW-ZY", name="青岛市中医医院工会", kind=OrgKind.UNIT_UNION, parent=medical
        )
        self.first = create(
            actor=SYSTEM, code="YW-RM1", name="青岛市第一人民医院工会", kind=OrgKind.UNIT_UNION, parent=medical
        )
        self.fuda = create(
            actor=SYSTEM, code="YW-FY", name="青岛大学附属医院工会", kind=OrgKind.UNIT_UNION, parent=medical
        )

    def fresh(self, org):
        return Organisation.objects.get(pk=org.pk)  # paths move as sorted siblings are added

    @property
    def medical(self):
        return self.fresh(self.p.medical_union)


@pytest.fixture
def h(personas):
    return Hospitals(personas)


def _units(h, root=None, user=None):
    from nuanxin.tables.imports.planner import Planner

    return Planner(organisation=root or h.medical, actor=user or h.p.jia).units


def _table2(rows):
    return xlsx_bytes([["抗疫一线医护职工联系表"], HEADER2, *rows])


def _table3(rows):
    return xlsx_bytes([["青岛市援鄂医疗队成员在鄂期间联系方式统计表"], HEADER3, *rows])


def _codes(items):
    return [x["code"] for x in items]


# --- the forms of a name ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,form",
    [
        ("青岛市市立医院工会", "青岛市市立医院"),
        ("青岛市 市立医院（本部）", "青岛市市立医院本部"),
        ("青岛市市立医院(盖章)", "青岛市市立医院"),
        ("青岛大学附属医院", "青大附院"),
        ("青岛市中医医院", "青岛市中医院"),
        ("青岛市第一人民医院", "青岛市一人医"),
        ("青岛市第１人民医院", "青岛市一人医"),  # full-width digit
        ("市南区总工会", "市南区"),
        ("青岛市医务工会委员会", "青岛市医务"),
    ],
)
def test_canonical_forms(text, form):
    assert unit_names.canonical(text) == form


def test_lenient_forms_drop_the_city_and_on_the_tables_side_the_campus():
    assert unit_names.lenient_keys("青岛市市立医院工会") == {"青岛市市立医院", "市市立医院", "市立医院"}
    assert "市立医院" in unit_names.lenient_keys("青岛市市立医院东院区", campus=True)
    assert "市立医院" not in unit_names.lenient_keys("青岛市市立医院东院区")
    # 分院 is kept: a branch is often a unit of its own
    assert "市立医院" not in unit_names.lenient_keys("市立医院分院", campus=True)


def test_closeness_keeps_districts_apart():
    assert unit_names.closeness("市立医院", "市立医院急诊科") > 0  # contained
    assert unit_names.closeness("青大附院", "青大医学院附院") > 0  # a subsequence
    assert unit_names.closeness("市北区人医", "市南区人医") == 0  # one character, another unit
    assert unit_names.closeness("人医", "市南区人医") == 0  # too short to say anything


# --- matching ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["市立医院", "青岛市立医院", "青岛市市立医院本部", "青岛 市立医院（本部）", "市立医院东院区", "青岛市市立医院总院"],
)
def test_the_issues_spellings_are_taken_as_the_union_with_a_note(h, text):
    m = _units(h).match(text)
    assert m.org == h.shili and m.candidates == ()
    assert m.note == {"code": "unit_matched", "params": {"value": text, "unit": "青岛市市立医院工会"}}
    assert render_all([m.note]) == [f"Unit “{text}” was taken as 青岛市市立医院工会."]


@pytest.mark.parametrize("text", ["青岛市市立医院工会", "青岛市市立医院", "青岛市\u3000市立医院 ", "YW-SL"])
def test_the_name_itself_needs_no_note(h, text):
    m = _units(h).match(text)
    assert (m.org, m.note) == (h.shili, None)


@pytest.mark.parametrize(
    "text,org",
    [
        ("青岛市中医院", "tcm"),
        ("中医院", "tcm"),
        ("青大附院", "fuda"),
        ("青岛市第1人民医院", "first"),
        ("一人医", "first"),
    ],
)
def test_common_abbreviations(h, text, org):
    m = _units(h).match(text)
    assert m.org == getattr(h, org) and m.note["code"] == "unit_matched"


def test_a_campus_that_is_an_organisation_of_its_own_is_taken_as_itself(h):
    campus = org_services.create_organisation(
        actor=SYSTEM, code="YW-SLDY", name="青岛市市立医院东院区工会", kind=OrgKind.UNIT_UNION, parent=h.medical
    )
    units = _units(h)
    assert units.match("市立医院东院区").org == campus
    assert units.match("青岛市市立医院（东院区）").org == campus
    assert units.match("市立医院本部").org == h.shili


def test_a_close_text_is_offered_not_taken(h):
    units = _units(h)
    m = units.match("青岛市市立医院急诊科")
    assert (m.org, list(m.candidates)) == (None, [h.shili])
    # 分院 is never dropped: the branch and the main hospital are both offered, the closest first
    m = units.match("市立医院分院")
    assert (m.org, list(m.candidates)) == (None, [h.shili, h.branch])


def test_a_vague_or_unknown_text_is_unknown(h):
    units = _units(h)
    for text in ("不存在的医院", "医院", "人医"):
        m = units.match(text)
        assert (m.org, m.candidates, m.problem) == (None, (), "unit_unknown")
    # the kind of a hospital written in full (four characters) offers the few organisations of
    # that kind; among more than five it says too little
    assert units.match("人民医院").candidates == (h.first,)
    for n in range(2, 7):
        org_services.create_organisation(
            actor=SYSTEM, code=f"YW-RM{n}", name=f"青岛市第{n}人民医院工会", kind=OrgKind.UNIT_UNION, parent=h.medical
        )
    assert _units(h).match("人民医院").candidates == ()


def test_close_matches_are_searched_for_a_limited_number_of_texts(h, monkeypatch):
    monkeypatch.setattr(plan_state, "CLOSE_TEXTS", 1)
    units = _units(h)
    assert units.match("青岛市市立医院急诊科").candidates == (h.shili,)
    assert units.match("青岛市中医医院急诊科").candidates == ()  # past the limit: unknown
    assert units.match("青岛市市立医院急诊科").candidates == (h.shili,)  # cached


def test_outside_the_users_scope_is_the_same_answer_as_unknown(h):
    shinan = h.fresh(h.p.shinan)
    # 乙 (市南区) writes a hospital of the medical union, outside his scope, leniently or exactly
    units = _units(h, root=shinan, user=h.p.yi)
    for text in ("市立医院", "青岛市市立医院工会", "市立医院急诊科", "市北区人民医院", "不存在的医院"):
        m = units.match(text)
        assert (m.org, m.candidates, m.problem, m.note) == (None, (), "unit_unknown", None), text
    # the city administrator is told it is not under the organisation chosen
    units = _units(h, root=shinan, user=h.p.jia)
    assert units.match("市立医院").problem == "unit_outside_org"
    assert units.match("市立医院急诊科").problem == "unit_unknown"  # close matches: only under the root


def test_district_names_one_character_apart_are_not_close(h):
    units = _units(h, root=h.fresh(h.p.shinan), user=h.p.yi)
    assert units.match("市北区人民医院急诊科").candidates == ()
    assert units.match("市南区人民医院急诊科").candidates == (h.p.shinan_hospital,)


def test_a_single_unit_takes_what_it_cannot_recognise_with_a_warning(h):
    units = _units(h, root=h.fresh(h.shili), user=h.p.jia)
    assert units.single
    m = units.match("本院")
    assert m.org == h.shili
    assert render_all([m.note]) == [
        "Unit “本院” is not the name of this unit (青岛市市立医院工会); the row is taken as this unit's. Check it."
    ]
    assert units.match("市立医院急诊科").org == h.shili
    # a unit of the user's elsewhere is still said to be elsewhere
    assert units.match("青岛市中医院").problem == "unit_outside_org"
    assert not _units(h).single


# --- tables 1 and 2 ---------------------------------------------------------------------------


def test_rows_of_a_city_wide_table_2_go_to_their_hospitals(h):
    data = _table2(
        [
            [1, "甲一", "市立医院", "男", "13800001111"],
            [2, "甲二", "青岛市中医院", "女", "13800001112"],
            [3, "甲三", "青岛市市立医院工会", "女", "13800001113"],
            [4, "甲四", "市立医院急诊科", "男", "13800001114"],
            [5, "甲五", "不存在的医院", "男", "13800001115"],
        ]
    )
    batch = import_bytes(h.p.jia, h.medical, data)
    assert outcomes(batch) == [(3, "create"), (4, "create"), (5, "create"), (6, "review"), (7, "reject")]
    rows = {r.line: r for r in batch.rows.all()}
    assert (rows[3].data["unit_id"], rows[4].data["unit_id"], rows[5].data["unit_id"]) == (
        h.shili.pk,
        h.tcm.pk,
        h.shili.pk,
    )
    assert "unit_matched" in _codes(rows[3].reasons) and "unit_matched" not in _codes(rows[5].reasons)
    assert rows[6].candidates == [{"org": h.shili.pk, "unit": "青岛市市立医院工会", "code": "YW-SL"}]
    assert render_all(rows[6].reasons) == [
        "Unit “市立医院急诊科” is not the name of an organisation under 青岛市医务工会; confirm which of these it "
        "is, or do not import the row."
    ]
    assert render_all(rows[7].reasons) == ["Unit “不存在的医院” is not an organisation under 青岛市医务工会."]
    assert batch.counts["review"] == 1


def test_a_confirmed_unit_plans_the_row_with_it_and_applying_writes_it(h):
    data = _table2([[1, "甲四", "市立医院急诊科", "男", "13800001114"]])
    batch = import_bytes(h.p.jia, h.medical, data)
    row = batch.rows.get()
    with pytest.raises(ServiceError):
        services.decide_row(actor=h.p.jia, batch=batch, row=row, decision=Decision.NEW)  # not a person's choice
    with pytest.raises(ServiceError):
        services.decide_row(actor=h.p.jia, batch=batch, row=row, decision="unit", candidate=3)
    row = services.decide_row(actor=h.p.jia, batch=batch, row=row, decision="unit", candidate=0)
    assert (row.outcome, row.decision, row.data["unit_id"]) == (Outcome.CREATE, "", h.shili.pk)
    assert render_all(row.reasons)[-1] == "Decided: the unit “市立医院急诊科” is 青岛市市立医院工会."
    log = AuditLog.objects.filter(action="import.decide").get()
    assert log.detail["organisation"] == "青岛市市立医院工会" and log.detail["outcome"] == "create"
    batch.refresh_from_db()
    assert batch.counts["review"] == 0 and batch.counts["create"] == 1
    services.apply_batch(actor=h.p.jia, batch=batch)
    assert Worker.objects.get().organisation_id == h.shili.pk


def test_a_confirmed_unit_can_lead_to_a_likely_duplicate_decided_next(h):
    first = import_bytes(h.p.jia, h.fresh(h.shili), _table2([[1, "甲四", "", "男", "13800001114"]]))
    services.apply_batch(actor=h.p.jia, batch=first)
    batch = import_bytes(h.p.jia, h.medical, _table2([[1, "甲四", "市立医院急诊科", "男", "13900001114"]]))
    row = services.decide_row(actor=h.p.jia, batch=batch, row=batch.rows.get(), decision="unit", candidate=0)
    assert row.outcome == Outcome.REVIEW and row.decision == ""
    assert [c["worker"] for c in row.candidates] == [Worker.objects.get().pk]
    assert _codes(row.reasons) == ["likely_duplicate", "unit_confirmed"]
    row = services.decide_row(actor=h.p.jia, batch=batch, row=row, decision=Decision.SAME, candidate=0)
    assert row.outcome == Outcome.UPDATE and row.changes["worker"]["mobile"][1] == "+8613900001114"
    assert "unit_confirmed" in _codes(row.reasons)


def test_a_row_whose_unit_nobody_confirms_is_left_out_with_its_own_reason(h):
    data = _table2(
        [[1, "甲四", "市立医院急诊科", "男", "13800001114"], [2, "甲五", "市立医院分院", "男", "13800001115"]]
    )
    batch = import_bytes(h.p.jia, h.medical, data)
    first, second = batch.rows.order_by("index")
    row = services.decide_row(actor=h.p.jia, batch=batch, row=first, decision=Decision.SKIP)
    assert (row.outcome, row.decision, _codes(row.reasons)) == (Outcome.REJECT, Decision.SKIP, ["unit_skipped"])
    assert services.skip_undecided(actor=h.p.jia, batch=batch) == 1
    second.refresh_from_db()
    assert render_all(second.reasons) == [
        "Not imported: nobody confirmed which organisation the unit “市立医院分院” is."
    ]
    # a person may still change their mind while the batch is not applied
    row = services.decide_row(actor=h.p.jia, batch=batch, row=row, decision="unit", candidate=0)
    assert row.outcome == Outcome.CREATE


def test_confirming_a_unit_refuses_to_write_a_person_twice(h):
    data = _table2([[1, "甲四", "市立医院急诊科", "男", "13800001114"], [2, "甲四", "市立医院", "男", "13800001114"]])
    batch = import_bytes(h.p.jia, h.medical, data)
    assert outcomes(batch) == [(3, "review"), (4, "create")]
    with pytest.raises(Conflict) as exc:
        services.decide_row(actor=h.p.jia, batch=batch, row=batch.rows.get(line=3), decision="unit", candidate=0)
    assert "Row 4" in str(exc.value.message)
    assert batch.rows.get(line=3).outcome == Outcome.REVIEW


def test_an_earlier_row_of_the_same_person_is_seen_when_the_unit_is_confirmed(h):
    data = _table2([[1, "甲四", "市立医院", "男", "13800001114"], [2, "甲四", "市立医院急诊科", "女", "13800001114"]])
    batch = import_bytes(h.p.jia, h.medical, data)
    row = services.decide_row(actor=h.p.jia, batch=batch, row=batch.rows.get(line=4), decision="unit", candidate=0)
    assert (row.outcome, row.ref_index) == (Outcome.UPDATE, 0)
    assert row.changes == {"worker": {"gender": ["male", "female"]}}
    assert _codes(row.reasons)[:1] == ["same_as_row"]
    services.apply_batch(actor=h.p.jia, batch=batch)
    assert Worker.objects.get().gender == "female"


def test_a_decided_row_another_decision_built_on_cannot_be_changed(h):
    data = _table2(
        [[1, "甲四", "市立医院急诊科", "男", "13800001114"], [2, "甲四", "市立医院感染科", "女", "13800001114"]]
    )
    batch = import_bytes(h.p.jia, h.medical, data)
    first, second = batch.rows.order_by("index")
    services.decide_row(actor=h.p.jia, batch=batch, row=first, decision="unit", candidate=0)
    second = services.decide_row(actor=h.p.jia, batch=batch, row=second, decision="unit", candidate=0)
    assert (second.outcome, second.ref_index) == (Outcome.UPDATE, first.index)
    with pytest.raises(Conflict) as exc:
        services.decide_row(actor=h.p.jia, batch=batch, row=first, decision=Decision.SKIP)
    assert "Row 4" in str(exc.value.message)
    first.refresh_from_db()
    assert first.outcome == Outcome.CREATE
    services.apply_batch(actor=h.p.jia, batch=batch)
    assert Worker.objects.get().gender == "female"


def test_a_single_unit_import_keeps_unrecognised_rows_with_a_warning(h):
    data = _table2([[1, "甲一", "本院", "男", "13800001111"], [2, "甲二", "青岛市中医院", "男", "13800001112"]])
    batch = import_bytes(h.p.jia, h.fresh(h.shili), data)
    assert outcomes(batch) == [(3, "create"), (4, "reject")]
    assert _codes(batch.rows.get(line=3).reasons) == ["unit_assumed", "team_default"]
    assert _codes(batch.rows.get(line=4).reasons) == ["unit_outside_org"]


def test_the_填报单位_row_is_placed_as_before(h):
    """A sheet without a 单位 column: the 填报单位 row names the unit, leniently now; one it cannot
    place leaves the rows with the organisation chosen, without a note, as before."""
    rows = [[1, "张三", "男", "医生", "主治医师", "13800001111", "", "", "", ""]]
    from nuanxin.tables.tests.import_fixtures import TABLE1_HEADER

    data = xlsx_bytes([["青岛市援鄂医疗队成员联系表"], ["填报单位：市立医院（盖章）"], TABLE1_HEADER, *rows])
    batch = import_bytes(h.p.jia, h.medical, data)
    row = batch.rows.get()
    assert (row.outcome, row.data["unit_id"], row.reasons) == (Outcome.CREATE, h.shili.pk, [])
    data = xlsx_bytes([["青岛市援鄂医疗队成员联系表"], ["填报单位：市立医院急诊科"], TABLE1_HEADER, *rows])
    row = import_bytes(h.p.jia, h.medical, data).rows.get()
    assert (row.outcome, row.data["unit_id"], row.reasons) == (Outcome.CREATE, h.p.medical_union.pk, [])


# --- table 3 ----------------------------------------------------------------------------------


def _aid_team(h):
    """Aid-team workers registered in two hospitals (table 1 of each)."""
    for org, name, mobile in ((h.shili, "王医生", "13800002001"), (h.tcm, "李护士", "13800002002")):
        rows = [[1, name, "男", "医生", "主治医师", mobile, "", "", "", ""]]
        services.apply_batch(actor=h.p.jia, batch=import_bytes(h.p.jia, h.fresh(org), table1(rows)))


def test_a_city_wide_table_3_finds_the_aid_team_in_the_hospitals_people_name(h):
    _aid_team(h)
    data = _table3(
        [["王医生", "青岛市市立医院本部", "18600003001", "联通"], ["李护士", "青岛市中医院", "13900003002", "移动"]]
    )
    batch = import_bytes(h.p.jia, h.medical, data)
    assert outcomes(batch) == [(3, "update"), (4, "update")]
    assert render_all(batch.rows.get(line=3).reasons) == ["Unit “青岛市市立医院本部” was taken as 青岛市市立医院工会."]
    services.apply_batch(actor=h.p.jia, batch=batch)
    assert sorted(Deployment.objects.values_list("worker__name", "deployed_mobile")) == [
        ("李护士", "+8613900003002"),
        ("王医生", "+8618600003001"),
    ]


def test_a_table_3_row_with_a_close_unit_is_confirmed_then_applied(h):
    _aid_team(h)
    batch = import_bytes(h.p.jia, h.medical, _table3([["王医生", "市立医院感染科", "18600003001", "联通"]]))
    row = batch.rows.get()
    assert row.outcome == Outcome.REVIEW
    assert row.candidates == [{"org": h.shili.pk, "unit": "青岛市市立医院工会", "code": "YW-SL"}]
    row = services.decide_row(actor=h.p.jia, batch=batch, row=row, decision="unit", candidate=0)
    assert row.outcome == Outcome.UPDATE
    assert row.changes["deployment"]["deployed_mobile"] == ["", "+8618600003001"]
    services.apply_batch(actor=h.p.jia, batch=batch)
    assert Deployment.objects.get().worker.name == "王医生"


def test_a_table_3_row_confirmed_to_a_hospital_without_that_worker_is_rejected(h):
    _aid_team(h)
    batch = import_bytes(h.p.jia, h.medical, _table3([["李护士", "市立医院分院", "18600003001", "联通"]]))
    row = services.decide_row(actor=h.p.jia, batch=batch, row=batch.rows.get(), decision="unit", candidate=1)
    assert row.outcome == Outcome.REJECT
    assert _codes(row.reasons) == ["no_aid_worker", "unit_confirmed"]


def test_a_single_unit_table_3_takes_the_rows_with_a_warning(h):
    _aid_team(h)
    batch = import_bytes(h.p.jia, h.fresh(h.shili), _table3([["王医生", "市立医院（感染科）", "18600003001", "联通"]]))
    row = batch.rows.get()
    assert row.outcome == Outcome.UPDATE and _codes(row.reasons) == ["unit_assumed"]


# --- the page ---------------------------------------------------------------------------------


def test_the_page_offers_the_close_organisations_and_records_the_choice(client, h):
    client.force_login(h.p.jia)
    client.cookies["nuanxin_language"] = "en"
    f = io.BytesIO(_table2([[1, "甲四", "市立医院急诊科", "男", "13800001114"]]))
    f.name = "t.xlsx"
    client.post(reverse("tables:imports:list"), {"file": f, "organisation": str(h.medical.pk)})
    batch = ImportBatch.objects.get()
    row = batch.rows.get()
    page = client.get(reverse("tables:imports:detail", args=[batch.pk])).content.decode()
    assert "The unit is 青岛市市立医院工会" in page and "A new person" not in page
    assert "1 row waits for a decision" in page
    client.post(reverse("tables:imports:decide", args=[batch.pk, row.pk]), {"decision": "unit", "candidate": "0"})
    row.refresh_from_db()
    assert (row.outcome, row.data["unit_id"]) == (Outcome.CREATE, h.shili.pk)
    page = client.get(reverse("tables:imports:detail", args=[batch.pk])).content.decode()
    assert "Apply this import" in page


def test_the_page_in_chinese(client, h):
    from django.utils import translation

    with translation.override("zh-hans"):
        if translation.gettext("The unit is") == "The unit is":
            pytest.skip("the translations of /tmp/i18n/tables.json are not merged into the catalogue yet")
    client.force_login(h.p.jia)
    f = io.BytesIO(
        _table2([[1, "甲四", "市立医院急诊科", "男", "13800001114"], [2, "甲五", "市立医院", "男", "13800001115"]])
    )
    f.name = "t.xlsx"
    client.post(reverse("tables:imports:list"), {"file": f, "organisation": str(h.medical.pk)})
    batch = ImportBatch.objects.get()
    page = client.get(reverse("tables:imports:detail", args=[batch.pk])).content.decode()
    assert "单位是 青岛市市立医院工会" in page
    assert "单位“市立医院”按青岛市市立医院工会处理。" in page


# --- several organisations fit (review F14) ---------------------------------------------------


class Centres:
    """Two hospitals named 中心医院 under the medical union, and an ordinal one."""

    def __init__(self, h):
        create = org_services.create_organisation
        self.city = create(
            actor=SYSTEM, code="YW-ZX", name="青岛市中心医院工会", kind=OrgKind.UNIT_UNION, parent=h.medical
        )
        self.west = create(
            actor=SYSTEM, code="YW-XHZX", name="西海岸新区中心医院工会", kind=OrgKind.UNIT_UNION, parent=h.medical
        )
        self.sixth = create(
            actor=SYSTEM, code="YW-RM6", name="青岛市第六人民医院工会", kind=OrgKind.UNIT_UNION, parent=h.medical
        )


@pytest.fixture
def c(h):
    return Centres(h)


@pytest.mark.parametrize("text", ["中心医院", "中心医院（盖章）", "中心医院本部", "中心医院工会"])
def test_a_text_that_fits_two_organisations_is_offered_with_both_the_closest_first(h, c, text):
    m = _units(h).match(text)
    assert (m.org, m.note, m.problem) == (None, None, "unit_unknown")
    assert m.candidates == (c.city, c.west)  # 青岛市中心医院 is 中心医院 without the city: closest


def test_the_closest_of_the_organisations_offered_comes_first(h, c):
    assert _units(h).match("西海岸中心医院").candidates == (c.west, c.city)


@pytest.mark.parametrize("text", ["青岛市中心医院", "青岛中心医院", "青岛市中心医院本部", "YW-ZX"])
def test_a_text_that_names_one_of_them_is_taken(h, c, text):
    assert _units(h).match(text).org == c.city


def test_the_whole_name_of_one_wins_over_another_that_ends_with_it(h, c):
    assert (_units(h).match("西海岸新区中心医院").org, _units(h).match("西海岸新区中心医院").note) == (c.west, None)
    plain = org_services.create_organisation(
        actor=SYSTEM, code="YW-ZX0", name="中心医院工会", kind=OrgKind.UNIT_UNION, parent=h.medical
    )
    m = _units(h).match("中心医院")
    assert (m.org, m.note) == (plain, None)


def test_a_branch_that_contains_the_text_does_not_stand_in_the_way(h):
    # 青岛市市立医院西海岸分院工会 contains 市立医院 but does not end with it: it matches only by dropping more
    assert _units(h).match("市立医院").org == h.shili


@pytest.mark.parametrize(
    "text", ["市六院", "六院", "青岛市六院", "市6院", "第六人民医院", "六人医", "青岛市第6人民医院"]
)
def test_ordinal_hospitals_written_short(h, c, text):
    m = _units(h).match(text)
    assert m.org == c.sixth
    assert m.note == {"code": "unit_matched", "params": {"value": text, "unit": "青岛市第六人民医院工会"}}
    assert unit_names.canonical(text).endswith("六人医")


def test_附属医院_alone_is_offered_in_a_city_wide_import_and_is_the_unit_itself_in_its_own(h):
    m = _units(h).match("附属医院")
    assert (m.org, m.candidates) == (None, (h.fuda,))
    m = _units(h, root=h.fresh(h.fuda)).match("附属医院")
    assert m.org == h.fuda
    assert m.note == {"code": "unit_matched", "params": {"value": "附属医院", "unit": "青岛大学附属医院工会"}}
    assert render_all([m.note]) == ["Unit “附属医院” was taken as 青岛大学附属医院工会."]


def _aid_team_in(h, org, name, mobile):
    rows = [[1, name, "女", "护士", "主管护师", mobile, "", "", "", ""]]
    services.apply_batch(actor=h.p.jia, batch=import_bytes(h.p.jia, h.fresh(org), table1(rows)))


def test_a_table_3_row_whose_unit_fits_two_hospitals_waits_for_a_person(client, h, c):
    _aid_team_in(h, c.west, "戴瑾莎", "13800004001")
    _aid_team_in(h, c.city, "汤露仪", "13800004002")
    batch = import_bytes(h.p.jia, h.medical, _table3([["戴瑾莎", "中心医院", "18600004001", "联通"]]))
    row = batch.rows.get()
    assert row.outcome == Outcome.REVIEW
    assert row.candidates == [
        {"org": c.city.pk, "unit": "青岛市中心医院工会", "code": "YW-ZX"},
        {"org": c.west.pk, "unit": "西海岸新区中心医院工会", "code": "YW-XHZX"},
    ]
    assert render_all(row.reasons) == [
        "Unit “中心医院” is not the name of an organisation under 青岛市医务工会; confirm which of these it is, "
        "or do not import the row."
    ]
    client.force_login(h.p.jia)
    client.cookies["nuanxin_language"] = "en"
    page = client.get(reverse("tables:imports:detail", args=[batch.pk])).content.decode()
    assert page.count("nx-unit-choice") == 2
    assert page.index("The unit is 青岛市中心医院工会") < page.index("The unit is 西海岸新区中心医院工会")
    row = services.decide_row(actor=h.p.jia, batch=batch, row=row, decision="unit", candidate=1)
    assert (row.outcome, row.changes["deployment"]["deployed_mobile"]) == (Outcome.UPDATE, ["", "+8618600004001"])
    services.apply_batch(actor=h.p.jia, batch=batch)
    assert Deployment.objects.get(deployed_mobile="+8618600004001").worker.name == "戴瑾莎"


def test_a_table_3_row_rejected_in_a_unit_taken_leniently_says_which_unit_was_taken(h):
    _aid_team(h)  # 王医生 in 市立医院, 李护士 in 中医医院
    batch = import_bytes(
        h.p.jia,
        h.medical,
        _table3(
            [["李护士", "市立医院", "18600003001", "联通"], ["李护士", "青岛市市立医院工会", "18600003002", "联通"]]
        ),
    )
    lenient, exact = batch.rows.order_by("index")
    assert lenient.outcome == exact.outcome == Outcome.REJECT
    assert render_all(lenient.reasons) == [
        "Unit “市立医院” was taken as 青岛市市立医院工会, which has no Hubei aid-team worker named “李护士”; "
        "check the unit (write the organisation's name as in the tree), or import table 1 first."
    ]
    assert render_all(exact.reasons) == [
        "No Hubei aid-team worker named “李护士” in 青岛市市立医院工会; import table 1 first."
    ]
    # the same in a single unit, where the unit was only assumed
    row = import_bytes(h.p.jia, h.fresh(h.shili), _table3([["李护士", "本院", "18600003001", "联通"]])).rows.get()
    assert render_all(row.reasons) == [
        "Unit “本院” was taken as 青岛市市立医院工会, which has no Hubei aid-team worker named “李护士”; "
        "check the unit (write the organisation's name as in the tree), or import table 1 first."
    ]


# --- a single unit: another organisation written (review F15) ---------------------------------


def test_a_single_unit_answers_an_organisation_outside_the_scope_as_an_unknown_text(h):
    units = _units(h, root=h.fresh(h.p.shinan_hospital), user=h.p.yi)  # 乙: 市南区 only
    assert units.single
    for text in ("青岛市市立医院", "市立医院", "不存在的医院"):
        m = units.match(text)
        assert (m.org, m.problem) == (h.p.shinan_hospital, "")
        assert m.note == {"code": "unit_assumed", "params": {"value": text, "unit": "市南区人民医院工会"}}
        assert render_all([m.note]) == [
            f"Unit “{text}” is not the name of this unit (市南区人民医院工会); the row is taken as this unit's. "
            "Check it."
        ]
    # an organisation of his own but not the unit chosen: said to be elsewhere, rejected as before
    m = units.match("市南区总工会")
    assert (m.org, m.problem) == (None, "unit_outside_org")


def test_the_dry_run_of_a_single_unit_shows_its_assumed_rows_as_warnings_and_counts_them(client, h):
    data = _table2(
        [
            [1, "甲一", "本院", "男", "13800001111"],
            [2, "甲二", "青岛市市立医院", "男", "13800001112"],
            [3, "甲三", "心内科", "女", "13800001113"],
        ]
    )
    client.force_login(h.p.jia)
    client.cookies["nuanxin_language"] = "en"
    f = io.BytesIO(data)
    f.name = "t.xlsx"
    client.post(reverse("tables:imports:list"), {"file": f, "organisation": str(h.fresh(h.shili).pk)})
    batch = ImportBatch.objects.get()
    assert outcomes(batch) == [(3, "create"), (4, "create"), (5, "create")]
    page = client.get(reverse("tables:imports:detail", args=[batch.pk])).content.decode()
    assert "The units of 2 rows were taken as this unit's: check them below." in page
    assert page.count('class="badge text-bg-warning">Check the unit</span>') == 2
    assert page.count("table-warning nx-unit-assumed") == 2
    assert 'text-warning-emphasis fw-semibold">Unit “本院” is not the name of this unit' in page
    # a city-wide import counts nothing
    f = io.BytesIO(data)
    f.name = "t.xlsx"
    client.post(reverse("tables:imports:list"), {"file": f, "organisation": str(h.medical.pk)})
    batch = ImportBatch.objects.latest("pk")
    page = client.get(reverse("tables:imports:detail", args=[batch.pk])).content.decode()
    assert "nx-import-assumed" not in page and "Check the unit" not in page


def test_the_single_units_warning_in_chinese(client, h):
    from django.utils import translation

    with translation.override("zh-hans"):
        if translation.gettext("Check the unit") == "Check the unit":
            pytest.skip("the translations of /tmp/i18n/fu.json are not merged into the catalogue yet")
    client.force_login(h.p.jia)
    f = io.BytesIO(_table2([[1, "甲一", "本院", "男", "13800001111"]]))
    f.name = "t.xlsx"
    client.post(reverse("tables:imports:list"), {"file": f, "organisation": str(h.fresh(h.shili).pk)})
    batch = ImportBatch.objects.get()
    page = client.get(reverse("tables:imports:detail", args=[batch.pk])).content.decode()
    assert "1 行的单位已按本单位处理，请核对。" in page
    assert "单位“本院”不是本单位（青岛市市立医院工会）的名称，该行按本单位处理，请核对。" in page
