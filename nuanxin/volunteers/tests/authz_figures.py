"""Authorization cases of the figures page (viewer-safe: the viewer may open it)."""

from typing import Any

from nuanxin.volunteers.models import Team
from tests.authz import Case, standard_cases


def cases(p: Any) -> list[Case]:
    return [*standard_cases(p, "volunteers:figures", model=Team, action="figures", allowed=p.viewer)]
