"""Authorization cases of the produce figures page (viewers see counts only)."""

from typing import Any

from nuanxin.produce.models import Offer
from tests.authz import Case, standard_cases


def cases(p: Any) -> list[Case]:
    return [*standard_cases(p, "produce:figures", model=Offer, action="figures", allowed=p.viewer)]
