"""The audit trail's labels of volunteer teams (``core/auditlabels.py``),
joined from the areas' modules under ``labels/``."""

from nuanxin.core.auditlabels import Labels
from nuanxin.volunteers.labels import figures, shifts, teams

_PARTS = [
    area.LABELS
    for area in (
        teams,
        shifts,
        figures,
    )
]

LABELS = Labels(
    actions={code: label for part in _PARTS for code, label in part.actions.items()},
    object_types={code: label for part in _PARTS for code, label in part.object_types.items()},
    detail_keys={code: label for part in _PARTS for code, label in part.detail_keys.items()},
    values={key: values for part in _PARTS for key, values in part.values.items()},
    action_values={action: keys for part in _PARTS for action, keys in part.action_values.items()},
)
