from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from koers.lib.importers import parse_file
from koers.lib.records import Domain, ImportRejected, PupilRef, ReferenceLevel
from koers.lib.tests.files import own_file, sample


def test_specification_example() -> None:
    parsed = parse_file(
        "uitslag.json", sample("doorstroomtoets_leerlingresultaat_example.json")
    )

    assert (parsed.format, parsed.school_year, parsed.rows_read) == (
        "doorstroomtoets",
        2023,
        1,
    )
    (result,) = parsed.transition_results
    assert result.ref == PupilRef(eck_id="leerling-abc123")
    assert result.levels == {
        Domain.MATH: ReferenceLevel.S1,
        Domain.READING: ReferenceLevel.F1,
        Domain.LANGUAGE: ReferenceLevel.BELOW_1F,
    }
    assert (result.supplier, result.advice) == ("IEP", "vwo")
    assert result.administered_on == dt.date(2023, 4, 28)
    assert result.standard_score == Decimal(100)
    assert result.position.path == "resultatenscores"


def test_array_of_messages() -> None:
    parsed = parse_file("uitslagen.json", own_file("doorstroomtoets_array.json"))

    assert [r.ref for r in parsed.transition_results] == [
        PupilRef(eck_id="https://ketenid.nl/201703/abc", key="4711"),
        PupilRef(key="4712"),
    ]
    first, second = parsed.transition_results
    assert (first.supplier, first.advice, first.school_year) == (
        "Route 8",
        "havo",
        2023,
    )
    assert first.levels[Domain.MATH] == ReferenceLevel.F2
    assert second.levels[Domain.MATH] == ReferenceLevel.BELOW_1F
    assert second.levels[Domain.READING] is None
    # 23:30 UTC on 6 February is 7 February in the Netherlands.
    assert first.administered_on == dt.date(2024, 2, 7)

    (skipped,) = parsed.skipped
    assert skipped.position.path == "[2]/resultatenscores"
    assert "leerlingverwijzing" in skipped.reason


@pytest.mark.parametrize(
    "document",
    [{"datumtijd": "2024-01-01"}, [], [{"resultatenscores": {}}, 5], [1, 2]],
)
def test_json_of_another_shape_is_rejected(document: object) -> None:
    with pytest.raises(
        ImportRejected, match=r"doorstroomtoets-leerlingresultaat|geldige JSON"
    ):
        parse_file("x.json", json.dumps(document).encode())


def test_broken_json_is_rejected() -> None:
    with pytest.raises(ImportRejected, match="geen geldige JSON"):
        parse_file("x.json", b'{"resultatenscores": {')


def test_deep_nesting_is_rejected_not_crashing() -> None:
    with pytest.raises(ImportRejected):
        parse_file("x.json", b"[" * 100_000 + b"]" * 100_000)
