"""The audit trail's labels of the family produce supply (see ``core/auditlabels.py``),
joined from the areas' modules under ``labels/``."""

from nuanxin.core.auditlabels import Labels
from nuanxin.produce.labels import catalogue, figures, orders, pickup, weeks

_PARTS = [
    area.LABELS
    for area in (
        catalogue,
        orders,
        pickup,
        weeks,
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
