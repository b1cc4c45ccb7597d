"""The XML reader refuses what defusedxml refuses, also with its fast tree builder."""

from __future__ import annotations

import pytest

from koers.lib.importers import _xml
from koers.lib.records import ImportRejected

DOSSIER = b'<dossier xmlns="http://www.edustandaard.nl/oso_gegevensset/2019/dossier">'

ATTACKS = {
    "internal entity": (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "xxxxxxxx">]>'
        + DOSSIER
        + b"<naam>&x;</naam></dossier>"
    ),
    "external entity": (
        b'<?xml version="1.0"?>'
        b'<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        + DOSSIER
        + b"<naam>&x;</naam></dossier>"
    ),
    "external DTD": (
        b'<?xml version="1.0"?><!DOCTYPE d SYSTEM "http://example.invalid/d.dtd">'
        + DOSSIER
        + b"</dossier>"
    ),
}


@pytest.mark.parametrize("name", ATTACKS)
def test_documents_with_a_dtd_are_refused(name: str) -> None:
    with pytest.raises(ImportRejected, match="DTD") as caught:
        _xml.parse("dossier.xml", ATTACKS[name])

    assert "passwd" not in str(caught.value)


def test_an_undeclared_entity_is_a_malformed_document() -> None:
    data = DOSSIER + b"<naam>&x;</naam></dossier>"

    with pytest.raises(ImportRejected, match="niet goed gevormd"):
        _xml.parse("dossier.xml", data)


def test_elements_text_and_attributes_are_read_by_local_name() -> None:
    data = (
        DOSSIER
        + b'<leerling nummer="7"><achternaam> Jansen </achternaam></leerling>'
        + b"</dossier>"
    )

    root = _xml.parse("dossier.xml", data)
    pupil = _xml.child(root, "leerling")

    assert _xml.local_name(root.tag) == "dossier"
    assert pupil is not None
    assert pupil.get("nummer") == "7"
    assert _xml.text(pupil, "achternaam") == "Jansen"
    assert _xml.child_texts(pupil) == {"achternaam": "Jansen"}
