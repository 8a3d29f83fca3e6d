"""What the mutual-aid scheme's pages share: the organisations in the user's reach, and
``posted``/``submit`` of ``core.pages`` (every app's pages use them)."""

from __future__ import annotations

from nuanxin.core.pages import posted, submit
from nuanxin.welfare.selectors.reach import organisation_or_404, organisations, top_organisation

__all__ = ["organisation_or_404", "organisations", "posted", "submit", "top_organisation"]
