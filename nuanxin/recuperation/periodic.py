"""Recuperation's periodic jobs (to be built: offers expire and pass to the next, issue 14 item 4)."""

JOBS: list = []
