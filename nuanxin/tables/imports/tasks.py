"""Background work of the importer (django-tasks): the dry run of a large file and the
application of a large batch. Enqueued with ``transaction.on_commit`` by the services."""

from django_tasks import task

from nuanxin.core import context
from nuanxin.core.policy import SYSTEM


@task()
def plan_import(batch_id: int) -> None:
    from nuanxin.tables.imports import services

    token = context.set_current(context.RequestContext(channel="task"))
    try:
        services.plan_batch(batch_id=batch_id)
    finally:
        context.reset(token)


@task()
def apply_import(batch_id: int, actor_id: int | None) -> None:
    from nuanxin.accounts.models import User
    from nuanxin.core.errors import ServiceError
    from nuanxin.registry.import_models import ImportBatch
    from nuanxin.tables.imports import services

    token = context.set_current(context.RequestContext(channel="task"))
    try:
        actor = User.objects.filter(pk=actor_id).first() if actor_id else None
        batch = ImportBatch.objects.get(pk=batch_id)
        try:
            services.apply_batch(actor=actor, batch=batch)
        except ServiceError:
            pass  # the batch is back to "planned" with the reason as its message
    finally:
        context.reset(token)


@task()
def reset_interrupted_applies() -> int:
    """The periodic sweep of batches whose apply was cut off with its worker."""
    from nuanxin.tables.imports import services

    return services.reset_interrupted_applies(actor=SYSTEM)
