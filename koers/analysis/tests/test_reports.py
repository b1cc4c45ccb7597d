"""The school, group and pupil overviews as A4 PDFs: for the school's own staff
only, with the page's figures, page numbers, and nothing fetched from outside."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from koers.analysis import reports
from koers.results.models import Instrument
from koers.schools.models import Group
from koers.tests.helpers import add_result, make_school, member_of, small_school

pytestmark = pytest.mark.django_db

# What a report prints for "no value".
DASH = "\N{EN DASH}"
# A group name with a slash, curly quotes and an accent.
QUOTED_NAME = (
    "7/8 \N{LEFT SINGLE QUOTATION MARK}Zonnebloem\N{RIGHT SINGLE QUOTATION MARK} \u00e9"
)


def report_url(school_id: int) -> str:
    return reverse("analysis:school-report", args=[school_id]) + "?jaar=2024&moment=M"


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def group_report_url(group_id: int, query: str = "") -> str:
    return reverse("analysis:group-report", args=[group_id]) + query


def pupil_report_url(pupil_id: int) -> str:
    return reverse("analysis:pupil-report", args=[pupil_id])


def page_size(data: bytes) -> tuple[int, int]:
    box = PdfReader(io.BytesIO(data)).pages[0].mediabox
    return round(float(box.width)), round(float(box.height))


def page_count(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def first_page_png(data: bytes, folder: Path) -> Path:
    """Page 1 rendered by poppler's pdftoppm (which scripts/test installs)."""
    pdf = folder / "rapport.pdf"
    pdf.write_bytes(data)
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm is not None, "scripts/test installs poppler-utils"
    subprocess.run(  # noqa: S603 - poppler's pdftoppm on our own file
        [pdftoppm, "-r", "40", "-png", "-f", "1", "-l", "1", str(pdf), str(pdf)],
        check=True,
    )
    return folder / "rapport.pdf-1.png"


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
        'attachment; filename="schooloverzicht-11AA-2024-2025-M.pdf"'
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
    data = small_school()
    client = member_of(data["school"])

    page = first_page_png(client.get(report_url(data["school"].pk)).content, tmp_path)

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


# --- the group and pupil reports -----------------------------------------------


def test_the_group_and_pupil_reports_need_a_login_and_the_own_school() -> None:
    mine = small_school("11AA", "Mijn school")
    theirs = small_school("22BB", "Andere school")
    client = member_of(mine["school"])
    urls = [group_report_url(theirs["group"].pk), pupil_report_url(theirs["anna"].pk)]

    for url in urls:
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={url}"
        assert client.get(url).status_code == 404
    assert client.get(group_report_url(9999)).status_code == 404
    assert client.get(pupil_report_url(9999)).status_code == 404
    assert client.get(group_report_url(mine["group"].pk)).status_code == 200
    assert client.get(pupil_report_url(mine["anna"].pk)).status_code == 200


def test_the_group_report_is_an_a4_pdf_with_the_group_overview() -> None:
    data = small_school()
    client = member_of(data["school"])

    response = client.get(group_report_url(data["group"].pk, "?moment=M"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="groepsoverzicht-11AA-2024-2025-5A-M.pdf"'
    )
    assert response["Cache-Control"] == "no-store"
    assert page_size(response.content) == (595, 842)
    text = pdf_text(response.content)
    assert "Groepsoverzicht · groep 5A" in text
    assert "OBS De Proef · Schooljaar 2024-2025, meetmoment midden (M)" in text
    assert "Rekenen" in text
    # M5 rekenen: Anna 7 (band V, grown 1 point since her E4 result of 6) and
    # Bram 60 (band II, no earlier result). Of two pupils, p80 is the lower index
    # and p20 the higher; the bands I-V hold 0, 1, 0, 0 and 1 pupils; the growth
    # rests on Anna alone; one of two is on course for 1F and for 1S/2F.
    band_counts = "\u2009·\u2009".join("01001")
    assert f"De groep 2 {band_counts} 27 7 60 1,0 (n=1) 50 50 geen ambitie" in text
    assert "ondersteuning: 1 basis: 1 uitdaging: 0" in text
    assert "standaardgrenzen\n25 en 75" in text or "standaardgrenzen 25 en 75" in text
    assert "Anna Appel 5 7 V 1 ondersteuning Blijvend laag" in text
    assert f"Bram Boom 5 60 II {DASH} basis {DASH}" in text
    assert "OBS De Proef · groep 5A (2024-2025)" in text  # the running header
    assert f"Pagina 1 van {page_count(response.content)}" in text


def test_the_group_report_follows_the_moment_and_subject_of_the_page() -> None:
    data = small_school()
    spelling, _ = Instrument.objects.get_or_create(
        supplier="Cito", name="Spelling", generation="3.0", subject="spelling"
    )
    add_result(data["bram"], spelling, data["year"], dt.date(2025, 1, 22), 42.0)
    client = member_of(data["school"])
    earlier = data["previous_group"].pk

    # Group 4A (2023-2024) has Anna's M4 (index 5) and E4 (index 6) results.
    end = pdf_text(client.get(group_report_url(earlier, "?moment=E")).content)
    middle = pdf_text(client.get(group_report_url(earlier, "?moment=M")).content)
    both = pdf_text(client.get(group_report_url(data["group"].pk)).content)
    one = pdf_text(
        client.get(group_report_url(data["group"].pk, "?vak=rekenen")).content
    )

    assert "Schooljaar 2023-2024, meetmoment eind (E)" in end
    assert "Anna Appel 4 6 V 1 ondersteuning" in end
    assert "Schooljaar 2023-2024, meetmoment midden (M)" in middle
    assert f"Anna Appel 4 5 V {DASH} ondersteuning" in middle
    assert "Spelling" in both and "Rekenen" in both
    assert "Rekenen" in one and "Spelling" not in one


def test_the_group_report_file_name_is_safe_ascii() -> None:
    data = small_school()
    group = Group.objects.create(
        school=data["school"], school_year=data["year"], name=QUOTED_NAME
    )

    response = member_of(data["school"]).get(group_report_url(group.pk))

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="groepsoverzicht-11AA-2024-2025-7-8-Zonnebloem-e.pdf"'
    )
    text = pdf_text(response.content)
    assert f"Groepsoverzicht · groep {QUOTED_NAME}" in text
    assert "nog geen resultaten" in text


