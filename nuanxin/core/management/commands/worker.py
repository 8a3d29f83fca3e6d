"""``nuanxin worker``: run queued background tasks (django-tasks-db's ``db_worker``)."""

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from nuanxin.core import context


class Command(DbWorkerCommand):
    help = (
        "Run queued background tasks from the database queue (a thin wrapper around "
        "django-tasks-db's db_worker, processing every queue by default and never "
        "auto-reloading). Several workers may run side by side. Stops after the current task on "
        "Ctrl-C or SIGTERM."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*", reload=False, interval=2.0)
        parser._option_string_actions["--reload"].help = (
            "Reload the worker on code changes (development only; default: off)."
        )

    def handle(self, *args, **options):
        # Audit rows written by tasks say they came from the background, not the command line.
        token = context.set_current(context.RequestContext(channel="task"))
        try:
            return super().handle(*args, **options)
        finally:
            context.reset(token)  # a worker run in-process (a test, --batch) leaves the channel as it found it
