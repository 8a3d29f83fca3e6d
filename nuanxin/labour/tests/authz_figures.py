"""Authorization cases of the labour hub and figures: the hub answers whoever holds a labour
role (the counsellor holds none: 403); the figures are counts (viewers see them)."""

from __future__ import annotations

from typing import Any

from nuanxin.labour.models import Arrangement
from tests.authz import Case, standard_cases


def cases(p: Any) -> list[Case]:
    return [
        Case("labour:home", allowed=p.yi, denied=p.counsellor),
        *standard_cases(p, "labour:figures", model=Arrangement, action="figures", allowed=p.viewer),
    ]
