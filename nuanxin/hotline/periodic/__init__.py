"""Periodic jobs of the hotline, discovered by ``nuanxin scheduler`` through the manifest."""

from nuanxin.hotline.periodic import cases, retention, rota

JOBS = [*rota.JOBS, *cases.JOBS, *retention.JOBS]
