"""core/hooks.py: plain, ordered callables, fired inside the caller's transaction."""

import pytest
from django.db import transaction

from nuanxin.core import hooks
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM


def test_receivers_run_in_order_with_the_keywords_and_return_their_results():
    hook = hooks.Hook("test.ordered")
    calls = []
    hook.connect(lambda *, n, **kw: calls.append(("first", n)) or "a")

    @hook.connect
    def second(*, n, **kwargs):
        calls.append(("second", n))
        return "b"

    assert hook.fire(n=1, extra="ignored") == ["a", "b"]
    assert calls == [("first", 1), ("second", 1)]
    hook.connect(second)  # once only (ready() may run again)
    assert len(hook.receivers) == 2
    hook.disconnect(second)
    assert hook.fire(n=2) == ["a"]


def test_a_name_is_declared_once_and_a_receiver_must_be_callable():
    hooks.Hook("test.once")
    with pytest.raises(ValueError, match="declared twice"):
        hooks.Hook("test.once")
    with pytest.raises(TypeError):
        hooks.Hook("test.callable").connect("not a function")
    assert "test.once" in hooks.all_hooks()


def test_connected_is_undone_after_the_block():
    hook = hooks.Hook("test.connected")
    with hook.connected(lambda **kw: 1):
        assert hook.fire() == [1]
    assert hook.fire() == []


@pytest.mark.django_db(transaction=True)
def test_a_failing_receiver_rolls_the_announcing_service_back():
    """Receivers run in the announcer's transaction: its writes and theirs stand or fall together."""
    hook = hooks.Hook("test.transaction")
    seen_in_transaction = []

    def writes(**kwargs):
        seen_in_transaction.append(transaction.get_connection().in_atomic_block)
        AuditLog.objects.create(action="test.receiver", actor_name="system")

    def fails(**kwargs):
        raise RuntimeError("the receiver refused")

    def service():
        with transaction.atomic():
            AuditLog.objects.create(action="test.service", actor_name="system")
            hook.fire(actor=SYSTEM)

    hook.connect(writes)
    service()
    assert seen_in_transaction == [True]
    assert AuditLog.objects.filter(action__startswith="test.").count() == 2
    hook.connect(fails)
    with pytest.raises(RuntimeError):
        service()
    assert AuditLog.objects.filter(action__startswith="test.").count() == 2  # nothing of the second call


def test_the_register_and_the_organisations_announce_and_care_listens():
    """The hooks care reacts to are connected by CareConfig.ready(), not called by the register
    or the organisations (which import nothing of care)."""
    from nuanxin.care import manifest as care
    from nuanxin.orgs import hooks as orgs_hooks
    from nuanxin.registry import hooks as registry_hooks

    assert care.sync_saved_worker in registry_hooks.worker_saved.receivers
    assert care.sync_saved_workers in registry_hooks.workers_saved.receivers
    assert care.follow_worker_move in registry_hooks.worker_moved.receivers
    assert care.worker_page_panels in registry_hooks.worker_page.receivers
    assert care.release_narrowed_contacts in orgs_hooks.grants_narrowed.receivers
    assert care.release_moved_unit_contacts in orgs_hooks.unit_moved.receivers
