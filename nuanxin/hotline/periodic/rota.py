"""Periodic jobs of the hotline: rota."""

JOBS: list = []
