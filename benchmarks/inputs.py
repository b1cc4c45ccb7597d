"""Input files for the import benchmarks, written with the standard library.

- `write_esis`: one ESIS LVS results export (the exact column layout of the real
  export: `;`, every field quoted, CRLF, dd-mm-yyyy, decimal comma);
- `write_roster`: an EDEXML 2.1 roster naming every pupil of those files (key and
  ECK-iD), imported before the timed import so pupils pre-exist;
- `write_oso`: OSO 2019 dossiers in the shape of the Edustandaard example, one per
  pupil, each with a `toetslijst` of `toets` elements; pupils are identified by
  `eckid`.

Scores come from the demo's (invented) norms so Koers computes a real index for
most rows. Everything depends only on the arguments: no clock, a seeded RNG.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from koers.lib.demo import norms as demo_norms
from koers.lib.demo.esis import HEADER, dutch_date, dutch_number
from koers.lib.demo.norms import INSTRUMENTS, NOMINAL_DL, NORM_GENERATION
from koers.lib.records import Subject

BRIN = "99KW"
BRANCH = "00"
FIRST_YEAR = 2019
YEARS = 5
SUBJECTS = (
    Subject.MATH,
    Subject.READING_COMPREHENSION,
    Subject.SPELLING,
    Subject.TECHNICAL_READING,
)
PERIODS = ("M", "E")
# ESIS rows per pupil: 4 subjects x 5 school years x 2 moments (M, E).
ESIS_ROWS_PER_PUPIL = len(SUBJECTS) * YEARS * len(PERIODS)
OSO_TESTS_PER_DOSSIER = 50
OSO_NAMESPACE = "http://www.edustandaard.nl/oso_gegevensset/2019/dossier"
SURNAMES = ("Jansen", "de Vries", "Bakker", "Visser", "Smit", "Meijer", "Bos", "Mulder")


@dataclass(frozen=True, slots=True)
class BenchPupil:
    key: str
    eck_id: str
    surname: str
    birth_date: dt.date
    first_grade: int  # grade in the first school year

    def grade_in(self, year_offset: int) -> int:
        # Grades 3-8 only (the LVS grades); a pupil past grade 8 wraps round, so
        # every pupil has results in every year and the row count is exact.
        return 3 + (self.first_grade - 3 + year_offset) % 6


def make_pupils(count: int) -> list[BenchPupil]:
    pupils = []
    for number in range(count):
        first_grade = 3 + number % 6
        birth_year = FIRST_YEAR - first_grade - 4
        pupils.append(
            BenchPupil(
                key=str(100000 + number),
                eck_id=f"https://ketenid.nl/201703/{number:040d}",
                surname=SURNAMES[number % len(SURNAMES)],
                birth_date=dt.date(birth_year, 1 + number % 12, 1 + number % 28),
                first_grade=first_grade,
            )
        )
    return pupils


@dataclass(frozen=True, slots=True)
class Score:
    raw: int
    ability: float
    dle: int
    dl: int
    level_iv: str
    level_ae: str
    percentile: float


def simulate(rng: random.Random, subject: Subject, moment: str) -> Score:
    """A plausible score at `moment` (e.g. `M5`), using the demo's invented norms."""
    known = demo_norms.has_moment(subject, moment)
    z = rng.gauss(0.0, 1.0)
    if known:
        ability = round(demo_norms.ability_score(subject, moment, z), 1)
        percentile = demo_norms.national_percentile(subject, moment, ability)
        raw = demo_norms.raw_score(subject, moment, ability)
        dle = demo_norms.didactic_age_equivalent(subject, ability)
    else:  # e.g. begrijpend lezen in grade 3: no norm, levels only
        ability = round(100.0 + 10.0 * z, 1)
        percentile = min(99.0, max(1.0, 50.0 + 30.0 * z))
        raw = rng.randint(5, 40)
        dle = rng.randint(5, 55)
    return Score(
        raw=raw,
        ability=ability,
        dle=dle,
        dl=NOMINAL_DL.get(moment, 30),
        level_iv=demo_norms.level_iv(percentile),
        level_ae=demo_norms.level_ae(percentile),
        percentile=percentile,
    )


