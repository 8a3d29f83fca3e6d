"""PDF files (a fund's statement, a commendation's certificate) drawn from a template with
WeasyPrint and Debian's Noto CJK fonts.

``render(template, context)`` returns the PDF's bytes. The template extends ``pdf/base.html``
(A4, the Noto CJK fonts, a header and page numbers); it may load nothing from the network or
the disk: every URL it names is refused (``_no_fetching``), so a value typed by a user cannot
make the server fetch anything. ``PdfUnavailable`` (a ServiceError, shown as a message) when
WeasyPrint's libraries are missing on this machine (scripts/debian-packages.sh installs them).
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from nuanxin.core import exports
from nuanxin.core.errors import ServiceError

PDF_CONTENT_TYPE = "application/pdf"


class PdfUnavailable(ServiceError):
    code = "pdf_unavailable"
    status = 503


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> dict:
    raise ValueError(f"PDF templates load nothing: {url[:60]!r}")


def _weasyprint():
    try:
        import weasyprint
    except OSError as exc:  # Pango missing: cffi cannot open the library
        raise PdfUnavailable(
            _("PDF files cannot be made on this server: its PDF libraries are missing (%(error)s).")
            % {"error": str(exc)[:120]}
        ) from exc
    return weasyprint


def render(template_name: str, context: dict[str, Any], *, request: Any = None) -> bytes:
    """The PDF of ``template_name`` rendered with ``context`` (in the active language)."""
    weasyprint = _weasyprint()
    html = render_to_string(template_name, context, request=request)
    document = weasyprint.HTML(string=html, base_url=None, url_fetcher=_no_fetching)
    return document.write_pdf()


def response(content: bytes, filename: str):
    """A download of the PDF ``content`` named ``filename`` (Chinese names kept for browsers)."""
    return exports.file_response(content, filename, PDF_CONTENT_TYPE)
