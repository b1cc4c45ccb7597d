"""Browser test of the whole groepsplanloos cycle, the way an intern begeleider
works it: prepare a schoolbespreking on the demo school, record what it decides,
close it, print it, import the next measurement and evaluate what was decided.

The demo school is loaded without the E-results of its last school year; those
come in halfway through the test, through the upload preview, as the next
measurement. The clock is set to the school year of the demo (time-machine, which
also moves the live server's clock): the meeting is held in February after the M
measurement, the evaluation happens in June after the E measurement.

The live server, chromium, login and screenshots are those of
`koers.tests.test_browser`; importing its fixtures registers them here too.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test.testcases import LiveServerThread
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader
from time_machine import TimeMachineFixture

from koers.conftest import SKIPPED_FORMATS, SMALL_DEMO
from koers.cycle.models import (
    GroupDeviation,
    Meeting,
    ProfessionalDevelopmentPlan,
    PupilDecision,
)
from koers.lib.demo import FORMAT_NORMS, DemoManifest
from koers.lib.demo.spec import FORMAT_ESIS
from koers.results.models import TestResult as Result
from koers.results.norms import load_norm_table
from koers.schools.management.commands.demo import Command as DemoCommand
from koers.schools.models import School
from koers.tests.accounts import make_user
from koers.tests.test_browser import (  # noqa: F401 (fixtures, registered by import)
    OneRequestAtATime,
    browser_context_args,
    browser_type_launch_args,
    log_in,
    screenshots,
    settled,
)

pytestmark = pytest.mark.django_db(transaction=True)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# The demo's last school year is 2024-2025: M in late January, E in early June.
MEETING_DAY = dt.datetime(2025, 2, 17, 9, 0, tzinfo=AMSTERDAM)
EVALUATION_DAY = dt.datetime(2025, 6, 23, 9, 0, tzinfo=AMSTERDAM)
MOMENT_COLUMN = "Afnamemoment"

DECISION = "Het onderwijsplan rekenen krijgt in de volgende versie een rekenkwartier."
ACTION = "Kijkwijzer instructietafel maken"
GOAL = "Meer leerlingen op koers naar 1F rekenen"
NOTE = "De instructietafel werkt; we houden hem aan."


def split_esis(source: Path, target: Path) -> tuple[Path, Path]:
    """The ESIS file without its E rows, and a file of only the E rows, with the
    same name, header, encoding and dialect as the original."""
    raw = source.read_bytes()
    encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
    text = raw.decode(encoding)
    dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=";,\t")
    rows = list(csv.reader(io.StringIO(text, newline=""), dialect))
    header, data = rows[0], rows[1:]
    moment = header.index(MOMENT_COLUMN)
    assert {row[moment] for row in data} >= {"M", "E"}

    files = []
    for name, keep in (("zonder-e", "ME"), ("alleen-e", "E")):
        folder = target / name
        folder.mkdir()
        path = folder / source.name
        selected = [row for row in data if (row[moment] == "E") == (keep == "E")]
        with path.open("w", encoding=encoding, newline="") as handle:
            writer = csv.writer(
                handle,
                delimiter=dialect.delimiter,
                quoting=csv.QUOTE_ALL,
                lineterminator="\r\n" if "\r\n" in text else "\n",
            )
            writer.writerow(header)
            writer.writerows(selected)
        files.append(path)
    return files[0], files[1]


@pytest.fixture
def cycle_site(
    live_server: Any,
    demo_manifest: DemoManifest,
    tmp_path: Path,
    settings: Any,
    time_machine: TimeMachineFixture,
) -> dict[str, Any]:
    """The small demo school with the demo's ambitions, without the E results of
    its last year."""
    time_machine.move_to(MEETING_DAY, tick=True)
    # The import task runs inside the confirming request, not in `db_worker`.
    settings.TASKS = {
        "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}
    }
    settings.KOERS_UPLOAD_DIR = tmp_path / "uploads"

    last_results = demo_manifest.files_of(FORMAT_ESIS)[-1]
    without_e, only_e = split_esis(last_results.path, tmp_path)
    exports = [
        str(without_e if f.path == last_results.path else f.path)
        for f in demo_manifest.files
        if f.format not in SKIPPED_FORMATS
    ]
    call_command(
        "school",
        "add",
        SMALL_DEMO.brin,
        name=SMALL_DEMO.school_name,
        stdout=io.StringIO(),
    )
    for norms in demo_manifest.files_of(FORMAT_NORMS):
        load_norm_table(norms.path.read_bytes())
    call_command("import_files", *exports, school=SMALL_DEMO.brin, stdout=io.StringIO())
    school = School.objects.get(brin=SMALL_DEMO.brin)
    # The ambitions of THE demo school: without them nothing is missed.
    DemoCommand(stdout=io.StringIO()).load_ambitions(school, tmp_path)
    last_year = last_results.school_year
    assert last_year == SMALL_DEMO.school_years[-1] == 2024
    assert Result.objects.filter(
        pupil__school=school, school_year__start_year=last_year, period="M"
    ).exists()
    assert not Result.objects.filter(
        pupil__school=school, school_year__start_year=last_year, period="E"
    ).exists()

    make_user("ib-er", school)
    return {"url": live_server.url, "school": school, "next_results": only_e}


def school_menu(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Onderdelen van de school")


def heading(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def go_to_meeting(page: Page) -> None:
    school_menu(page).get_by_role("link", name="Cyclus").click()
    page.get_by_role("link", name="17 februari 2025").click()
    expect(heading(page)).to_have_text("Schoolbespreking 17 februari 2025")


def prepare_meeting(page: Page, base: str) -> None:
    log_in(page, base)
    expect(heading(page)).to_contain_text("Wat vraagt aandacht")
    school_menu(page).get_by_role("link", name="Cyclus").click()
    expect(heading(page)).to_have_text("De cyclus van de school")
    page.get_by_role("link", name="Schoolbespreking voorbereiden").click()

    expect(heading(page)).to_have_text("Schoolbespreking voorbereiden")
    page.get_by_label("Na welke meting").select_option(label="midden 2024-2025")
    page.get_by_label("Datum").fill("2025-02-17")
    page.get_by_label("Aanwezig").fill(
        "Directeur\nIntern begeleider\nBouwcoördinatoren"
    )
    page.get_by_role("button", name="Voorbereiding maken").click()

    expect(heading(page)).to_have_text("Schoolbespreking 17 februari 2025")
    expect(page.get_by_text("Na de meting midden 2024-2025.")).to_be_visible()
    agenda = page.get_by_role("navigation", name="Agenda")
    expect(agenda.get_by_role("listitem")).to_have_count(6)
    school = page.get_by_role("region", name="1. De school tegen haar ambities")
    expect(school.get_by_role("row").nth(1)).to_be_visible()
    expect(
        school.get_by_role("link", name=re.compile("Professionaliseringsaanpak")).first
    ).to_be_visible()


def write_education_plan(page: Page) -> None:
    school_menu(page).get_by_role("link", name="Onderwijsplan").click()
    expect(heading(page)).to_contain_text("Onderwijsplan")
    expect(page.get_by_label("Schooljaar")).to_have_value("2024")
    page.get_by_role("button", name="Onderwijsplan beginnen").click()

    expect(heading(page)).to_have_text("Onderwijsplan versie 1 bewerken (2024-2025)")
    rekenen = page.locator("#vak-rekenen")
    rekenen.get_by_label("Minuten per week").fill("300")
    rekenen.get_by_role("button", name="Alles opslaan").click()

    expect(heading(page)).to_contain_text("Onderwijsplan")
    expect(page.locator("#vak-rekenen")).to_contain_text("300")


def record_development_plan(page: Page) -> None:
    school = page.get_by_role("region", name="1. De school tegen haar ambities")
    school.get_by_role(
        "link", name=re.compile("Professionaliseringsaanpak")
    ).first.click()

    expect(heading(page)).to_have_text("Professionaliseringsaanpak")
    expect(page.get_by_text("tegen een ambitie van")).to_be_visible()
    page.get_by_label("Doel").fill(GOAL)
    page.get_by_label("Activiteiten").fill(
        "Studiedag EDI in maart; klassenbezoeken met de kijkwijzer in april."
    )
    page.get_by_label("Eigenaar").fill("Intern begeleider")
    page.get_by_label("Wanneer is het gelukt").fill("De p80 haalt de ambitie.")
    page.get_by_role("button", name="Aanpak vastleggen").click()

    expect(heading(page)).to_contain_text(GOAL)
    expect(page.get_by_text("loopt", exact=True)).to_be_visible()
    expect(page.get_by_text("Intern begeleider", exact=True)).to_be_visible()


def record_deviation(page: Page) -> None:
    groups = page.get_by_role("region", name="3. De groepen")
    groups.get_by_role("link", name="Afwijking vastleggen").first.click()

    expect(heading(page)).to_contain_text("Afwijking groep")
    page.get_by_label("Wat wijkt af").select_option(label="tijd")
    page.get_by_label("In deze groep").fill("Elke dag een kwartier extra rekenen.")
    page.get_by_label("Waarom").fill("De groep haalt de ambitie niet.")
    page.get_by_label("Verwacht effect").fill("Meer groei dan in de vorige periode.")
    page.get_by_role("button", name="Afwijking vastleggen").click()

    expect(heading(page)).to_contain_text("Afwijking groep")
    expect(heading(page)).to_contain_text("tijd")
    expect(page.get_by_text("Elke dag een kwartier extra rekenen.")).to_be_visible()


def record_pupil_decision(page: Page) -> str:
    """Decide on the first pupil with a signal; returns the pupil's name."""
    pupils = page.get_by_role("region", name="4. Leerlingen met een signaal")
    group = pupils.locator("details").first
    if group.get_attribute("open") is None:
        group.locator("summary").click()
    row = (
        group.get_by_role("row")
        .filter(has=page.get_by_role("link", name="Besluit vastleggen"))
        .first
    )
    name = row.get_by_role("cell").first.inner_text().strip()
    row.get_by_role("link", name="Besluit vastleggen").click()

    expect(heading(page)).to_have_text(re.compile(f"^Besluit voor {re.escape(name)}"))
    page.get_by_label("ander arrangement").check()
    page.get_by_label("Naar arrangement").select_option(label="intensief")
    page.get_by_label("Waarom").fill("Het basisaanbod is niet genoeg: naar intensief.")
    page.get_by_role("button", name="Besluit vastleggen").click()

    expect(heading(page)).to_contain_text("Schoolbespreking")
    decided = page.get_by_role("region", name="4. Leerlingen met een signaal")
    expect(
        decided.get_by_role("row", name=re.compile(re.escape(name))).get_by_role(
            "link", name="ander arrangement"
        )
    ).to_be_visible()
    return name


