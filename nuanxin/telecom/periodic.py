"""The fee waiver's periodic jobs (to be built: lists kept up with table 3, reminders)."""

JOBS: list = []
