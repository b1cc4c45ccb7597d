from __future__ import annotations

from decimal import Decimal

import pytest

from koers.lib.analysis.index import (
    IndexSource,
    ResultIndex,
    derive_index,
    index_from_normal_score,
    iv_band,
    level_midpoint,
    mean_index,
    normal_score,
)
from koers.lib.analysis.norms import NormRow

# Phi(1) = 0.841345 and Phi(-1) = 0.158655 (standard normal table).
INDEX_Z_PLUS_1 = 84.13447460685429
INDEX_Z_MINUS_1 = 15.865525393145708

NORM = NormRow(
    instrument="Rekenen-Wiskunde",
    generation="3.0",
    norm_version="2022",
    moment="M5",
    population="pupils",
    national_mean=150.0,
    national_sd=10.0,
)


def test_it_prefers_a_delivered_percentile() -> None:
    index = derive_index(Decimal("37"), 160.0, NORM, "I", "A")

    assert index == ResultIndex(37.0, IndexSource.PERCENTILE, coarse=False)


@pytest.mark.parametrize(
    ("percentile", "expected"),
    [(0, 1.0), (0.4, 1.0), (1, 1.0), (50.5, 50.5), (99, 99.0), (100, 99.0)],
)
def test_it_clamps_percentiles_to_1_and_99(percentile: float, expected: float) -> None:
    index = derive_index(percentile, None, None, None, None)

    assert index is not None
    assert index.value == expected


@pytest.mark.parametrize("percentile", [-5, 101, 150, float("nan")])
def test_it_ignores_a_percentile_outside_0_to_100(percentile: float) -> None:
    # Score 160 against mean 150, SD 10: z = 1 -> index 84.13.
    index = derive_index(percentile, 160.0, NORM, None, None)

    assert index is not None
    assert index.source == IndexSource.NORM_TABLE
    assert index.value == pytest.approx(INDEX_Z_PLUS_1)


def test_it_uses_the_norm_table_when_no_percentile_is_delivered() -> None:
    # (140 - 150) / 10 = -1 -> Phi(-1) x 100 = 15.87.
    index = derive_index(None, Decimal("140"), NORM, "II", "")

    assert index is not None
    assert index.value == pytest.approx(INDEX_Z_MINUS_1)
    assert index.source == IndexSource.NORM_TABLE
    assert index.coarse is False


@pytest.mark.parametrize(("score", "expected"), [(200.0, 99.0), (100.0, 1.0)])
def test_it_clamps_norm_table_indexes(score: float, expected: float) -> None:
    # z = +5 gives 99.99997 and z = -5 gives 0.00003: both outside 1..99.
    index = derive_index(None, score, NORM, None, None)

    assert index is not None
    assert index.value == expected


def test_it_needs_a_norm_to_use_an_ability_score() -> None:
    index = derive_index(None, 160.0, None, "III", None)

    assert index == ResultIndex(50.0, IndexSource.LEVEL_BAND, coarse=True)


@pytest.mark.parametrize(
    ("level_iv", "expected"),
    [
        ("I+", 95.0),
        ("I", 90.0),
        ("II", 70.0),
        ("III", 50.0),
        ("IV", 30.0),
        ("V", 10.0),
        ("V-", 5.0),
        (" v\u2212 ", 5.0),
        ("iii", 50.0),
    ],
)
def test_it_places_i_to_v_levels_at_their_midpoint(
    level_iv: str, expected: float
) -> None:
    assert level_midpoint(level_iv, None) == expected


@pytest.mark.parametrize(
    ("level_ae", "expected"),
    [("A", 87.5), ("B", 62.5), ("C", 37.5), ("D", 17.5), ("E", 5.0)],
)
def test_it_places_a_to_e_levels_at_their_midpoint(
    level_ae: str, expected: float
) -> None:
    # A 75-100 -> 87.5; B 50-75 -> 62.5; C 25-50 -> 37.5; D 10-25 -> 17.5; E 0-10 -> 5.
    assert level_midpoint("", level_ae) == expected


def test_it_prefers_i_to_v_over_a_to_e() -> None:
    index = derive_index(None, None, None, "IV", "A")

    assert index == ResultIndex(30.0, IndexSource.LEVEL_BAND, coarse=True)


def test_it_returns_none_without_usable_information() -> None:
    assert derive_index(None, None, None, "", "") is None
    assert derive_index(None, None, None, "X", "F") is None


def test_it_converts_between_index_and_normal_score() -> None:
    assert normal_score(50.0) == 0.0
    assert normal_score(INDEX_Z_PLUS_1) == pytest.approx(1.0)
    assert index_from_normal_score(-1.0) == pytest.approx(INDEX_Z_MINUS_1)


@pytest.mark.parametrize("index", [0.0, 100.0, -3.0])
def test_it_refuses_a_normal_score_outside_0_to_100(index: float) -> None:
    with pytest.raises(ValueError, match="strictly between"):
        normal_score(index)


@pytest.mark.parametrize(
    ("index", "band"),
    [
        (99.0, "I"),
        (80.0, "I"),
        (79.99, "II"),
        (60.0, "II"),
        (59.99, "III"),
        (40.0, "III"),
        (39.99, "IV"),
        (20.0, "IV"),
        (19.99, "V"),
        (1.0, "V"),
    ],
)
def test_it_bands_with_inclusive_lower_bounds(index: float, band: str) -> None:
    assert iv_band(index) == band


def test_it_averages_normal_scores_not_percentiles() -> None:
    # z of 84.13 is 1.0 and of 15.87 is -1.0; their mean 0 -> index 50.
    assert mean_index([INDEX_Z_PLUS_1, INDEX_Z_MINUS_1]) == pytest.approx(50.0)

    # 50 and 84.13: mean z = 0.5 -> Phi(0.5) = 69.15, not the plain mean 67.07.
    assert mean_index([50.0, INDEX_Z_PLUS_1]) == pytest.approx(69.146, abs=0.001)


def test_it_refuses_the_mean_of_nothing() -> None:
    with pytest.raises(ValueError, match="at least one"):
        mean_index([])
