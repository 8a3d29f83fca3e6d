"""Authorization cases of the mutual-aid scheme's pages and API.

The objects are built here through the services: a scheme (schemes belong to the whole tree:
a grant at the root manages them), aid-team workers of 市南区人民医院工会 (SN-H1, in 乙's
scope), one of them enrolled by the union (for the charge), checked lists of SN-H1's workers;
丙 (市北区) is the other organisation, and a finance clerk of 市南区 with a fund that allows
mutual-aid insurance charges the contributions."""

from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from nuanxin.core.exports import XLSX_CONTENT_TYPE, build_xlsx
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.funds.choices import Category, IncomeKind
from nuanxin.funds.services import funds as fund_services
from nuanxin.funds.services import ledger
from nuanxin.orgs import services as org_services
from nuanxin.orgs.models import Organisation
from nuanxin.registry import services as registry
from nuanxin.registry.choices import TeamType
from nuanxin.welfare.models import Enrolment, EnrolmentImport, Scheme
from nuanxin.welfare.services import enrolments, imports, schemes
from tests.authz import Case, standard_cases

GLOBAL = "schemes belong to the whole tree: the page shows only the user's own organisations' rows"


def _worker(unit, name: str, mobile: str):
    worker = registry.create_worker(actor=SYSTEM, organisation=unit, name=name, team=TeamType.HUBEI_AID,
                                    mobile=mobile)
    registry.save_deployment(actor=SYSTEM, worker=worker, batch="第二批", destination="武汉",
                             departed_on=date(2020, 2, 9), returned_on=date(2020, 3, 28))
    return worker


def _list(scheme, unit, name: str, mobile: str) -> EnrolmentImport:
    content = build_xlsx(["姓名", "手机号"], [[name, mobile]])
    return imports.check_list(actor=SYSTEM, scheme=scheme, organisation=unit,
                              uploaded_file=SimpleUploadedFile("名单.xlsx", content, content_type=XLSX_CONTENT_TYPE))