def test_the_pupil_report_is_an_a4_pdf_with_the_pupil_overview() -> None:
    data = small_school()
    client = member_of(data["school"])
    anna = data["anna"]

    response = client.get(pupil_report_url(anna.pk))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    # The pupil's id, never the name: a downloaded file travels further.
    assert response["Content-Disposition"] == (
        f'attachment; filename="leerlingoverzicht-11AA-{anna.pk}.pdf"'
    )
    assert "Appel" not in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    assert page_size(response.content) == (595, 842)
    text = pdf_text(response.content)
    assert "Leerlingoverzicht · Anna Appel" in text
    assert "OBS De Proef · Leerlingnummer 11AA-1 · geboren 1 maart 2015" in text
    assert "Schooljaar 2024-2025 · groep 5A" in text
    assert "laatste meting: meetmoment midden (M) 2024-2025, 20 januari 2025" in text
    assert "2023-2024 4A 4" in text and "2024-2025 5A 5" in text
    # Index 5, 6 and 7: below 10 three times, a rise of only 2 points.
    assert "Rekenen · Blijvend laag" in text
    assert "onder 10 (5, 6 en 7; +2 punten" in text
    assert f"20 januari 2024 M4 4 5 V {DASH} {DASH} percentiel" in text
    assert f"10 juni 2024 E4 4 6 V 1 {DASH} percentiel" in text
    assert f"20 januari 2025 M5 5 7 V 1 {DASH} percentiel" in text
    assert "OBS De Proef · Anna Appel" in text  # the running header
    assert f"Pagina 1 van {page_count(response.content)}" in text


def test_the_pupil_report_of_a_pupil_without_a_signal() -> None:
    data = small_school()

    response = member_of(data["school"]).get(pupil_report_url(data["bram"].pk))

    text = pdf_text(response.content)
    assert "Leerlingoverzicht · Bram Boom" in text
    assert "Geen signalen volgens de regels van de school." in text
    assert f"21 januari 2025 M5 5 60 II {DASH} {DASH} percentiel" in text
    # One result: the chart's time axis stays around it (not 1931 to 2095).
    assert "jan 2025" in text
    assert "1931" not in text


def test_the_group_and_pupil_pages_link_their_reports() -> None:
    data = small_school()
    client = member_of(data["school"])

    group_page = client.get(
        reverse("analysis:group-overview", args=[data["group"].pk]), {"moment": "M"}
    )
    pupil_page = client.get(reverse("analysis:pupil-overview", args=[data["anna"].pk]))

    assert f'href="{group_report_url(data["group"].pk)}?moment=M"' in (
        group_page.content.decode()
    )
    assert f'href="{pupil_report_url(data["anna"].pk)}"' in pupil_page.content.decode()
    assert "Download als PDF-rapport" in pupil_page.content.decode()


def test_the_group_and_pupil_reports_render_to_images(tmp_path: Path) -> None:
    data = small_school()
    client = member_of(data["school"])

    for number, url in enumerate(
        [group_report_url(data["group"].pk), pupil_report_url(data["anna"].pk)]
    ):
        folder = tmp_path / str(number)
        folder.mkdir()
        page = first_page_png(client.get(url).content, folder)

        assert page.exists()
        assert page.stat().st_size > 5_000  # a blank A4 page at 40 dpi is far smaller
