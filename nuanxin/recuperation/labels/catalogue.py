"""Audit labels of bases, programmes, batches, rosters, costs and figures."""

from django.utils.translation import gettext_lazy as _

from nuanxin.core.auditlabels import Labels
from nuanxin.recuperation.choices import BatchStatus, ProgrammeStatus, RankCriterion
from nuanxin.registry.choices import TeamType

_PROGRAMME_STATUS = {"from": ProgrammeStatus, "to": ProgrammeStatus}
_BATCH_STATUS = {"from": BatchStatus, "to": BatchStatus}

LABELS = Labels(
    actions={
        "recuperation.base.create": _("Recuperation base added"),
        "recuperation.base.update": _("Recuperation base changed"),
        "recuperation.programme.create": _("Recuperation programme created"),
        "recuperation.programme.update": _("Recuperation programme changed"),
        "recuperation.programme.open": _("Recuperation programme opened"),
        "recuperation.programme.close": _("Recuperation programme closed"),
        "recuperation.batch.create": _("Recuperation batch created"),
        "recuperation.batch.update": _("Recuperation batch changed"),
        "recuperation.batch.open": _("Recuperation batch opened for nominations"),
        "recuperation.batch.close": _("Recuperation batch closed for nominations"),
        "recuperation.batch.finish": _("Recuperation batch marked as held"),
        "recuperation.batch.charge": _("Recuperation batch's cost charged to a fund"),
        "recuperation.roster.export": _("Recuperation roster exported"),
    },
    object_types={
        "recuperation.base": _("Recuperation base"),
        "recuperation.programme": _("Recuperation programme"),
        "recuperation.batch": _("Recuperation batch"),
        "recuperation.candidate": _("Recuperation candidate"),
        "recuperation.offer": _("Recuperation offer"),
    },
    detail_keys={
        "capacity": _("Capacity"),
        "ranking": _("Ranking rule"),
        "offer_hours": _("Offer held for (hours)"),
        "cost_per_place": _("Cost per place"),
        "teams": _("Who may go"),
        "recuperation_programme": _("Recuperation programme"),
        "recuperation_base": _("Recuperation base"),
    },
    values={"ranking": RankCriterion, "teams": TeamType},
    action_values={
        "recuperation.programme.open": _PROGRAMME_STATUS,
        "recuperation.programme.close": _PROGRAMME_STATUS,
        "recuperation.batch.open": _BATCH_STATUS,
        "recuperation.batch.close": _BATCH_STATUS,
        "recuperation.batch.finish": _BATCH_STATUS,
    },
)
