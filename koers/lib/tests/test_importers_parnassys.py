from __future__ import annotations

import io

import openpyxl
import pytest

from koers.lib.importers import parse_file
from koers.lib.records import ImportRejected
from koers.lib.tests.files import sample


def test_pupil_list_sample() -> None:
    parsed = parse_file(
        "leerlingen.csv", sample("parnassys_leerlingenlijst_export_SYNTHETIC.csv")
    )

    assert parsed.format == "parnassys-pupils"
    assert [
        (p.ref.key, p.preferred_name, p.prefix, p.surname, p.group_key)
        for p in parsed.pupils
    ] == [
        ("10482", "Noor", "", "Bakker", "Groep 4/5"),
        ("10483", "Daan", "van der", "Berg", "Groep 4/5"),
        ("10484", "Fleur", "van 't", "Hof", "8B"),
        ("10485", "Yusuf", "el", "Amrani", "Structuurklas Bovenbouw"),
        ("10486", "Zoë", "de", "Vries", "Groep 1/2a"),
    ]
    # The group name is never read as a grade.
    assert all(p.grade is None for p in parsed.pupils)
    assert [(g.key, g.name, g.grade) for g in parsed.groups] == [
        ("Groep 4/5", "Groep 4/5", None),
        ("8B", "8B", None),
        ("Structuurklas Bovenbouw", "Structuurklas Bovenbouw", None),
        ("Groep 1/2a", "Groep 1/2a", None),
    ]
    assert parsed.notes == [
        "Leerlingen met een andere status dan 'Volgt onderwijs': 1; "
        "zij zijn wel ingelezen."
    ]


def test_staff_list_is_rejected() -> None:
    with pytest.raises(ImportRejected) as raised:
        parse_file(
            "medewerkers.csv", sample("parnassys_medewerkerslijst_export_SYNTHETIC.csv")
        )
    assert "medewerkerslijst" in raised.value.message
    assert "leerlingenlijst" in raised.value.message


def test_duplicate_pupil_numbers_reject_the_file_naming_both_rows() -> None:
    data = b"Leerlingnummer;Huidige groep\n1;3A\n2;3A\n1;4B\n"
    with pytest.raises(ImportRejected) as raised:
        parse_file("leerlingen.csv", data)
    assert "rij 2 en rij 4" in raised.value.message
    assert (raised.value.position.row, raised.value.position.column) == (
        4,
        "Leerlingnummer",
    )


def test_excel_pupil_list_with_numeric_ids() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Achternaam", "Roepnaam", "Leerling nummer", "Huidigegroep", "BSN"])
    sheet.append(["Bakker", "Noor", 10482, "Groep 4/5", "123456782"])
    sheet.append(["Berg", "Daan", None, "8B", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)

    parsed = parse_file("export.bin", buffer.getvalue())

    assert parsed.format == "parnassys-pupils"
    assert [(p.ref.key, p.group_key) for p in parsed.pupils] == [("10482", "Groep 4/5")]
    assert [(s.position.row, s.reason) for s in parsed.skipped] == [
        (3, "geen leerlingnummer")
    ]
    assert parsed.notes == [
        "1 BSN-waarde (BSN of onderwijsnummer) is genegeerd en niet opgeslagen."
    ]
    assert "123456782" not in repr(parsed)
