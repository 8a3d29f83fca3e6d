"""Authorization cases for the register's pages and API operations (the official tables'
import and export are ``nuanxin.tables``'s cases).

Objects are made in 市南区's hospital (乙's scope), one per changing case; 丙 (市北区 admin)
is the other organisation; the care contact holds a view role but may change nothing.
"""

from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.orgs import services as services_orgs
from nuanxin.registry import services
from nuanxin.registry.tests.helpers import make_worker
from tests.authz import Case


def cases(p) -> list[Case]:
    sn = p.shinan_hospital

    def worker(name: str):
        return make_worker(sn, name)

    def member(name: str, of=None):
        return services.add_family_member(
            actor=SYSTEM, worker=of or worker(f"{name}职工"), name=name, mobile="13900009999"
        )

    def deployment(batch: str):
        return services.save_deployment(
            actor=SYSTEM, worker=worker(f"派出{batch}"), batch=batch, deployed_mobile="18600009999"
        )

    shown = worker("授权查看")
    services.add_family_member(actor=SYSTEM, worker=shown, name="授权家属", mobile="13900001234")
    to_edit, to_sensitive = worker("授权编辑"), worker("授权敏感")
    to_add_family, to_add_deployment = worker("授权加家属"), worker("授权加派出")
    family_edit, family_remove = member("授权改家属"), member("授权删家属")
    holder = worker("授权主联系人")
    member("授权旧主", of=holder)
    family_primary = member("授权新主", of=holder)
    family_reveal = member("授权看家属")
    dep_edit, dep_remove, dep_reveal = deployment("第一批"), deployment("第二批"), deployment("第三批")
    api_edit = worker("接口编辑")

    view = {"allowed": p.yi, "denied": p.viewer}
    # The register's rows are outside the scope of 丙 and of a care contact of the same hospital
    # whom the family is not assigned to (a care contact sees only their families).
    colleague, _password = services_orgs.create_user(
        actor=SYSTEM, username="authz-register-colleague", organisation=sn, role=Role.CARE_CONTACT
    )
    outside = (p.bing, colleague)
    change = {"allowed": p.yi, "denied": p.care}
    worker_data = {"organisation": "SN-H1", "name": "授权新建", "team": "cdc", "mobile": "13800008888"}
    family_data = {"name": "授权家属二", "relation": "母亲", "mobile": "13900004444"}
    deployment_data = {"batch": "第四批", "destination": "湖北省武汉市", "deployed_mobile": "18900004444"}

    result = [
        Case("registry:worker_list", **view),
        Case("registry:worker_list", query="q=zs&team=cdc", allowed=p.care, denied=p.counsellor),
        Case("registry:worker_create", **change),
        # 丙 cannot pick 乙's unit: the form offers only 丙's units (shown again, nothing added).
        Case("registry:worker_create", method="post", data=worker_data, other_org=p.bing, other_org_status=200,
             **change),
        Case("registry:worker_detail", kwargs={"pk": shown.pk}, other_org=outside, **view),
        # The edit form shows the full mobile: recorded as a reveal for the allowed user only.
        Case("registry:worker_update", kwargs={"pk": to_edit.pk}, other_org=p.bing, audits="worker.mobile_reveal",
             **change),
        Case(
            "registry:worker_update",
            kwargs={"pk": to_edit.pk},
            method="post",
            other_org=p.bing,
            data={
                "organisation": "SN-H1", "name": "授权编辑", "team": "ambulance", "status": "returned", "version": "1"
            },
            **change,
        ),
        Case("registry:worker_reveal", kwargs={"pk": shown.pk}, method="post", other_org=outside,
             audits="worker.mobile_reveal", **view),
        # The care contact may see the worker (when assigned) but never the sensitive data.
        Case("registry:worker_sensitive", kwargs={"pk": shown.pk}, method="post", other_org=p.bing,
             audits="worker.sensitive_read", **change),
        Case("registry:sensitive_update", kwargs={"pk": to_sensitive.pk}, other_org=p.bing,
             audits="worker.sensitive_read", **change),
        Case(
            "registry:sensitive_update",
            kwargs={"pk": to_sensitive.pk},
            method="post",
            other_org=p.bing,
            data={"maternity": "pregnant", "id_number": "11010519491231002X", "version": "1"},
            **change,
        ),
        Case(
            "registry:family_create",
            kwargs={"pk": to_add_family.pk},
            method="post",
            other_org=p.bing,
            data=family_data,
            **change,
        ),
        Case(
            "registry:family_update",
            kwargs={"pk": family_edit.pk},
            method="post",
            other_org=p.bing,
            data={"name": "授权改家属", "relation": "父亲", "version": "1"},
            **change,
        ),
        Case("registry:family_remove", kwargs={"pk": family_remove.pk}, method="post", other_org=p.bing, **change),
        Case("registry:family_primary", kwargs={"pk": family_primary.pk}, method="post", other_org=p.bing, **change),
        Case("registry:family_reveal", kwargs={"pk": family_reveal.pk}, method="post", other_org=outside,
             audits="worker.mobile_reveal", **view),
        Case(
            "registry:deployment_create",
            kwargs={"pk": to_add_deployment.pk},
            method="post",
            other_org=p.bing,
            data=deployment_data,
            **change,
        ),
        Case(
            "registry:deployment_update",
            kwargs={"pk": dep_edit.pk},
            method="post",
            other_org=p.bing,
            data={**deployment_data, "carrier": "unicom", "version": "1"},
            **change,
        ),
        Case("registry:deployment_remove", kwargs={"pk": dep_remove.pk}, method="post", other_org=p.bing, **change),
        Case("registry:deployment_reveal", kwargs={"pk": dep_reveal.pk}, method="post", other_org=outside,
             audits="worker.mobile_reveal", **view),
        # The REST API (bearer token).
        Case("GET /api/v1/workers", **view),
        Case("GET /api/v1/workers/{worker_id}", kwargs={"worker_id": shown.pk}, other_org=outside, **view),
        Case(
            "GET /api/v1/workers/{worker_id}",
            kwargs={"worker_id": shown.pk},
            query="reveal=1",
            other_org=outside,
            audits="worker.mobile_reveal",
            **view,
        ),
        Case(
            "POST /api/v1/workers",
            data={"org": "SN-H1", "name": "接口新建", "team": "cdc", "mobile": "13800007777"},
            **change,
        ),
        Case(
            "PATCH /api/v1/workers/{worker_id}",
            kwargs={"worker_id": api_edit.pk},
            other_org=p.bing,
            data={"post_title": "主任医师", "version": 1},
            **change,
        ),
    ]
    return result
