from __future__ import annotations

import pytest

from koers.lib.importers import detect_format, parse_file
from koers.lib.records import ImportRejected
from koers.lib.tests.files import SAMPLES_DIR, own_file, sample


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("edexml_1.03_cito-lvs-export_synthetic.xml", "edexml"),
        ("edexml_2.0_lvs-toevoeging_anon.xml", "edexml"),
        ("edexml_2.1_edustandaard-voorbeeld_anon.xml", "edexml"),
        ("uwlr_2.3_leerlinggegevens_antwoord_sample.xml", "uwlr-leerlinggegevens"),
        ("oso_2019_povo_toetslijst_excerpt.xml", "oso"),
        ("esis_lvs_toetsresultaten_export_SYNTHETIC.csv", "esis-results"),
        ("doorstroomtoets_leerlingresultaat_example.json", "doorstroomtoets"),
        ("parnassys_leerlingenlijst_export_SYNTHETIC.csv", "parnassys-pupils"),
    ],
)
def test_samples_are_recognised(name: str, expected: str) -> None:
    assert detect_format(sample(name)) == expected


def test_every_sample_is_covered() -> None:
    names = {path.name for path in SAMPLES_DIR.iterdir()} - {"README.md"}
    assert len(names) == 10


def test_uwlr_results_request_is_refused_clearly() -> None:
    with pytest.raises(ImportRejected, match="BrengLeerresultaten"):
        parse_file(
            "verzoek.xml", sample("uwlr_leerresultaten_verzoek_RECONSTRUCTED.xml")
        )


@pytest.mark.parametrize("data", [b"", b"   \r\n", b"\xef\xbb\xbf"])
def test_empty_file_is_rejected(data: bytes) -> None:
    with pytest.raises(ImportRejected, match="leeg"):
        parse_file("leeg.csv", data)


def test_billion_laughs_is_rejected_without_expanding() -> None:
    with pytest.raises(ImportRejected, match="DTD"):
        parse_file("bom.xml", own_file("billion_laughs.xml"))


def test_xml_that_is_not_well_formed_is_rejected() -> None:
    with pytest.raises(ImportRejected, match="niet goed gevormd") as raised:
        parse_file("EDEX.XML", own_file("not_well_formed.xml"))
    assert "regel 6" in raised.value.message


def test_unknown_xml_root_is_rejected() -> None:
    with pytest.raises(ImportRejected, match="hoofdelement 'rss'"):
        detect_format(b"<?xml version='1.0'?><rss/>")


def test_unknown_table_is_rejected() -> None:
    with pytest.raises(ImportRejected, match="onbekend soort tabel"):
        parse_file("x.csv", b"kleur;vorm\nrood;rond\n")


def test_format_comes_from_content_not_name() -> None:
    data = sample("oso_2019_povo_toetslijst_excerpt.xml")
    assert parse_file("resultaten.csv", data).format == "oso"


def test_undecodable_text_is_rejected() -> None:
    with pytest.raises(ImportRejected, match="UTF-8 of Windows-1252"):
        parse_file("x.csv", b"Leerlingnummer;Toets\n\x81\x8d;\x90\n")


def test_damaged_spreadsheet_is_rejected() -> None:
    with pytest.raises(ImportRejected, match="spreadsheet"):
        parse_file("x.xlsx", b"PK\x03\x04garbage")