def test_date(start_year: int, period: str, pupil_number: int) -> dt.date:
    """M-tests in late January, E-tests in June, spread over three weeks."""
    if period == "M":
        return dt.date(start_year + 1, 1, 13) + dt.timedelta(days=pupil_number % 21)
    return dt.date(start_year + 1, 6, 2) + dt.timedelta(days=pupil_number % 21)


def label(start_year: int) -> str:
    return f"{start_year}-{start_year + 1}"


# --- ESIS ---------------------------------------------------------------------


def esis_pupil_count(rows: int) -> int:
    return -(-rows // ESIS_ROWS_PER_PUPIL)


def esis_rows(pupils: list[BenchPupil], rows: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    exported = dutch_date(dt.date(FIRST_YEAR + YEARS, 7, 10))
    out: list[list[str]] = []
    for number, pupil in enumerate(pupils):
        for offset in range(YEARS):
            start_year = FIRST_YEAR + offset
            grade = pupil.grade_in(offset)
            for period in PERIODS:
                moment = f"{period}{grade}"
                day = test_date(start_year, period, number)
                for subject in SUBJECTS:
                    instrument = INSTRUMENTS[subject]
                    score = simulate(rng, subject, moment)
                    out.append(
                        [
                            exported,
                            BRIN + BRANCH,
                            pupil.key,
                            instrument.esis_area,
                            instrument.esis_test,
                            NORM_GENERATION,
                            label(start_year),
                            dutch_date(day),
                            str(grade),
                            period,
                            str(score.dl),
                            str(score.raw),
                            dutch_number(score.ability),
                            str(score.dle),
                            score.level_ae,
                            score.level_iv,
                            "",
                        ]
                    )
    del out[rows:]
    rng.shuffle(out)  # real exports are not sorted
    return out


def write_esis(path: Path, rows: int, seed: int = 2026) -> list[BenchPupil]:
    """Write an ESIS export of exactly `rows` data rows; returns its pupils."""
    pupils = make_pupils(esis_pupil_count(rows))
    data = esis_rows(pupils, rows, seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(
            handle, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n"
        )
        writer.writerow(HEADER)
        writer.writerows(data)
    return pupils


# --- EDEXML roster ------------------------------------------------------------


def write_roster(path: Path, pupils: list[BenchPupil]) -> None:
    """An EDEXML 2.1 roster of the last school year with every pupil in it."""
    offset = YEARS - 1
    year = FIRST_YEAR + offset
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<EDEX>\n  <school>\n',
        f"    <schooljaar>{label(year)}</schooljaar>\n",
        f"    <brincode>{BRIN}</brincode>\n",
        f"    <dependancecode>{BRANCH}</dependancecode>\n",
        f"    <aanmaakdatum>{year + 1}-07-10T16:05:00</aanmaakdatum>\n",
        "    <auteur>Koers benchmarks</auteur>\n    <xsdversie>2.1</xsdversie>\n",
        "  </school>\n  <groepen>\n",
    ]
    for grade in range(3, 9):
        parts.append(
            f'    <groep key="g{grade}"><naam>{grade}</naam>'
            f"<jaargroep>{grade}</jaargroep></groep>\n"
        )
    parts.append("  </groepen>\n  <leerlingen>\n")
    for pupil in pupils:
        grade = pupil.grade_in(offset)
        parts.append(
            f'    <leerling key="{pupil.key}" eckid="{escape(pupil.eck_id)}">'
            f"<achternaam>{escape(pupil.surname)}</achternaam>"
            f"<roepnaam>Kind{pupil.key}</roepnaam>"
            f"<geboortedatum>{pupil.birth_date.isoformat()}</geboortedatum>"
            f"<geslacht>0</geslacht><jaargroep>{grade}</jaargroep>"
            f'<groep key="g{grade}"/>'
            f"<instroomdatum>{FIRST_YEAR}-08-20</instroomdatum></leerling>\n"
        )
    parts.append("  </leerlingen>\n</EDEX>\n")
    path.write_text("".join(parts), encoding="utf-8")


# --- OSO ----------------------------------------------------------------------


def oso_tests(
    pupil: BenchPupil, number: int, count: int, rng: random.Random
) -> list[str]:
    """`count` toets elements: the four subjects at each M/E moment, oldest first,
    continuing with B-versions (a second test on another day) when more are asked."""
    out: list[str] = []
    round_ = 0
    while len(out) < count:
        for offset in range(YEARS):
            start_year = FIRST_YEAR + offset
            grade = pupil.grade_in(offset)
            for period in PERIODS:
                day = test_date(start_year, period, number) + dt.timedelta(
                    days=round_ * 7
                )
                version = f"{period}{grade}" if round_ == 0 else f"{period}{grade}-B"
                for subject in SUBJECTS:
                    if len(out) == count:
                        return out
                    out.append(_oso_test(subject, version, grade, day, rng))
        round_ += 1
    return out


def _oso_test(
    subject: Subject, version: str, grade: int, day: dt.date, rng: random.Random
) -> str:
    instrument = INSTRUMENTS[subject]
    moment = version[:2]
    score = simulate(rng, subject, moment)
    ability = dutch_number(score.ability).replace(",", ".")
    references = "".join(
        "<referentiescore>"
        f"<codereferentiescore>{code}</codereferentiescore>"
        "<codevergelijkingsgroep>Landelijk</codevergelijkingsgroep>"
        f"<waarde>{value}</waarde>"
        "<kwalificatie>Geen nadere kwalificatie</kwalificatie>"
        "</referentiescore>"
        for code, value in (
            ("IV", score.level_iv),
            ("AE", score.level_ae),
            ("Percentiel", demo_norms.percentile_text(score.percentile)),
            ("DLE", str(score.dle)),
        )
    )
    return (
        "<toets><toetsidentificatie>"
        f"<eldtoetscode>{instrument.oso_code}</eldtoetscode>"
        f"<leergebied>{instrument.oso_area}</leergebied>"
        f"<toetsnaam>{instrument.oso_name}</toetsnaam>"
        f"<toetsversie>{version}</toetsversie>"
        "</toetsidentificatie><afname>"
        f"<afnamedatum>{day.isoformat()}</afnamedatum>"
        f"<jaargroep>{grade}</jaargroep><dl>{NOMINAL_DL.get(moment, 30)}</dl>"
        "</afname><resultaat><toetsscore>"
        f"<aantalgoed>{score.raw}</aantalgoed>"
        f"<vaardigheidsscore>{ability}</vaardigheidsscore>"
        f"<codevaardigheidsschaal>{instrument.oso_code}</codevaardigheidsschaal>"
        f"</toetsscore>{references}</resultaat></toets>\n"
    )


def oso_dossier(pupil: BenchPupil, tests: list[str]) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<dossier xmlns="{OSO_NAMESPACE}">\n'
        "<metadata><deeldossier>LASLVS</deeldossier>"
        "<pakketnaam>Bench-LAS</pakketnaam><pakketversie>1</pakketversie>"
        f"<datum>{FIRST_YEAR + YEARS}-07-20</datum>"
        "<standaardversie>2019.1</standaardversie><overstap>POPO</overstap>"
        "</metadata>\n<overdrachtsoort>overstapdossier</overdrachtsoort>\n"
        "<huidigeschool><naam>Vorige school</naam><brincode>00ZZ</brincode>"
        "<vestigingscode>00</vestigingscode>\n<leerling>"
        f"<voornaam>Kind{pupil.key}</voornaam>"
        f"<achternaam>{escape(pupil.surname)}</achternaam>"
        f"<roepnaam>Kind{pupil.key}</roepnaam>"
        f"<geboortedatum>{pupil.birth_date.isoformat()}</geboortedatum>"
        f"<geslacht>0</geslacht><eckid>{escape(pupil.eck_id)}</eckid>\n"
        "<toetslijst>\n" + "".join(tests) + "</toetslijst>\n"
        "</leerling></huidigeschool>\n</dossier>\n"
    )


def write_oso(
    directory: Path,
    dossiers: int,
    tests_per_dossier: int = OSO_TESTS_PER_DOSSIER,
    seed: int = 2026,
) -> list[BenchPupil]:
    """Write `dossiers` OSO files `oso_<key>.xml`; returns their pupils."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    pupils = make_pupils(dossiers)
    for number, pupil in enumerate(pupils):
        tests = oso_tests(pupil, number, tests_per_dossier, rng)
        (directory / f"oso_{pupil.key}.xml").write_text(
            oso_dossier(pupil, tests), encoding="utf-8"
        )
    return pupils
