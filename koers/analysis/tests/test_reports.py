"""The school overview as an A4 PDF: for the school's own staff only, with the
page's figures, page numbers, and nothing fetched from outside."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from koers.analysis import reports
from koers.analysis.tests.test_views import member_of
from koers.tests.helpers import make_school, small_school

pytestmark = pytest.mark.django_db


def report_url(school_id: int) -> str:
    return reverse("analysis:school-report", args=[school_id]) + "?jaar=2024&moment=M"


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_report_needs_a_login_and_the_own_school() -> None:
    data = small_school()
    other = member_of(make_school("22BB", "Andere school"))

    assert Client().get(report_url(data["school"].pk)).status_code == 302
    assert other.get(report_url(data["school"].pk)).status_code == 404


def test_the_report_is_an_a4_pdf_with_the_overview() -> None:
    data = small_school()
    client = member_of(data["school"])

    response = client.get(report_url(data["school"].pk))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="schooloverzicht-11AA00-2024.pdf"'
    )
    reader = PdfReader(io.BytesIO(response.content))
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    # A4 is 210 x 297 mm: 595 x 842 points.
    assert (round(float(width)), round(float(height))) == (595, 842)
    text = pdf_text(response.content)
    assert "Schooloverzicht · OBS De Proef" in text
    assert "Schooljaar 2024-2025, meetmoment midden (M)" in text
    assert "Rekenen" in text
    assert "Groep 5" in text
    assert f"Pagina 1 van {len(reader.pages)}" in text


def test_the_report_renders_to_an_image(tmp_path: Path) -> None:
    # poppler-utils' pdftoppm, which scripts/test installs.
    data = small_school()
    client = member_of(data["school"])
    pdf = tmp_path / "rapport.pdf"
    pdf.write_bytes(client.get(report_url(data["school"].pk)).content)

    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm is not None, "scripts/test installs poppler-utils"
    subprocess.run(  # noqa: S603 - poppler's pdftoppm on our own file
        [pdftoppm, "-r", "40", "-png", "-f", "1", "-l", "1", str(pdf), str(pdf)],
        check=True,
    )

    page = tmp_path / "rapport.pdf-1.png"
    assert page.exists()
    assert page.stat().st_size > 5_000  # a blank A4 page at 40 dpi is far smaller


def test_a_report_never_fetches_a_url(tmp_path: Path) -> None:
    secret = tmp_path / "geheim.css"
    secret.write_text("body { font-size: 40pt }", encoding="utf-8")
    image = tmp_path / "logo.svg"
    image.write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    fetcher = reports.no_fetching()

    for url in (secret.as_uri(), image.as_uri(), "http://example.invalid/x.png"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetcher.fetch(url)
    # WeasyPrint logs the refused resources and renders the rest.
    html = (
        f"<img src='{image.as_uri()}'><link rel='stylesheet' href='{secret.as_uri()}'>"
    )
    assert reports.render_pdf_from_html(html).startswith(b"%PDF")
