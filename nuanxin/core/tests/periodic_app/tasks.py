from django_tasks import task

CALLS: list[str] = []


@task()
def note_call() -> None:
    CALLS.append("note_call")


@task()
def note_other_call() -> None:
    CALLS.append("note_other_call")