def cases(p) -> list:
    unit = Organisation.objects.get(pk=p.shinan_hospital.pk)  # read back: paths may have moved
    district = Organisation.objects.get(pk=p.shinan.pk)
    scheme = schemes.create_scheme(actor=SYSTEM, name="授权测试互助保障", year=2020, cover_from=date(2020, 1, 1),
                                   cover_to=date(2020, 12, 31), contribution=Decimal("30"))
    to_edit = schemes.create_scheme(actor=SYSTEM, name="授权测试互助保障（修改）", year=2020,
                                    cover_from=date(2020, 1, 1), cover_to=date(2020, 12, 31), contribution="20")
    charged = _worker(unit, "授权互助甲", "13700000101")
    by_page = _worker(unit, "授权互助乙", "13700000102")
    by_api = _worker(unit, "授权互助丙", "13700000103")
    listed = _worker(unit, "授权互助丁", "13700000104")
    enrolments.enrol_unit(actor=SYSTEM, scheme=scheme, organisation=unit, workers=[charged])
    to_read, to_apply, to_discard = (_list(scheme, unit, "授权互助丁", "13700000104") for _ in range(3))
    clerk, _password = org_services.create_user(actor=SYSTEM, username="welfare_clerk", organisation=district,
                                               role=Role.FUND_CLERK, password="Persona-pass-2020",
                                               full_name="互助经办人")
    fund = fund_services.open_fund(actor=clerk, organisation=district, name="互助保障专项资金",
                                   source="own_budget", starts_on=date(2020, 1, 1), ends_on=None,
                                   categories=[Category.MUTUAL_AID])
    approver, _password = org_services.create_user(actor=SYSTEM, username="welfare_approver",
                                                  organisation=district, role=Role.FUND_APPROVER,
                                                  password="Persona-pass-2020", full_name="互助审批人")
    income = ledger.record_income(actor=clerk, fund=fund, amount=Decimal("1000"), on=date(2020, 1, 20),
                                  income_kind=IncomeKind.APPROPRIATION)
    ledger.approve(actor=approver, entry=income)
    upload = SimpleUploadedFile("名单.xlsx", build_xlsx(["姓名", "手机号"], [["授权互助丁", "13700000104"]]),
                                content_type=XLSX_CONTENT_TYPE)
    assert listed.pk
    return [
        *standard_cases(p, "welfare:scheme_list", model=Scheme, action="view", allowed=p.yi),
        *standard_cases(
            p, "welfare:scheme_create", model=Scheme, action="manage", allowed=p.jia,
            data={"name": "授权测试新保障", "year": "2021", "cover_from": "2021-01-01", "cover_to": "2021-12-31",
                  "contribution": "30", "teams": ["hubei_aid"]},
        ),
        *standard_cases(
            p, "welfare:scheme_edit", model=Scheme, action="manage", obj=to_edit, allowed=p.jia,
            data={"name": "授权测试互助保障（已改）", "year": "2020", "cover_from": "2020-01-01",
                  "cover_to": "2020-12-31", "contribution": "25", "teams": ["hubei_aid", "cdc"], "active": "on",
                  "version": to_edit.version},
            other_org=None, no_other_org_because=GLOBAL,
        ),
        Case("welfare:scheme_detail", allowed=p.yi, kwargs={"pk": scheme.pk}, denied=p.viewer,
             no_other_org_because=GLOBAL),
        Case("welfare:enrolment_list", allowed=p.yi, kwargs={"pk": scheme.pk}, denied=p.viewer,
             no_other_org_because=GLOBAL),
        Case("welfare:scheme_figures", allowed=p.viewer, kwargs={"pk": scheme.pk}, denied=p.counsellor,
             no_other_org_because="counts only, of the user's own organisations"),
        Case("welfare:roster_export", allowed=p.yi, kwargs={"pk": scheme.pk}, query=f"org={unit.pk}",
             denied=p.viewer, other_org=p.bing, audits="welfare.roster.export"),
        Case("welfare:unit_enrol", allowed=p.yi, kwargs={"pk": scheme.pk, "org": unit.pk}, denied=p.viewer,
             other_org=p.bing),
        Case("welfare:unit_enrol", method="post", allowed=p.yi, kwargs={"pk": scheme.pk, "org": unit.pk},
             denied=p.viewer, other_org=p.bing, data={"team_name": "授权测试医疗队", "workers": [str(by_page.pk)]}),
        Case("welfare:import_create", allowed=p.yi, kwargs={"pk": scheme.pk}, denied=p.viewer,
             no_other_org_because="the form offers only the user's own organisations"),
        Case("welfare:import_create", method="post", allowed=p.yi, kwargs={"pk": scheme.pk}, denied=p.viewer,
             other_org=p.bing, other_org_status=200, data={"organisation": str(unit.pk), "file": upload}),
        *standard_cases(p, "welfare:import_detail", model=EnrolmentImport, action="view", obj=to_read,
                        allowed=p.yi),
        *standard_cases(p, "welfare:import_apply", model=EnrolmentImport, action="enrol", obj=to_apply,
                        allowed=p.yi, method="post"),
        *standard_cases(p, "welfare:import_discard", model=EnrolmentImport, action="enrol", obj=to_discard,
                        allowed=p.yi, method="post"),
        Case("welfare:charge", allowed=clerk, kwargs={"pk": scheme.pk}, denied=p.counsellor,
             no_other_org_because="a clerk charges only the enrolments of their own fund's organisations"),
        Case("welfare:charge", method="post", allowed=clerk, kwargs={"pk": scheme.pk}, denied=p.counsellor,
             no_other_org_because="a clerk charges only the enrolments of their own fund's organisations",
             data={"fund": str(fund.pk), "on": "2020-05-01", "payee": ""}),
        *standard_cases(p, "GET /api/v1/welfare/enrolments", model=Enrolment, action="view", allowed=p.yi),
        *standard_cases(
            p, "POST /api/v1/welfare/enrolments", model=Enrolment, action="enrol", allowed=p.yi,
            data={"scheme": scheme.pk, "organisation": unit.code, "team_name": "", "workers": [by_api.pk]},
            # A unit outside the user's organisations is refused as unknown (400), nothing enrolled.
            other_org=p.bing, other_org_status=400,
        ),
    ]