def decide_and_close(page: Page) -> None:
    minutes = page.get_by_role("region", name="6. Besluiten, acties en verslag")
    minutes.get_by_label("Besluit").fill(DECISION)
    minutes.get_by_role("button", name="Besluit toevoegen").click()
    expect(minutes.get_by_role("listitem").filter(has_text=DECISION)).to_be_visible()

    minutes.get_by_label("Actie").fill(ACTION)
    minutes.get_by_label("Wie").fill("Bouwcoördinator")
    minutes.get_by_label("Uiterlijk").fill("2025-03-14")
    minutes.get_by_role("button", name="Actie toevoegen").click()
    expect(minutes.get_by_role("listitem").filter(has_text=ACTION)).to_contain_text(
        "Bouwcoördinator, uiterlijk 14 maart 2025"
    )

    page.get_by_role("button", name="Bespreking vaststellen").click()
    expect(page.get_by_text("Vastgesteld op 17 februari 2025")).to_be_visible()
    expect(page.get_by_role("button", name="Bespreking vaststellen")).to_have_count(0)
    expect(page.get_by_role("button", name="Besluit toevoegen")).to_have_count(0)


def download_pdf(page: Page, folder: Path) -> str:
    with page.expect_download() as download:
        page.get_by_role("link", name="Voorbereiding en verslag als PDF").click()
    target = folder / download.value.suggested_filename
    download.value.save_as(target)
    assert target.name == "schoolbespreking_88KW_2025-02-17.pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(target).pages)
    return " ".join(text.split())


