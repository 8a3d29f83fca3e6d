"""The certificate (荣誉证书) of an awarded nomination as a PDF (``core.pdf``)."""

from __future__ import annotations

from typing import Any

from nuanxin.honours.models import Nomination

TEMPLATE = "honours/certificate_pdf.html"


def certificate_pdf(*, actor: Any, nomination: Nomination) -> bytes:
    """The PDF certificate of ``nomination`` (awarded only; ``ServiceError`` otherwise): the
    award, the nominee, the issuing federation (the call's organisation), the decision's date
    and the certificate number, in Chinese. The actor needs "view" on the nomination.
    Audited (``honours.certificate.pdf``: the nomination's id and certificate number).
    ``core.pdf.PdfUnavailable`` when the server cannot make PDFs."""
    raise NotImplementedError


def filename(nomination: Nomination) -> str:
    """The download's file name: 荣誉证书-<certificate number>.pdf."""
    raise NotImplementedError
