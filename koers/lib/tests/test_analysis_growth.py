from __future__ import annotations

from datetime import date
from statistics import NormalDist

import pytest

from koers.lib.analysis.growth import (
    GrowthStep,
    Measurement,
    group_growth,
    growth_steps,
)

# Phi(1) = 0.841345 (standard normal table).
INDEX_Z_PLUS_1 = 84.13447460685429
INDEX_Z_MINUS_1 = 15.865525393145708


def measurement(
    pupil_id: int, instrument_id: int, when: date, index: float, moment: str = "M5"
) -> Measurement:
    return Measurement(pupil_id, instrument_id, when, index, moment)


def step(pupil_id: int, from_index: float, to_index: float) -> GrowthStep:
    return GrowthStep(
        pupil_id=pupil_id,
        instrument_id=1,
        from_date=date(2025, 1, 20),
        to_date=date(2025, 6, 10),
        from_index=from_index,
        to_index=to_index,
        change=to_index - from_index,
    )


def test_it_pairs_consecutive_measurements_in_date_order() -> None:
    steps = growth_steps(
        [
            measurement(1, 7, date(2025, 6, 10), 55.0, "E5"),
            measurement(1, 7, date(2025, 1, 20), 50.0, "M5"),
            measurement(1, 7, date(2026, 1, 22), 48.0, "M6"),
        ]
    )

    # 50 -> 55 is +5; 55 -> 48 is -7.
    assert [(s.from_date, s.to_date, s.change) for s in steps] == [
        (date(2025, 1, 20), date(2025, 6, 10), 5.0),
        (date(2025, 6, 10), date(2026, 1, 22), -7.0),
    ]


def test_it_never_mixes_instruments() -> None:
    # Pupil 1 has one result on instrument 7 and two on instrument 8: only the two
    # results on instrument 8 form a step (60 -> 45).
    steps = growth_steps(
        [
            measurement(1, 7, date(2025, 1, 20), 80.0),
            measurement(1, 8, date(2025, 6, 10), 60.0),
            measurement(1, 8, date(2026, 1, 22), 45.0),
        ]
    )

    assert len(steps) == 1
    assert (steps[0].instrument_id, steps[0].change) == (8, -15.0)


def test_it_keeps_pupils_apart() -> None:
    steps = growth_steps(
        [
            measurement(1, 7, date(2025, 1, 20), 40.0),
            measurement(2, 7, date(2025, 6, 10), 60.0),
        ]
    )

    assert steps == []


def test_it_computes_group_growth_on_normal_scores() -> None:
    # z: pupil 1 goes 0 -> 1, pupil 2 goes -1 -> 0. Mean z before -0.5, after 0.5:
    # Phi(0.5) - Phi(-0.5) = 0.69146 - 0.30854 -> 38.29 index points.
    growth = group_growth(
        [step(1, 50.0, INDEX_Z_PLUS_1), step(2, INDEX_Z_MINUS_1, 50.0)]
    )

    assert growth is not None
    assert growth.n == 2
    assert growth.change == pytest.approx(38.292, abs=0.001)
    assert growth.mean_z_change == pytest.approx(1.0)
    # Both pupils changed by exactly 1 z: no spread, so no uncertainty.
    assert growth.standard_error == pytest.approx(0.0, abs=1e-12)
    assert growth.low == pytest.approx(growth.change)


def test_it_reports_a_95_percent_interval_in_index_points() -> None:
    # z changes 1, 0, -1 from z 0 (index 50): mean 0, sd 1, SE = 1 / sqrt(3) = 0.5774;
    # 1.96 x 0.5774 = 1.1316 -> Phi(1.1316) = 0.8711 -> interval -37.11 .. +37.11.
    growth = group_growth(
        [
            step(1, 50.0, INDEX_Z_PLUS_1),
            step(2, 50.0, 50.0),
            step(3, 50.0, INDEX_Z_MINUS_1),
        ]
    )

    assert growth is not None
    assert growth.change == pytest.approx(0.0, abs=1e-9)
    assert growth.standard_error == pytest.approx(0.57735, abs=1e-5)
    assert growth.low == pytest.approx(-37.11, abs=0.01)
    assert growth.high == pytest.approx(37.11, abs=0.01)


def test_it_gives_no_interval_for_a_single_pupil() -> None:
    growth = group_growth([step(1, 50.0, 60.0)])

    assert growth is not None
    assert growth.change == pytest.approx(10.0)
    assert (growth.standard_error, growth.low, growth.high) == (None, None, None)


def test_it_maps_the_interval_through_the_group_mean() -> None:
    # From z 1 (index 84.13) a change of +0.5 z is Phi(1.5) - Phi(1) = 93.32 - 84.13.
    growth = group_growth([step(1, INDEX_Z_PLUS_1, NormalDist().cdf(1.5) * 100)])

    assert growth is not None
    assert growth.change == pytest.approx(9.185, abs=0.001)


def test_it_returns_none_without_steps() -> None:
    assert group_growth([]) is None


def test_it_refuses_two_steps_of_one_pupil() -> None:
    with pytest.raises(ValueError, match="one step per pupil"):
        group_growth([step(1, 50.0, 60.0), step(1, 60.0, 65.0)])
