"""Background tasks and periodic jobs of the weeks area. Each calls a service with
``actor=SYSTEM`` and is idempotent (a closed or settled offer is left alone), catching up by
itself after downtime."""

from django_tasks import task

from nuanxin.core.periodic import DailyAt, Every, Job
from nuanxin.core.policy import SYSTEM
from nuanxin.produce.services import weeks


@task()
def close_due() -> int:
    """Close every offer past its order cut-off (the pick lists are then fixed)."""
    return weeks.close_due(actor=SYSTEM)


@task()
def settle_due() -> dict:
    """After the pickup day: the parcels still waiting marked not collected, the check calls
    drawn and the fund's finance clerks told the subsidy awaits them, for every offer whose
    pickup day is over."""
    done = weeks.settle_due(actor=SYSTEM)
    return {
        "settled": len(done),
        "clerks_told": sum(s.clerks_told for s in done),
        "without_fund": sum(1 for s in done if s.charge_error),
    }


JOBS: list[Job] = [
    Job("produce.close_due", close_due, Every(5)),
    Job("produce.settle_due", settle_due, DailyAt(21, 30)),
]
