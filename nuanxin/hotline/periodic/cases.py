"""Periodic jobs of the hotline: cases."""

JOBS: list = []
