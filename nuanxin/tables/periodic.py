"""Periodic jobs of the register, discovered by ``nuanxin scheduler`` (see ``nuanxin.core.periodic``)."""

from nuanxin.core.periodic import Every, Job
from nuanxin.tables.imports import tasks

JOBS: list[Job] = [
    Job(name="registry.reset_interrupted_imports", task=tasks.reset_interrupted_applies, schedule=Every(minutes=10)),
]
