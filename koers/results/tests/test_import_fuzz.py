"""Importer fuzzing at the database level (security.md IMP-1, IMP-2; goal G6).

Generated results files, valid but for one corrupt row at a random position, go
through the real import service (`import_file`, which the CLI and the upload
worker both call):

- a row that breaks the file (bytes in no accepted encoding, a quote that is
  never closed, a broken XML element) rejects the whole file with a Dutch
  message, and the database is exactly as before;
- a row with a wrong value is refused on its own: it is named in the report
  with its row number, and every other row is stored (IMP-3's "rejected rows");
  a dry run of the same file leaves the database exactly as before;
- importing the same file again changes nothing.

`DB_EXAMPLES` in koers/lib/tests/test_importers_fuzz.py sets the examples per
test; the total per run is stated there.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from koers.lib.records import ImportRejected
from koers.lib.tests.test_importers_fuzz import DB_EXAMPLES
from koers.results.models import ImportBatch, TestResult
from koers.results.services import import_file
from koers.schools.models import School
from koers.tests.helpers import dump_database, make_school

pytestmark = pytest.mark.django_db

DB_FUZZ = settings(
    max_examples=DB_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
HEADER = "Leerlingnummer;Achternaam;Toets;Afnamedatum;Vaardigheidsscore;Niveau I-V"
INSTRUMENTS = ["Rekenen-Wiskunde", "Spelling", "Begrijpend lezen", "IEP Rekenen"]
LEVELS = ["I", "II", "III", "IV", "V", ""]

# Values that make one row unusable, each for its own reason.
BAD_VALUES = {
    "Afnamedatum": ["31-02-2024", "morgen", "1850-01-01"],
    "Vaardigheidsscore": ["veel", "1000000", "12,5,3"],
    "Niveau I-V": ["VI", "Z"],
    "Leerlingnummer": [""],
}
COLUMNS = HEADER.split(";")


class RollBack(Exception):
    """Ends each example inside its transaction, so examples see no other rows."""


@st.composite
def valid_rows(draw: st.DrawFn) -> list[list[str]]:
    """2 to 12 results, each of its own pupil, test and date."""
    rng = random.Random(draw(st.integers(min_value=0, max_value=2**32)))
    count = draw(st.integers(min_value=2, max_value=12))
    return [
        [
            str(1000 + number),
            rng.choice(["Jansen", "de Vries", "Öztürk", "=1+1", "Bakker"]),
            rng.choice(INSTRUMENTS),
            f"{rng.randrange(1, 28):02d}-{rng.choice([1, 2, 5, 6]):02d}-2024",
            f"{rng.randrange(0, 2000) / 10:.1f}".replace(".", ","),
            rng.choice(LEVELS[:-1]),
        ]
        for number in range(count)
    ]


def as_csv(rows: list[list[str]]) -> bytes:
    return "\n".join([HEADER, *(";".join(row) for row in rows)]).encode() + b"\n"


def result_rows() -> list[tuple[Any, ...]]:
    return list(
        TestResult.objects.order_by("pupil__key", "administered_on").values_list(
            "pupil__key", "instrument__name", "administered_on", "ability_score"
        )
    )


def rejected_whole(name: str, data: bytes, school: School) -> ImportRejected:
    """Import what must be refused; the database must not change at all."""
    before = dump_database()
    with pytest.raises(ImportRejected) as caught:
        import_file(name, data, school=school)
    assert dump_database() == before
    return caught.value


def imports_twice_the_same(name: str, data: bytes, school: School) -> None:
    first = import_file(name, data, school=school)
    after_first = dump_database()

    second = import_file(name, data, school=school)

    assert not first.already_imported
    assert second.already_imported
    assert dump_database() == after_first


@pytest.fixture
def school() -> School:
    return make_school()


@DB_FUZZ
@given(rows=valid_rows(), data=st.data())
def test_it_rejects_a_file_with_an_unreadable_row_and_writes_nothing(
    school: School, rows: list[list[str]], data: st.DataObject
) -> None:
    position = data.draw(st.integers(min_value=0, max_value=len(rows) - 1))
    content = as_csv(rows)
    lines = content.split(b"\n")
    # 0x81 and 0x8D are neither UTF-8 nor windows-1252; an open quote swallows
    # every row after it.
    breakage = data.draw(st.sampled_from([b"\x81\x8d", b'"']))
    cell = lines[position + 1].split(b";")
    column = data.draw(st.integers(min_value=1, max_value=len(cell) - 1))
    cell[column] = breakage + cell[column]
    lines[position + 1] = b";".join(cell)

    rejection = rejected_whole("resultaten.csv", b"\n".join(lines), school)

    assert rejection.message in (
        "de tekst kan niet worden gelezen (verwacht UTF-8 of Windows-1252)",
        'een aanhalingsteken (") wordt niet gesloten: de rest van het bestand '
        "zou in één cel belanden",
    )


@DB_FUZZ
@given(rows=valid_rows(), data=st.data())
def test_it_refuses_only_the_row_with_a_wrong_value(
    school: School, rows: list[list[str]], data: st.DataObject
) -> None:
    position = data.draw(st.integers(min_value=0, max_value=len(rows) - 1))
    column = data.draw(st.sampled_from(sorted(BAD_VALUES)))
    corrupt = [list(row) for row in rows]
    corrupt[position][COLUMNS.index(column)] = data.draw(
        st.sampled_from(BAD_VALUES[column])
    )
    content = as_csv(corrupt)
    before = dump_database()

    try:
        with transaction.atomic():
            preview = import_file(
                "resultaten.csv", content, school=school, dry_run=True
            )
            assert dump_database() == before

            summary = import_file("resultaten.csv", content, school=school)

            # The file's row numbers count the header as row 1.
            assert [item["where"].split(",")[0] for item in summary.skipped] == [
                f"rij {position + 2}"
            ]
            assert preview.counts == summary.counts
            stored = {row[0] for row in result_rows()}
            expected = {row[0] for index, row in enumerate(rows) if index != position}
            assert stored == expected
            assert summary.counts["results_created"] == len(rows) - 1
            raise RollBack
    except RollBack:
        pass
    assert dump_database() == before


@DB_FUZZ
@given(rows=valid_rows())
def test_it_changes_nothing_when_the_same_file_comes_again(
    school: School, rows: list[list[str]]
) -> None:
    before = dump_database()

    try:
        with transaction.atomic():
            imports_twice_the_same("resultaten.csv", as_csv(rows), school)
            assert len(result_rows()) == len(rows)

            # The same rows in another file (one more line end): no new result.
            again = import_file("kopie.csv", as_csv(rows) + b"\n", school=school)
            assert again.counts["results_created"] == 0
            assert again.counts["results_updated"] == 0
            assert len(result_rows()) == len(rows)
            raise RollBack
    except RollBack:
        pass
    assert dump_database() == before


EDEXML_PUPIL = (
    "<leerling key='{key}'><achternaam>{surname}</achternaam><roepnaam>Anna</roepnaam>"
    "<geboortedatum>2015-03-0{day}</geboortedatum><jaargroep>5</jaargroep>"
    "<groep key='5A'/></leerling>"
)
EDEXML_BREAKAGES = ["<achternaam>", "</leerling>", "&x;", "<leerling key='1'", "\x00"]


@DB_FUZZ
@given(
    count=st.integers(min_value=2, max_value=8),
    data=st.data(),
)
def test_it_rejects_an_edexml_file_with_a_broken_element_and_writes_nothing(
    school: School, count: int, data: st.DataObject
) -> None:
    rng = random.Random(data.draw(st.integers(min_value=0, max_value=2**32)))
    surnames = ["Jansen", "de Vries", "Öztürk", "=1+1", "Bakker"]
    pupils = [
        EDEXML_PUPIL.format(key=1000 + n, day=1 + n % 9, surname=rng.choice(surnames))
        for n in range(count)
    ]
    position = data.draw(st.integers(min_value=0, max_value=count - 1))
    pupils[position] = pupils[position].replace(
        "<roepnaam>", data.draw(st.sampled_from(EDEXML_BREAKAGES)) + "<roepnaam>"
    )
    document = (
        "<EDEX><school><schooljaar>2024-2025</schooljaar><brincode>11AA</brincode>"
        "<dependancecode>00</dependancecode></school>"
        "<groepen><groep key='5A'><naam>5A</naam><jaargroep>5</jaargroep></groep>"
        f"</groepen><leerlingen>{''.join(pupils)}</leerlingen></EDEX>"
    )

    rejection = rejected_whole("leerlingen.xml", document.encode(), school)

    assert "niet goed gevormd" in rejection.message
    assert ImportBatch.objects.count() == 0
