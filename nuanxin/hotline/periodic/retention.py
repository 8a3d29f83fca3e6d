"""Periodic jobs of the hotline: retention."""

JOBS: list = []
