"""The audit trail in words (issue 11, item 10): each app registers a Chinese and English label
for its actions, object types and detail keys; the page, the filter and the export use them and
keep the codes at hand."""

import ast
import csv
import io
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import translation

from nuanxin.core import audit, auditlabels, context
from nuanxin.core.models import AuditLog
from nuanxin.core.templatetags.nuanxin_audit import audit_detail
from nuanxin.core.tests.test_audit_details import recorded_actions

SOURCE = Path(__file__).resolve().parents[2]
SH = ZoneInfo("Asia/Shanghai")


# --- every code has a label ----------------------------------------------------------------


def test_every_action_the_code_records_has_a_label():
    # The scan also finds object types written as literals (core's background.prune writes
    # rows about django_tasks_db.dbtaskresult): they have an object type's label instead.
    actions = recorded_actions() - set(auditlabels.registry.object_types)
    assert auditlabels.unlabelled_actions(actions) == []
    assert {"worker.mobile_reveal", "visit.record", "auth.login"} <= actions


def written_object_types() -> set[str]:
    """Every model of the project (``audit.record(obj=...)`` writes its label) but the history
    tables of django-simple-history, and every ``object_type="..."`` literal of the source."""
    types = {m._meta.label_lower for m in apps.get_models()
             if m.__module__.startswith("nuanxin.") and not m._meta.model_name.startswith("historical")}
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "object_type" and isinstance(node.value, ast.Constant):
                if node.value.value:
                    types.add(node.value.value)
    return types


def test_every_object_type_has_a_label():
    types = written_object_types()
    assert {"registry.worker", "care.visit", "sessions.session", "registry.table"} <= types
    assert sorted(t for t in types if t not in auditlabels.registry.object_types) == []


def test_one_code_cannot_get_two_labels():
    registry = auditlabels.Registry()
    registry.register(auditlabels.Labels(actions={"x.y": "one"}))
    registry.register(auditlabels.Labels(actions={"x.y": "one"}))  # the same label again: fine
    with pytest.raises(ValueError, match=r"x\.y"):
        registry.register(auditlabels.Labels(actions={"x.y": "two"}))


# --- the words, in both languages --------------------------------------------------------------

TRANSITION = {"from": "resolved", "to": "closed", "note": {"chars": 6}}


def test_labels_in_english():
    with translation.override("en"):
        assert auditlabels.action_label("worker.mobile_reveal") == "Mobile number shown in full"
        assert auditlabels.action_label("auth.login") == "Signed in"
        assert auditlabels.object_type_label("registry.worker") == "Worker"
        assert auditlabels.actor_label("system:cli") == "System (command line)"
        assert auditlabels.actor_label("system:task") == "System (scheduled task)"
        assert auditlabels.actor_label("system") == "System"
        assert auditlabels.actor_label("yi") == "yi"
        assert audit_detail(TRANSITION, "difficulty.transition") == "From: Resolved; Note: 6 characters; To: Closed"
        assert audit_detail({"note": {"chars": 1}}, "difficulty.transition") == "Note: 1 character"
        # the same key, another action: its own values (an organisation's move names codes)
        assert audit_detail({"from": "SN", "to": "SB"}, "org.move") == "From: SN; To: SB"
        # nested keys and values in lists are labelled too; unknown keys and values stay codes
        assert audit_detail({"changes": {"gender": ["male", "female"]}, "zz": "x"}, "worker.update") == (
            "Changes: {Gender: [Male, Female]}; zz: x"
        )
        # without the action: the codes (what the filter did before)
        assert audit_detail(TRANSITION) == "from: resolved; note: {chars: 6}; to: closed"


def test_labels_in_chinese():
    with translation.override("zh-hans"):
        assert auditlabels.action_label("worker.mobile_reveal") == "查看完整手机号"
        assert auditlabels.action_label("auth.login") == "登录"
        assert auditlabels.action_label("difficulty.transition") == "变更困难状态"
        assert auditlabels.object_type_label("registry.worker") == "职工"
        assert auditlabels.actor_label("system:cli") == "系统（命令行）"
        assert audit_detail(TRANSITION, "difficulty.transition") == "从：已解决；备注：6 个字；到：已关闭"
        assert audit_detail({"mode": "phone", "items": [["口罩", "2.00", "盒", "0.00"]]}, "visit.record") == (
            "生活用品：[[口罩，2.00，盒，0.00]]；方式：电话"
        )
        assert auditlabels.action_label("no.such_action") == "no.such_action"