def import_next_measurement(page: Page, results: Path) -> None:
    school_menu(page).get_by_role("link", name="Importeren", exact=True).click()
    page.get_by_label("Bestanden").set_input_files([results])
    page.get_by_role("button", name="Uploaden en controleren").click()
    expect(heading(page)).to_have_text("Controleer wat er zou veranderen")
    page.get_by_role("button", name="Importeren", exact=True).click()
    expect(page.locator("#job-status")).to_contain_text("1 van 1 bestanden klaar")


def evaluate(page: Page, title: re.Pattern[str], evidence: str, outcome: str) -> None:
    """Open a record from the cycle page, check its figures and evaluate it."""
    school_menu(page).get_by_role("link", name="Cyclus").click()
    row = page.get_by_role(
        "region", name="Wat loopt en wat op evaluatie wacht"
    ).get_by_role("row", name=title)
    expect(row).to_contain_text("te evalueren")
    row.get_by_role("link").click()

    expect(heading(page)).to_have_text(title)
    expect(page.get_by_text("te evalueren", exact=True)).to_be_visible()
    evaluation = page.get_by_role("region", name="Evaluatie")
    expect(evaluation).to_contain_text(evidence)
    expect(evaluation).to_contain_text("Koers stelt voor:")
    evaluation.get_by_label(outcome, exact=True).check()
    evaluation.get_by_label("Toelichting").fill(NOTE)
    evaluation.get_by_role("button", name="Evaluatie vastleggen").click()

    expect(page.get_by_text("De evaluatie is vastgelegd.")).to_be_visible()
    expect(page.get_by_text("geëvalueerd", exact=True)).to_be_visible()
    evaluated = page.get_by_role("region", name="Evaluatie")
    expect(evaluated).to_contain_text(
        f"{outcome.capitalize()} · geëvalueerd op 23 juni 2025"
    )
    expect(evaluated).to_contain_text(NOTE)
    expect(evaluated.get_by_role("button", name="Evaluatie vastleggen")).to_have_count(
        0
    )


