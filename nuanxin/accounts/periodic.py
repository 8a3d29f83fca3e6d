"""Periodic jobs of accounts, discovered by ``nuanxin scheduler`` (see ``nuanxin.core.periodic``)."""

from nuanxin.accounts import tasks
from nuanxin.core.periodic import DailyAt, Every, Job

JOBS: list[Job] = [
    Job(name="accounts.delete_expired_tokens", task=tasks.delete_expired_tokens, schedule=DailyAt(hour=3, minute=20)),
    Job(name="accounts.prune_login_attempts", task=tasks.prune_login_attempts, schedule=Every(minutes=60)),
]
