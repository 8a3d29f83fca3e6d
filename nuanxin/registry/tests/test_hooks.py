"""The register announces what the apps above react to (registry/hooks.py), in the service's
transaction and order: a move before the save, an archiving after it."""

from nuanxin.registry import hooks, services
from nuanxin.registry.choices import WorkerStatus


def test_create_move_and_archive_are_announced(personas):
    p = personas
    heard = []

    def listen(name):
        def receiver(*, actor, worker, **kwargs):
            changed = sorted(kwargs.get("changed", ()))
            heard.append((name, actor, worker.organisation.code, kwargs.get("created"), changed))

        return receiver

    with (
        hooks.worker_saved.connected(listen("saved")),
        hooks.worker_moved.connected(listen("moved")),
        hooks.worker_archived.connected(listen("archived")),
    ):
        worker = services.create_worker(actor=p.jia, organisation=p.shinan_hospital, name="钩子", team="cdc")
        assert heard == [("saved", p.jia, "SN-H1", True, sorted(heard[0][4]))]
        assert {"name", "team", "organisation"} <= set(heard[0][4])
        heard.clear()
        services.update_worker(actor=p.jia, worker=worker, organisation=p.shibei_hospital)
        assert heard == [("moved", p.jia, "SB-H1", None, []), ("saved", p.jia, "SB-H1", False, ["organisation"])]
        heard.clear()
        services.set_worker_status(actor=p.jia, worker=worker, status=WorkerStatus.ARCHIVED)
        assert heard == [("saved", p.jia, "SB-H1", False, ["status"]), ("archived", p.jia, "SB-H1", None, [])]
        heard.clear()
        services.update_worker(actor=p.jia, worker=worker, notes="")  # nothing changed: nothing announced
        assert heard == []


def test_the_worker_page_gathers_the_panels_of_the_apps_above(personas):
    from django.test import Client, RequestFactory
    from django.urls import reverse

    worker = services.create_worker(actor=personas.yi, organisation=personas.shinan_hospital, name="面板", team="cdc")
    request = RequestFactory().get("/")
    request.user = personas.yi

    def extra(*, request, worker, **kwargs):
        return [hooks.WorkerPanel("fields", "extra.html", {"name": worker.name})]

    with hooks.worker_page.connected(extra):
        panels = hooks.worker_panels(request, worker)
    # care's (connected in CareConfig.ready) first, in app order (labour's arrangement button for
    # an administrator who may refer one), then this one
    assert [p.template for p in panels["actions"]] == ["care/_worker_actions.html", "labour/_arrangement_worker.html"]
    assert [p.template for p in panels["fields"]] == ["care/_worker_fields.html", "extra.html"]
    assert panels["fields"][1].context == {"name": "面板"}
    assert [p.template for p in panels["sections"]] == ["care/_worker_difficulties.html"]

    client = Client()
    client.force_login(personas.yi)
    html = client.get(reverse("registry:worker_detail", args=[worker.pk])).content.decode()
    assert f'href="{reverse("care:family", args=[worker.pk])}" id="nx-worker-care"' in html
    assert 'id="nx-difficulties"' not in html and "未登记困难。" in html
