"""The certificate (荣誉证书) of an awarded nomination as a PDF (``core.pdf``)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from nuanxin.core import audit, pdf
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.honours.choices import NominationStatus
from nuanxin.honours.models import Nomination
from nuanxin.honours.services.nominations import nominee_label

TEMPLATE = "honours/certificate_pdf.html"
LANGUAGE = "zh-hans"  # the federation's certificates are Chinese documents


def context(nomination: Nomination) -> dict[str, Any]:
    """What the certificate shows: the award, the nominee (and their unit for a person or a
    team), the issuing federation (the call's organisation), the decision's date, the number."""
    decided = nomination.decided_at or timezone.now()
    unit = ""
    if nomination.worker is not None:
        unit = nomination.worker.organisation.name
    elif nomination.team_name:
        unit = nomination.organisation.name
    return {
        "nomination": nomination,
        "award": nomination.award_type.name,
        "nominee": nominee_label(nomination),
        "unit": unit,
        "issuer": nomination.call.organisation.name,
        "call": nomination.call.name,
        "decided_on": timezone.localtime(decided).date(),
        "certificate_no": nomination.certificate_no,
    }


def certificate_pdf(*, actor: Any, nomination: Nomination) -> bytes:
    """The PDF certificate of ``nomination`` (awarded only; ``ServiceError`` otherwise): the
    award, the nominee, the issuing federation (the call's organisation), the decision's date
    and the certificate number, in Chinese. The actor needs "view" on the nomination.
    Audited (``honours.certificate.pdf``: the nomination's id and certificate number).
    ``core.pdf.PdfUnavailable`` when the server cannot make PDFs."""
    nomination = Nomination.objects.select_related(
        "call__organisation", "award_type", "worker__organisation", "nominee_organisation", "organisation"
    ).get(pk=nomination.pk)
    if not Nomination.policy.allows(actor, "view", nomination):
        raise NotAllowed(_("You may not see this nomination."))
    if nomination.status != NominationStatus.AWARDED or not nomination.certificate_no:
        raise ServiceError(_("Only an awarded nomination has a certificate."))
    with translation.override(LANGUAGE):
        content = pdf.render(TEMPLATE, context(nomination))
    audit.record(
        actor,
        "honours.certificate.pdf",
        obj=nomination,
        object_repr=f"nomination #{nomination.pk}",
        organisation=nomination.organisation,
        detail={"certificate": nomination.certificate_no, "bytes": len(content)},
    )
    return content


def filename(nomination: Nomination) -> str:
    """The download's file name: 荣誉证书-<certificate number>.pdf."""
    return f"荣誉证书-{nomination.certificate_no or nomination.pk}.pdf"
