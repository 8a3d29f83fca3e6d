"""The certificate's title fits inside its border on A4, on one line and centred, in Chinese
(荣誉证书, spaced out) and in a longer language (English); the number carries the call's year.
Read from the PDF with poppler's ``pdftotext -bbox`` (skipped where poppler is not installed)."""

import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone, translation

from nuanxin.core import pdf
from nuanxin.honours.models import Call
from nuanxin.honours.services import certificates
from nuanxin.honours.services import nominations as services
from nuanxin.honours.tests.fixtures import on_notice

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed"),
]

MM = 72 / 25.4
PAGE_WIDTH = 210 * MM
INNER = (32 * MM, PAGE_WIDTH - 32 * MM)  # page margin 16mm + the border's padding 16mm, each side


def words(content: bytes, tmp_path) -> list[tuple[float, float, float, str]]:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert out.count("<page ") == 1
    return [(float(a), float(b), float(c), w) for a, b, c, w in
            re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', out)]


@pytest.mark.parametrize(("language", "title"), [("zh-hans", "荣誉证书"), ("en", "Certificate of honour")])
def test_the_title_fits_inside_the_border_centred_on_one_line(hw, tmp_path, language, title):
    n = on_notice(hw)
    Call.objects.filter(pk=hw.call.pk).update(deadline=datetime(2020, 3, 31, 16, 0, tzinfo=UTC))
    with time_machine.travel(timezone.now() + timedelta(days=6), tick=False):
        n = services.decide(n, actor=hw.p.jia, awarded=True)
    with translation.override(language):
        found = words(pdf.render(certificates.TEMPLATE, certificates.context(n)), tmp_path)
    first_line = [w for w in found if w[1] == found[0][1]]
    assert "".join(w[3] for w in first_line).replace(" ", "") == title.replace(" ", "")
    left, right = min(w[0] for w in first_line), max(w[2] for w in first_line)
    assert INNER[0] <= left and right <= INNER[1]
    assert abs((left + right) / 2 - PAGE_WIDTH / 2) < 3  # centred within 3 pt, the trailing spacing included
    assert any(w[3].endswith(f"QDGH-2020-{hw.call.pk:03d}-{n.pk:05d}") for w in found)
