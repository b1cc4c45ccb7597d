from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from koers.lib.importers import parse_file
from koers.lib.records import (
    DerivedScore,
    Domain,
    ImportRejected,
    ParsedFile,
    Period,
    PupilRef,
    ReferenceLevel,
    Subject,
)
from koers.lib.tests.files import sample

REF = PupilRef(surname="Voorbeeld", birth_date=dt.date(2003, 3, 17))


@pytest.fixture(scope="module")
def dossier() -> ParsedFile:
    return parse_file("dossier.xml", sample("oso_2019_povo_toetslijst_excerpt.xml"))


def test_school_and_pupil(dossier: ParsedFile) -> None:
    assert dossier.format == "oso"
    assert (dossier.school_name, dossier.brin, dossier.branch_code) == (
        "Testschool",
        "00YY",
        "00",
    )
    (pupil,) = dossier.pupils
    assert pupil.ref == REF
    assert (pupil.prefix, pupil.preferred_name, pupil.given_names) == (
        "van de",
        "Noor",
        "Noor Anna",
    )
    assert dossier.skipped == []
    assert dossier.notes == []


def test_school_career(dossier: ParsedFile) -> None:
    assert [(e.school_year, e.group_name, e.grade) for e in dossier.enrolments] == [
        (2006, "1a", "1"),
        (2007, "1/2", "1"),
        (2008, "2b", "2"),
    ]
    assert dossier.enrolments[1].start_date == dt.date(2007, 8, 1)
    assert all(e.ref == REF and e.brin == "00YY" for e in dossier.enrolments)


def test_end_test(dossier: ParsedFile) -> None:
    (end_test,) = dossier.transition_results
    assert end_test.levels == {
        Domain.READING: ReferenceLevel.BELOW_1F,
        Domain.LANGUAGE: ReferenceLevel.BELOW_1F,
        Domain.MATH: ReferenceLevel.F2,
    }
    assert (end_test.supplier, end_test.school_year) == ("Centrale Eindtoets", 2014)
    assert end_test.administered_on == dt.date(2015, 4, 28)
    assert (end_test.exempt, end_test.advice) == (False, "vmbo kb/vmbo gl-tl")
    assert end_test.standard_score == Decimal(525)


def test_test_list(dossier: ParsedFile) -> None:
    assert [(r.generation, r.subject) for r in dossier.results] == [
        ("DREM8", Subject.TECHNICAL_READING),
        ("NIO2004", Subject.OTHER),
        ("RW2006-12-155", Subject.MATH),
        ("BLZ07-20-138", Subject.READING_COMPREHENSION),
        ("WISC3NL2005", Subject.OTHER),
    ]
    assert [r.position.path for r in dossier.results] == [
        f"toetslijst/toets[{index}]" for index in range(1, 6)
    ]


def test_test_taken_in_grade_7_with_an_m8_version(dossier: ParsedFile) -> None:
    reading = dossier.results[3]
    assert reading.instrument == "Begrijpend lezen 2007( jaar van uitgave groep 3/4)"
    assert (reading.supplier, reading.test_version) == ("Cito", "M8-digi S(B)O")
    assert (reading.period, reading.moment_grade, reading.grade_at_test) == (
        Period.MIDDLE,
        "8",
        "7",
    )
    assert (reading.administered_on, reading.school_year) == (
        dt.date(2015, 1, 19),
        2014,
    )
    assert (reading.raw_score, reading.ability_score, reading.scale) == (
        Decimal(36),
        Decimal(103),
        "118",
    )
    assert (reading.didactic_age, reading.dle) == (25, 40)
    # IV and AE win over their "C" (corrected) variants, which stay in `derived`.
    assert (reading.level_iv, reading.level_ae) == ("III", "C")
    assert (reading.functioning_level, reading.reference_level) == (
        "87",
        ReferenceLevel.F1,
    )
    assert DerivedScore("CIV", "II", "Landelijk") in reading.derived
    assert len(reading.derived) == 7


def test_math_b8(dossier: ParsedFile) -> None:
    math = dossier.results[2]
    assert (math.period, math.moment_grade, math.grade_at_test) == (
        Period.BEGIN,
        "8",
        "8",
    )
    assert (math.level_iv, math.level_ae, math.scale) == ("III", "B", "110")


def test_iq_only_test_is_kept(dossier: ParsedFile) -> None:
    nio = dossier.results[1]
    assert nio.supplier == "onbekend"
    assert (nio.raw_score, nio.ability_score, nio.period) == (None, None, None)
    assert nio.derived == [DerivedScore("IQ", "97", "Landelijk")]


def test_sub_tests_are_not_separate_results(dossier: ParsedFile) -> None:
    wisc = dossier.results[4]
    assert wisc.raw_score == Decimal(36)
    assert wisc.derived == [DerivedScore("IQ", "114", "Landelijk")]


DOSSIER = """<dossier xmlns="http://www.edustandaard.nl/oso_gegevensset/2017/dossier">
<huidigeschool><leerling>
  <leerlingid>L-17</leerlingid><bsn>123456782</bsn><achternaam>Bakker</achternaam>
  <eindtoets_basisonderwijs><eindtoetsresultaat>
    <toetssoort>0012</toetssoort><datum_afname>2019-04-16</datum_afname>
    <wettelijke_ontheffing>J</wettelijke_ontheffing>
  </eindtoetsresultaat></eindtoets_basisonderwijs>
  <toetslijst><toets><toetsidentificatie><eldtoetscode>X</eldtoetscode></toetsidentificatie>
    <afname><afnamedatum>2019-13-01</afnamedatum></afname></toets></toetslijst>
</leerling></huidigeschool></dossier>"""


def test_other_namespace_exemption_bsn_and_bad_test_date() -> None:
    parsed = parse_file("oso.xml", DOSSIER.encode())

    assert parsed.pupils[0].ref == PupilRef(key="L-17", surname="Bakker")
    (end_test,) = parsed.transition_results
    assert (end_test.supplier, end_test.exempt) == ("Route 8", True)
    assert end_test.levels == dict.fromkeys(Domain)
    assert parsed.results == []
    (skipped,) = parsed.skipped
    assert (skipped.position.path, skipped.position.column) == (
        "toetslijst/toets[1]",
        "afnamedatum",
    )
    assert parsed.notes == [
        "1 BSN-waarde (BSN of onderwijsnummer) is genegeerd en niet opgeslagen."
    ]
    assert "123456782" not in repr(parsed)


def test_dossier_without_pupil_is_rejected() -> None:
    with pytest.raises(ImportRejected, match="geen leerling"):
        parse_file("oso.xml", b"<dossier><metadata/></dossier>")
