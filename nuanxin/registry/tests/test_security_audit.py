"""The audit trail is append-only and read (and exported) by auditors: it records which
free-text fields of the register changed, never their text (notes and addresses may hold
health or family details that must be erasable; the field history keeps the values)."""

import json

from nuanxin.core.models import AuditLog
from nuanxin.registry import services
from nuanxin.registry.tests.helpers import make_worker

SECRET, OTHER = "怀孕五个月需调岗", "住在某小区三号楼"


def _trail() -> str:
    return json.dumps([r.detail for r in AuditLog.objects.all()], ensure_ascii=False)


def test_free_text_of_the_register_stays_out_of_the_audit_trail(personas):
    worker = make_worker(personas.shinan_hospital, "审计一")
    services.update_worker(actor=personas.yi, worker=worker, notes=SECRET)
    services.update_worker(actor=personas.yi, worker=worker, notes=OTHER)
    member = services.add_family_member(actor=personas.yi, worker=worker, name="家属", notes=SECRET, address=OTHER)
    services.update_family_member(actor=personas.yi, member=member, notes=OTHER, address=SECRET)
    deployment = services.save_deployment(actor=personas.yi, worker=worker, batch="第一批", notes=SECRET)
    services.save_deployment(actor=personas.yi, worker=worker, deployment=deployment, notes=OTHER)
    trail = _trail()
    assert SECRET not in trail and OTHER not in trail
    # What changed is still recorded.
    updates = AuditLog.objects.filter(action="worker.update").order_by("id")
    assert [sorted(r.detail["changes"]) for r in updates] == [["notes"], ["notes"]]
    assert sorted(AuditLog.objects.get(action="family.update").detail["changes"]) == ["address", "notes"]
    assert "notes" in AuditLog.objects.get(action="deployment.update").detail["changes"]
