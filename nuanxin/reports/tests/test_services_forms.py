"""Building report forms: only a city administrator; settings and fields validated (a computed
field names a figure of the catalogue), versions, audit; who is obliged (kinds, levels, a list;
inside the form's subtree) and the nearest obliged children and parent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from nuanxin.core.errors import Conflict, NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.reports.models import ReportForm
from nuanxin.reports.selectors import reports as selectors
from nuanxin.reports.services import forms as services
from nuanxin.reports.services import obligations

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(english):
    return english


def _make(p, **over):
    settings = {
        "code": "weekly-test",
        "name": "测试周报",
        "period_type": "weekly",
        "starts_on": date(2026, 2, 2),
        "deadline_days": Decimal("0.5"),
        "obliged_kinds": ["unit_union"],
    }
    settings.update(over)
    return services.create_form(actor=p.jia, organisation=p.city, **settings)


def test_create_and_fields(personas):
    p = personas
    form = _make(p)
    assert (form.code, form.version, form.created_by) == ("weekly-test", 1, p.jia)
    form = services.set_fields(
        actor=p.jia,
        form=form,
        version=1,
        fields=[
            {"key": "visited", "kind": "computed", "metric": "families_visited"},
            {"key": "audience", "label": "线上直播观看人次", "kind": "number", "required": True},
            {"key": "notes", "label": "说明", "kind": "text"},
        ],
    )
    assert form.version == 2
    assert [(f.position, f.key, f.label, f.kind, f.metric, f.required) for f in form.fields.all()] == [
        (1, "visited", "Families visited as due", "computed", "families_visited", False),
        (2, "audience", "线上直播观看人次", "number", "", True),
        (3, "notes", "说明", "text", "", False),
    ]
    assert list(
        AuditLog.objects.filter(object_id=str(form.pk), action__startswith="reports.form.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["reports.form.create", "reports.form.fields"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ([{"key": "x", "kind": "computed", "metric": "nope"}], "Field 1: nope is not a figure the system computes."),
        ([{"key": "x", "kind": "computed"}], "Field 1: — is not a figure the system computes."),
        (
            [{"key": "x", "label": "X", "kind": "number", "metric": "visits"}],
            "Field 1: only a computed field names a figure.",
        ),
        (
            [{"key": "X Y", "label": "X", "kind": "text"}],
            "Field 1: the key is lower-case letters, digits, - and _, at most 40 characters.",
        ),
        ([{"key": "x", "label": "X", "kind": "colour"}], "Field 1: choose its kind."),
        ([{"key": "x", "label": "", "kind": "text"}], "Field 1: give a label of at most 100 characters."),
        (
            [{"key": "x", "label": "X", "kind": "text"}, {"key": "x", "label": "Y", "kind": "number"}],
            "Two fields have the key x.",
        ),
        ([], "A form needs at least one field."),
    ],
)
def test_fields_validated(personas, fields, message):
    p = personas
    form = _make(p)
    with pytest.raises(ServiceError) as error:
        services.set_fields(actor=p.jia, form=form, fields=fields, version=form.version)
    assert error.value.message == message


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"code": "Bad Code"}, "The code: lower-case letters, digits, - and _, at most 40 characters."),
        ({"name": " "}, "Give the form a name of at most 100 characters."),
        ({"period_type": "daily"}, "Choose the period: weekly, monthly or once."),
        ({"period_type": "once"}, "Give the reporting date of a one-off report."),
        ({"period_type": "once", "once_on": date(2026, 1, 1)}, "The reporting date cannot be before the first day."),
        ({"ends_on": date(2026, 1, 1)}, "The last period cannot end before the first begins."),
        (
            {"deadline_days": Decimal("-1")},
            "The deadline: days after the period's end, from 0 to 365 (0.5 = noon of the next day).",
        ),
        ({"obliged_kinds": ["club"]}, "Unknown kind of organisation: club."),
        ({"obliged_kinds": []}, "Say who must report: kinds of organisation, levels or a list of organisations."),
        ({"obliged_kinds": [], "obliged_depths": [0]}, "A level is a number from 1 (the city) down."),
        ({"source": "tables"}, "The official tables are sent for a campaign: choose it."),
        ({"colour": "red"}, "Unknown form setting: colour."),
    ],
)
def test_settings_validated(personas, over, message):
    with pytest.raises(ServiceError) as error:
        _make(personas, **over)
    assert error.value.message == message
    assert not ReportForm.objects.exists()


def test_only_a_city_administrator(personas):
    p = personas
    with pytest.raises(NotAllowed) as error:
        services.create_form(
            actor=p.yi,
            organisation=p.shinan,
            code="x",
            name="x",
            starts_on=date(2026, 2, 2),
            obliged_kinds=["unit_union"],
        )
    assert error.value.message == "Only a city administrator builds report forms."
    form = _make(p)
    with pytest.raises(NotAllowed):
        services.change_form(actor=p.yi, form=form, version=form.version, name="改")
    with pytest.raises(ServiceError) as error:
        _make(p, name="另一个")
    assert error.value.message == "Another report form has the code weekly-test."


def test_change_form(personas):
    p = personas
    form = _make(p)
    form = services.change_form(
        actor=p.jia, form=form, version=1, name="新名称", obliged_kinds=[], obliged=[p.shinan, p.medical_union]
    )
    assert (form.name, form.version) == ("新名称", 2)
    assert [o.code for o in obligations.obliged(form)] == ["SN", "YW"]
    log = AuditLog.objects.get(action="reports.form.change")
    assert log.detail == {"changed": ["name", "obliged_kinds", "obliged"]}
    with pytest.raises(Conflict):
        services.change_form(actor=p.jia, form=form, version=1, name="旧")


def test_obliged_outside_the_subtree(personas):
    p = personas
    form = services.create_form(
        actor=p.jia,
        organisation=p.shinan,
        code="sn",
        name="区报",
        starts_on=date(2026, 2, 2),
        obliged_kinds=["unit_union"],
    )
    assert [o.code for o in obligations.obliged(form)] == ["SN-H1"]
    with pytest.raises(ServiceError) as error:
        services.change_form(actor=p.jia, form=form, version=form.version, obliged=[p.shibei])
    assert error.value.message == "市北区总工会 is not under the form's organisation."


def test_obliged_children_and_parent(personas):
    p = personas
    by_level = _make(p, obliged_kinds=[], obliged_depths=[2, 3])
    # In tree order (siblings by code).
    assert [o.code for o in obligations.obliged(by_level)] == ["SB", "SB-H1", "SN", "SN-H1", "YW"]
    assert sorted(o.code for o in obligations.obliged_children(by_level, p.city)) == ["SB", "SN", "YW"]
    assert [o.code for o in obligations.obliged_children(by_level, p.shinan)] == ["SN-H1"]
    assert obligations.obliged_children(by_level, p.shinan_hospital) == []
    assert obligations.obliged_parent(by_level, p.shinan_hospital) == p.shinan
    assert obligations.obliged_parent(by_level, p.shinan) is None
    units_only = _make(p, code="units", obliged_kinds=["unit_union"])
    # No district obliged: the city's nearest obliged descendants are the units themselves.
    assert sorted(o.code for o in obligations.obliged_children(units_only, p.city)) == ["SB-H1", "SN-H1"]
    assert obligations.is_obliged(units_only, p.shinan_hospital) and not obligations.is_obliged(units_only, p.shinan)


def test_forms_seen(personas):
    p = personas
    city_form = _make(p)
    district_form = services.create_form(
        actor=p.jia,
        organisation=p.shinan,
        code="sn",
        name="区报",
        starts_on=date(2026, 2, 2),
        obliged_kinds=["unit_union"],
    )
    assert set(selectors.forms_for(p.jia)) == {city_form, district_form}
    assert set(selectors.forms_for(p.yi)) == {city_form, district_form}
    assert set(selectors.forms_for(p.bing)) == {city_form}
    assert set(selectors.forms_for(p.care)) == set()  # a care contact reads no reports
