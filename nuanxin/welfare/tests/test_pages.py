"""The mutual-aid pages as a unit enrols its aid team and exports the roster, a city
administrator adds a scheme, a list is imported, a finance clerk charges the contributions."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from nuanxin.core.audit import AuditLog
from nuanxin.funds.models import Entry
from nuanxin.funds.tests.fixtures import build_people, fund_with
from nuanxin.welfare.choices import ImportStatus
from nuanxin.welfare.models import Enrolment, EnrolmentImport, Scheme
from nuanxin.welfare.tests.fixtures import ID_1, xlsx

pytestmark = pytest.mark.django_db


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def test_menu_and_list(w):
    page = client_for(w.unit_admin).get(reverse("welfare:scheme_list"))
    text = page.content.decode()
    assert page.status_code == 200
    assert 'id="nx-nav-welfare"' in text and "互助保障" in text
    assert "青岛市职工互助保障（2020）" in text
    assert 'id="nx-scheme-create"' not in text
    assert 'id="nx-scheme-create"' in client_for(w.p.jia).get(reverse("welfare:scheme_list")).content.decode()


def test_unit_enrols_its_team_and_exports_the_roster(w):
    c = client_for(w.unit_admin)
    board = c.get(reverse("welfare:scheme_detail", args=[w.scheme.pk])).content.decode()
    assert 'data-eligible="SN-H1">3<' in board
    url = reverse("welfare:unit_enrol", args=[w.scheme.pk, w.p.shinan_hospital.pk])
    form = c.get(url).content.decode()
    assert 'id="nx-default-team">青岛市第2批援鄂医疗队<' in form
    token = form.split('name="submission_token" value="')[1].split('"')[0]
    data = {"team_name": "", "workers": [str(w.aid1.pk), str(w.aid3.pk)], "submission_token": token}
    done = c.post(url, data)
    assert done.status_code == 302
    again = c.post(url, data)  # the same form sent twice: saved once
    assert again.status_code == 302
    assert set(Enrolment.objects.values_list("worker__name", "team_name")) == {
        ("张援鄂", "青岛市第2批援鄂医疗队"), ("王援鄂", "青岛市第2批援鄂医疗队")}
    page = c.get(done["Location"]).content.decode()
    assert "已以团队名称“青岛市第2批援鄂医疗队”为 2 名人员办理参保。" in page
    out = c.get(reverse("welfare:roster_export", args=[w.scheme.pk]) + f"?org={w.p.shinan_hospital.pk}")
    assert out.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(out.content)).get_sheet_by_index(0).to_python()
    assert [r[1] for r in rows[1:]] == ["王援鄂", "张援鄂"]
    assert rows[2][3] == ID_1
    assert AuditLog.objects.filter(action="welfare.roster.export", actor=w.unit_admin).count() == 1
    listing = c.get(reverse("welfare:enrolment_list", args=[w.scheme.pk])).content.decode()
    assert "张援鄂" in listing and 'id="nx-roster-export"' in listing


def test_other_district_and_viewer(w):
    url = reverse("welfare:unit_enrol", args=[w.scheme.pk, w.p.shinan_hospital.pk])
    assert client_for(w.p.bing).get(url).status_code == 404
    assert client_for(w.p.bing).post(url, {"workers": [str(w.aid1.pk)]}).status_code == 404
    viewer = client_for(w.p.viewer)
    assert viewer.get(url).status_code == 403
    assert viewer.get(reverse("welfare:scheme_detail", args=[w.scheme.pk])).status_code == 403
    assert viewer.get(reverse("welfare:scheme_figures", args=[w.scheme.pk])).status_code == 200
    assert Enrolment.objects.count() == 0


def test_city_admin_creates_and_extends_a_scheme(w):
    c = client_for(w.p.jia)
    r = c.post(reverse("welfare:scheme_create"), {
        "name": "青岛市职工互助保障", "year": "2021", "cover_from": "2021-01-01", "cover_to": "2021-12-31",
        "contribution": "35", "teams": ["hubei_aid", "cdc"], "description": ""})
    assert r.status_code == 302
    scheme = Scheme.objects.get(year=2021)
    assert (scheme.teams, scheme.contribution) == (["hubei_aid", "cdc"], Decimal("35.00"))
    bad = c.post(reverse("welfare:scheme_create"), {
        "name": "青岛市职工互助保障", "year": "2021", "cover_from": "2021-01-01", "cover_to": "2021-12-31",
        "contribution": "35", "teams": ["hubei_aid"]})
    assert bad.status_code == 200 and "该名称和年度的保障已存在。" in bad.content.decode()
    assert client_for(w.p.yi).get(reverse("welfare:scheme_create")).status_code == 403


def test_import_page(w):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = client_for(w.p.yi)
    url = reverse("welfare:import_create", args=[w.scheme.pk])
    bad = c.post(url, {"organisation": w.p.shinan.pk, "file": SimpleUploadedFile("x.xlsx", b"not a workbook")})
    assert bad.status_code == 200
    assert "无法作为 Excel 工作簿（.xlsx）读取此文件。请另存为 .xlsx 后重试。" in bad.content.decode()
    assert EnrolmentImport.objects.count() == 0
    content = xlsx([["张援鄂", ID_1], ["无名氏", ""]], ["姓名", "身份证号"], title="名单")
    r = c.post(url, {"organisation": w.p.shinan.pk, "file": SimpleUploadedFile("名单.xlsx", content)})
    assert r.status_code == 302
    imp = EnrolmentImport.objects.get()
    page = c.get(r["Location"]).content.decode()
    assert 'data-problem="no_key"' in page and "既无身份证号也无手机号，无法匹配" in page
    assert client_for(w.p.bing).post(reverse("welfare:import_apply", args=[imp.pk])).status_code == 404
    c.post(reverse("welfare:import_apply", args=[imp.pk]))
    imp.refresh_from_db()
    assert imp.status == ImportStatus.APPLIED
    assert list(Enrolment.objects.values_list("worker__name", "source")) == [("张援鄂", "imported")]


def test_clerk_charges_contributions(w):
    fp = build_people(w.p)
    from nuanxin.welfare.services import enrolments

    enrolments.enrol_unit(actor=w.p.yi, scheme=w.scheme, organisation=w.p.shinan_hospital)
    fund = fund_with(fp.clerk, fp.approver, w.p.shinan, "1000")
    c = client_for(fp.clerk)
    url = reverse("welfare:charge", args=[w.scheme.pk])
    page = c.get(url).content.decode()
    assert "3 条参保记录，¥90.00" in page
    r = c.post(url, {"fund": str(fund.pk), "on": "2020-05-01", "payee": ""})
    assert r.status_code == 302
    entry = Entry.objects.get(category="mutual_aid")
    assert (entry.amount, entry.on, entry.payee) == (Decimal("90.00"), date(2020, 5, 1), "青岛市职工互助保障")
    again = c.post(url, {"fund": str(fund.pk), "on": "2020-05-01"})
    assert "本保障在该资金所属组织内的缴费均已记账。" in again.content.decode()
    assert client_for(w.p.yi).get(url).status_code == 403


def test_figures_page(w):
    page = client_for(w.p.jia).get(reverse("welfare:scheme_figures", args=[w.scheme.pk])).content.decode()
    assert 'data-figure="eligible">4<' in page
    assert "welfare-figures.js" in page


def test_a_unit_of_several_batches_enrols_each_under_their_own_batch(w):
    from nuanxin.welfare.tests.fixtures import aid_worker

    first = aid_worker(w.p.shinan_hospital, "陈一批", "13800000011", batch="青岛市第一批援鄂医疗队")
    c = client_for(w.unit_admin)
    url = reverse("welfare:unit_enrol", args=[w.scheme.pk, w.p.shinan_hospital.pk])
    form = c.get(url).content.decode()
    # No name filled in, no "default" claimed for all: the batches are listed, each person's beside them.
    assert 'name="team_name" value=' not in form and 'id="nx-default-team"' not in form
    assert "本单位人员来自 2 个批次：" in form
    assert '<li data-batch="青岛市第2批援鄂医疗队">青岛市第2批援鄂医疗队 · 3 人</li>' in form
    assert '<li data-batch="青岛市第一批援鄂医疗队">青岛市第一批援鄂医疗队 · 1 人</li>' in form
    assert "陈一批 · 青岛市第一批援鄂医疗队" in form and "张援鄂 · 青岛市第2批援鄂医疗队" in form
    assert "填写的名称适用于所有勾选的人员" in form
    assert "每人缴费：¥30.00" in form
    token = form.split('name="submission_token" value="')[1].split('"')[0]
    done = c.post(url, {"team_name": "", "workers": [str(first.pk), str(w.aid1.pk)], "submission_token": token})
    assert done.status_code == 302
    assert set(Enrolment.objects.values_list("worker__name", "team_name")) == {
        ("陈一批", "青岛市第一批援鄂医疗队"), ("张援鄂", "青岛市第2批援鄂医疗队")}
    page = c.get(done["Location"]).content.decode()
    assert "已为 2 名人员办理参保，各以所在批次的团队名称参保：青岛市第2批援鄂医疗队、青岛市第一批援鄂医疗队。" in page


def test_a_typed_team_name_on_the_form_applies_to_all(w):
    from nuanxin.welfare.tests.fixtures import aid_worker

    first = aid_worker(w.p.shinan_hospital, "陈一批", "13800000011", batch="青岛市第一批援鄂医疗队")
    c = client_for(w.unit_admin)
    url = reverse("welfare:unit_enrol", args=[w.scheme.pk, w.p.shinan_hospital.pk])
    form = c.get(url).content.decode()
    token = form.split('name="submission_token" value="')[1].split('"')[0]
    c.post(url, {"team_name": "市南医院医疗队", "workers": [str(first.pk), str(w.aid1.pk)],
                 "submission_token": token})
    assert set(Enrolment.objects.values_list("worker__name", "team_name")) == {
        ("陈一批", "市南医院医疗队"), ("张援鄂", "市南医院医疗队")}


def test_money_is_written_as_on_the_funds_pages(w):
    """¥1,234.50 everywhere (the funds' ``|yuan``), never 1234.50 元 or ¥1234.50."""
    from nuanxin.welfare.services import enrolments, schemes

    schemes.update_scheme(w.scheme, actor=w.p.jia, contribution="1234.50")
    fp = build_people(w.p)
    enrolments.enrol_unit(actor=w.p.yi, scheme=w.scheme, organisation=w.p.shinan_hospital)
    assert "每人缴费：¥1,234.50" in client_for(w.p.jia).get(reverse("welfare:scheme_list")).content.decode()
    board = client_for(w.p.yi).get(reverse("welfare:scheme_detail", args=[w.scheme.pk])).content.decode()
    assert "每人缴费：¥1,234.50" in board
    listing = client_for(w.p.yi).get(reverse("welfare:enrolment_list", args=[w.scheme.pk])).content.decode()
    assert '<td class="text-end">¥1,234.50</td>' in listing
    fund = fund_with(fp.clerk, fp.approver, w.p.shinan, "10000")
    c = client_for(fp.clerk)
    url = reverse("welfare:charge", args=[w.scheme.pk])
    assert "3 条参保记录，¥3,703.50" in c.get(url).content.decode()
    r = c.post(url, {"fund": str(fund.pk), "on": "2020-05-01", "payee": ""}, follow=True)
    assert f"缴费 ¥3,703.50 已记为“{fund.name}”的支出，等待审批。" in r.content.decode()


def test_the_wording_names_the_list_the_mutual_aid_scheme_provides(w):
    page = client_for(w.unit_admin).get(reverse("welfare:scheme_list")).content.decode()
    assert "已参保的会员从互助保障方提供的会员名单导入。" in page and "保障自己的" not in page
    form = client_for(w.p.yi).get(reverse("welfare:import_create", args=[w.scheme.pk])).content.decode()
    assert "互助保障方提供的会员名单（xlsx）中的原有会员" in form and "保障自己的" not in form
    assert 'id="nx-import-closed"' not in form


def test_a_closed_scheme_still_takes_its_member_list_but_enrols_no_team(w):
    from nuanxin.welfare.services import schemes

    schemes.update_scheme(w.scheme, actor=w.p.jia, active=False)
    c = client_for(w.p.yi)
    board = c.get(reverse("welfare:scheme_detail", args=[w.scheme.pk])).content.decode()
    assert 'id="nx-welfare-import"' in board and "data-enrol=" not in board
    assert ("已停止参保：不再以团队名义为人员办理参保。"
            "互助保障方提供的会员名单仍可导入，用于记录哪些人已是会员。") in board
    url = reverse("welfare:import_create", args=[w.scheme.pk])
    form = c.get(url).content.decode()
    assert "本保障已停止以团队名义参保，但仍可导入其会员名单：导入只是记录哪些人已是会员。" in form
    content = xlsx([["张援鄂", ID_1]], ["姓名", "身份证号"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = c.post(url, {"organisation": w.p.shinan.pk, "file": SimpleUploadedFile("名单.xlsx", content)})
    assert r.status_code == 302
    c.post(reverse("welfare:import_apply", args=[EnrolmentImport.objects.get().pk]))
    assert list(Enrolment.objects.values_list("worker__name", "source")) == [("张援鄂", "imported")]
    enrol = c.get(reverse("welfare:unit_enrol", args=[w.scheme.pk, w.p.shinan_hospital.pk]))
    token = enrol.content.decode().split('name="submission_token" value="')[1].split('"')[0]
    refused = c.post(reverse("welfare:unit_enrol", args=[w.scheme.pk, w.p.shinan_hospital.pk]),
                     {"team_name": "", "workers": [str(w.aid2.pk)], "submission_token": token})
    assert "本保障已停止参保。" in refused.content.decode()
    assert Enrolment.objects.count() == 1
