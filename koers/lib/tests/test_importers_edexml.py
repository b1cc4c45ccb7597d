from __future__ import annotations

import datetime as dt

import pytest

from koers.lib.importers import parse_file
from koers.lib.records import ImportRejected, PupilRef
from koers.lib.tests.files import sample


def test_edexml_2_1_official_example() -> None:
    parsed = parse_file(
        "EDEX.XML", sample("edexml_2.1_edustandaard-voorbeeld_anon.xml")
    )

    assert parsed.format == "edexml"
    assert (parsed.brin, parsed.branch_code, parsed.school_year) == ("99ZZ", "00", 2014)
    # Composite groups (sg1-sg3) are not classes.
    assert [(g.key, g.name, g.grade) for g in parsed.groups] == [
        ("001", "Kabouters", "0"),
        ("002", "Muizen", "1"),
        ("003", "Vlinders", "1"),
        ("GRP4A", "4A", "4"),
        ("GRP4B", "4B", "4"),
    ]
    assert parsed.notes == [
        "2 BSN-waarden (BSN of onderwijsnummer) zijn genegeerd en niet opgeslagen."
    ]
    assert parsed.skipped == []


def test_edexml_2_1_pupils() -> None:
    parsed = parse_file(
        "EDEX.XML", sample("edexml_2.1_edustandaard-voorbeeld_anon.xml")
    )
    only_preferred, official, historic = parsed.pupils

    assert only_preferred.ref == PupilRef(
        eck_id="https://id.school/LL_voorbeeld0000000000000000000000000000000000000000000000000001",
        key="00001",
    )
    assert (only_preferred.surname, only_preferred.preferred_name) == ("", "Noor")
    assert (only_preferred.grade, only_preferred.group_key) == ("4", "GRP4B")
    assert only_preferred.position.path == "leerlingen/leerling[1]"

    assert (official.surname, official.given_names, official.initials) == (
        "Bakker",
        "Ilse Hanna",
        "IH",
    )
    assert (official.grade, official.group_key) == ("4", None)
    assert official.entry_date == dt.date(2013, 8, 25)

    assert (historic.surname, historic.prefix, historic.grade) == (
        "Berg",
        "van 't",
        "H",
    )
    assert historic.exit_date == dt.date(2014, 7, 18)


def test_edexml_2_1_teachers_keep_only_regular_groups() -> None:
    parsed = parse_file(
        "EDEX.XML", sample("edexml_2.1_edustandaard-voorbeeld_anon.xml")
    )
    assert [(t.key, t.surname, t.prefix, t.group_keys) for t in parsed.teachers] == [
        ("LK1", "Dijk", "van", ["GRP4A"]),
        ("LK2", "Smit", "", ["002", "001"]),
        ("LK3", "", "", ["GRP4A"]),
    ]


def test_no_bsn_value_reaches_a_record() -> None:
    parsed = parse_file(
        "EDEX.XML", sample("edexml_2.1_edustandaard-voorbeeld_anon.xml")
    )
    assert "123456782" not in repr(parsed.pupils)
    assert "2731" not in repr(parsed.pupils)


def test_edexml_1_03_cito_export() -> None:
    parsed = parse_file("EDEX.XML", sample("edexml_1.03_cito-lvs-export_synthetic.xml"))

    assert (parsed.brin, parsed.branch_code, parsed.school_year) == ("99XX", "99", 2012)
    assert len(parsed.groups) == 6
    assert [(p.ref.key, p.prefix, p.grade, p.group_key) for p in parsed.pupils] == [
        ("3580", "v. d.", "4", None),  # grade but no group
        ("990", "", "5", "57"),  # grade taken from its group
        ("10", "el", "S", "189"),
        ("1279", "Da", "8", "64"),
    ]
    assert parsed.pupils[2].birth_date is None
    assert [(t.key, t.group_keys) for t in parsed.teachers] == [
        ("0", ["189", "192"]),
        ("5", ["64"]),
    ]
    assert parsed.notes == []


def test_edexml_2_0_lvs_block_is_ignored() -> None:
    parsed = parse_file("lvs.xml", sample("edexml_2.0_lvs-toevoeging_anon.xml"))
    (pupil,) = parsed.pupils
    assert (pupil.ref.key, pupil.surname, pupil.initials) == ("0001", "Visser", "TM")
    assert (parsed.brin, parsed.branch_code) == ("12AA", None)


def test_uwlr_leerlinggegevens_answer() -> None:
    parsed = parse_file(
        "antwoord.xml", sample("uwlr_2.3_leerlinggegevens_antwoord_sample.xml")
    )

    assert parsed.format == "uwlr-leerlinggegevens"
    assert (parsed.brin, parsed.branch_code, parsed.school_year) == ("99DE", "00", 2018)
    assert [(g.key, g.grade) for g in parsed.groups] == [("H1A", "1")]
    assert [(p.ref.eck_id, p.ref.key, p.prefix) for p in parsed.pupils] == [
        ("eckid_L1", "L1", "van"),
        ("https://ketenid.nl/201703/0000voorbeeld", "EC000001", ""),
    ]
    (teacher,) = parsed.teachers
    assert (teacher.surname, teacher.group_keys) == ("Teacher", ["H1A"])


EDEX_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<EDEX>
  <school><schooljaar>2024-2025</schooljaar><brincode>12AB</brincode></school>
  <groepen>
    <groep key="#g1"><jaargroep>C</jaargroep><naam>Groep 4/5</naam></groep>
  </groepen>
  <leerlingen>{pupils}</leerlingen>
</EDEX>"""


def _edex(pupils: str) -> bytes:
    return EDEX_TEMPLATE.format(pupils=pupils).encode()


def test_combination_group_grade_lives_on_the_pupil() -> None:
    parsed = parse_file(
        "EDEX.XML",
        _edex(
            '<leerling key="#1"><groep key="#g1"/><jaargroep>5</jaargroep>'
            "<achternaam>Bakker</achternaam></leerling>"
            '<leerling key="#2"><achternaam>Berg</achternaam>'
            '<groep key="#g1"/></leerling>'
        ),
    )
    assert parsed.school_year == 2024
    assert [(g.key, g.name, g.grade) for g in parsed.groups] == [
        ("#g1", "Groep 4/5", "C")
    ]
    assert [(p.ref.key, p.grade, p.group_key) for p in parsed.pupils] == [
        ("#1", "5", "#g1"),
        ("#2", None, "#g1"),
    ]


def test_bad_pupil_value_skips_that_pupil_only() -> None:
    parsed = parse_file(
        "EDEX.XML",
        _edex(
            '<leerling key="1"><geboortedatum>2015-02-30</geboortedatum></leerling>'
            '<leerling key="2"><geboortedatum>2015-02-28</geboortedatum></leerling>'
        ),
    )
    assert [p.ref.key for p in parsed.pupils] == ["2"]
    (skipped,) = parsed.skipped
    assert skipped.position.path == "leerlingen/leerling[1]"
    assert skipped.position.column == "geboortedatum"
    assert skipped.reason == "verwacht een bestaande datum, gevonden '2015-02-30'"


def test_duplicate_pupil_keys_reject_the_file() -> None:
    data = _edex('<leerling key="1"/><leerling key="1"/>')
    with pytest.raises(ImportRejected, match="komt twee keer voor"):
        parse_file("EDEX.XML", data)