def test_an_ib_er_goes_round_the_cycle(
    cycle_site: dict[str, Any],
    page: Page,
    screenshots: Path,  # noqa: F811
    tmp_path: Path,
    time_machine: TimeMachineFixture,
) -> None:
    # The live server serves one request at a time (see test_browser).
    assert LiveServerThread.server_class is OneRequestAtATime
    base, school = cycle_site["url"], cycle_site["school"]

    # 2. Prepare the schoolbespreking after the M measurement.
    prepare_meeting(page, base)
    meeting = Meeting.objects.get(school=school)
    assert (meeting.school_year.start_year, meeting.after_period) == (2024, "M")

    # 3. A deviation departs from the onderwijsplan, so there must be one.
    write_education_plan(page)

    # 4. What the meeting decides.
    go_to_meeting(page)
    record_development_plan(page)
    go_to_meeting(page)
    expect(
        page.get_by_role("region", name="2. Evaluatie van de professionalisering")
    ).to_contain_text(GOAL)
    record_deviation(page)
    go_to_meeting(page)
    expect(page.get_by_role("region", name="3. De groepen")).to_contain_text(
        "Nieuw in deze bespreking:"
    )
    pupil = record_pupil_decision(page)
    decide_and_close(page)
    page.screenshot(path=screenshots / "cycle-meeting.png", full_page=True)

    # 5. The pack and the minutes on paper.
    pdf = download_pdf(page, tmp_path)
    assert DECISION in pdf
    assert ACTION in pdf

    # 6. June: the E results come in. The session of February has expired.
    time_machine.move_to(EVALUATION_DAY, tick=True)
    log_in(page, base)
    expect(heading(page)).to_contain_text("Wat vraagt aandacht")
    import_next_measurement(page, cycle_site["next_results"])

    # 7. Evaluate the three records.
    plan = ProfessionalDevelopmentPlan.objects.get(school=school)
    deviation = GroupDeviation.objects.get(school=school)
    decision = PupilDecision.objects.get(school=school)
    # The start page says what waits for evaluation.
    page.get_by_role("link", name="Naar het schooloverzicht").click()
    school_menu(page).get_by_role("link", name="Start").click()
    cycle = page.get_by_role("region", name="De cyclus")
    expect(cycle.get_by_text("te evalueren", exact=True)).to_have_count(3)
    cycle.get_by_role("link", name="Naar de cyclus").click()
    waiting = page.get_by_role("region", name="Wat loopt en wat op evaluatie wacht")
    expect(waiting.get_by_role("row")).to_have_count(4)
    page.screenshot(path=screenshots / "cycle-due.png", full_page=True)

    evaluate(
        page,
        re.compile(f"^Professionalisering .*{re.escape(GOAL)}"),
        "Was ",
        "deels effectief",
    )
    expect(page.get_by_role("region", name="Evaluatie")).to_contain_text(
        re.compile(r"Was \d+,\d, nu \d+,\d")
    )
    page.screenshot(path=screenshots / "cycle-record.png", full_page=True)
    evaluate(
        page,
        re.compile(f"^Afwijking groep {re.escape(deviation.group.name)}"),
        "Groei in de periode:",
        "effectief",
    )
    evaluate(
        page,
        re.compile(f"^Leerlingbesluit {re.escape(pupil)}"),
        "signaal",
        "niet effectief",
    )

    for record in (plan, deviation, decision):
        record.refresh_from_db()
        assert record.evaluated_on == EVALUATION_DAY.date()
        assert record.evidence
    assert (plan.outcome, deviation.outcome, decision.outcome) == (
        "partly",
        "effective",
        "not_effective",
    )

    school_menu(page).get_by_role("link", name="Cyclus").click()
    expect(page.get_by_text("Niets open: alles is geëvalueerd.")).to_be_visible()
    page.screenshot(path=screenshots / "cycle.png", full_page=True)

    # 8. The pupil's own page keeps what the school saw and did.
    page.goto(f"{base}{decision.get_absolute_url()}")
    page.get_by_role("link", name=pupil).click()
    expect(heading(page)).to_have_text(f"Leerlingoverzicht · {pupil}")
    history = (
        page.get_by_role("region", name="Wat de school zag en deed")
        .locator(".card")
        .filter(has=page.get_by_role("heading", name="Meting midden 2024-2025"))
    )
    expect(history).to_contain_text("Besluit 17 februari 2025")
    expect(history).to_contain_text("ander arrangement (intensief)")
    expect(history).to_contain_text(f"niet effectief {NOTE}")