@pytest.mark.parametrize("text", ["手机号", "mobile_reveal", "MOBILE_REVEAL", "shown in full", "worker.mobile"])
def test_an_action_is_found_by_its_label_or_code(text):
    assert "worker.mobile_reveal" in auditlabels.matching_actions(text)


def test_nothing_is_found_by_nothing():
    assert auditlabels.matching_actions("  ") == set()
    assert auditlabels.matching_actions("没有这种操作") == set()


# --- the page and the export -----------------------------------------------------------------


@pytest.fixture
def rows(personas):
    p = personas
    token = context.set_current(context.RequestContext(ip="10.0.0.1", channel="web"))
    try:
        with time_machine.travel(datetime(2020, 2, 10, 9, 0, tzinfo=SH), tick=False):
            reveal = audit.record(p.yi, "worker.mobile_reveal", object_type="registry.worker", object_id=58,
                                  object_repr="张三", organisation=p.shinan_hospital,
                                  detail={"whose": "worker", "id": 58, "mobile": "138****0001", "purpose": "show"})
            transition = audit.record(p.yi, "difficulty.transition", object_type="care.difficulty", object_id=3,
                                      object_repr="困难 #3", organisation=p.shinan_hospital, detail=TRANSITION)
    finally:
        context.reset(token)
    token = context.set_current(context.RequestContext(ip=None, channel="cli"))
    try:
        with time_machine.travel(datetime(2020, 2, 10, 10, 0, tzinfo=SH), tick=False):
            cli = audit.record(None, "org.create", obj=p.medical_union, organisation=p.city,
                               detail={"code": "MU", "kind": "industry_union"})
    finally:
        context.reset(token)
    return {"reveal": reveal, "transition": transition, "cli": cli}


def client_for(user, language) -> Client:
    client = Client()
    client.cookies["nuanxin_language"] = language
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_page_reads_in_chinese_and_keeps_the_codes(personas, rows):
    response = client_for(personas.auditor, "zh-hans").get(reverse("audit:log") + "?since=2020-02-10&until=2020-02-10")
    assert response.status_code == 200
    html = response.content.decode()
    # table and card: the label, the code in the title
    assert html.count('<span class="nx-audit-action" title="worker.mobile_reveal">查看完整手机号</span>') == 1
    assert html.count('title="worker.mobile_reveal">查看完整手机号</span>') == 2
    detail = "从：已解决；备注：6 个字；到：已关闭"
    assert html.count(f'<div class="text-secondary text-break nx-audit-detail">{detail}</div>') == 2
    assert html.count('title="registry.worker">职工 #58</') == 2
    assert html.count('title="system:cli">系统（命令行）</') == 2
    assert "用途：显示" in html and "所属：职工" in html
    assert html.count("类型：产业工会") == 2
    # the action field offers the actions by label
    assert '<option value="worker.mobile_reveal" label="查看完整手机号">查看完整手机号</option>' in html
    assert 'list="nx-audit-actions"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["手机号", "mobile_reveal", "Mobile number"])
def test_the_action_filter_matches_labels_and_codes(personas, rows, text):
    response = client_for(personas.auditor, "en").get(reverse("audit:log"), {"action": text})
    assert response.status_code == 200
    assert [row.pk for row in response.context["page"].object_list] == [rows["reveal"].pk]


@pytest.mark.django_db
def test_the_export_has_labels_beside_the_codes(personas, rows):
    client = client_for(personas.auditor, "zh-hans")
    response = client.get(reverse("audit:export") + "?since=2020-02-10&until=2020-02-10&format=csv")
    assert response.status_code == 200
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[0] == ["时间", "操作用户", "操作", "操作代码", "结果", "对象类型", "对象类型代码", "对象编号", "对象",
                        "组织代码", "组织", "客户端 IP", "渠道", "详情", "详情（JSON）"]
    by_code = {line[3]: line for line in table[1:]}
    assert by_code["difficulty.transition"][1:7] == ["yi", "变更困难状态", "difficulty.transition", "成功", "困难",
                                                      "care.difficulty"]
    assert by_code["difficulty.transition"][13:] == [
        "从：已解决；备注：6 个字；到：已关闭", '{"from": "resolved", "note": {"chars": 6}, "to": "closed"}'
    ]
    assert by_code["org.create"][1] == "系统（命令行）"
    assert AuditLog.objects.filter(action="audit.export").count() == 1
