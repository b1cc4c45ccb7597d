from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import pytest

from koers.lib.analysis.flags import (
    BelowExpected,
    EvidencePoint,
    FlagRule,
    OffCourse,
    PersistentDecline,
    PersistentlyLow,
    SharpDrop,
    default_rules,
    flag_pupils,
    rules_from_mapping,
)
from koers.lib.analysis.index import IndexSource
from koers.lib.analysis.observations import Observation
from koers.lib.records import Period, ReferenceLevel, Subject

MOMENTS = [
    (date(2024, 1, 22), Period.MIDDLE, "5"),
    (date(2024, 6, 10), Period.END, "5"),
    (date(2025, 1, 20), Period.MIDDLE, "6"),
    (date(2025, 6, 9), Period.END, "6"),
]


def series(
    indexes: list[float],
    *,
    subject: Subject = Subject.MATH,
    instrument_id: int = 1,
    levels: list[ReferenceLevel | None] | None = None,
    pupil_id: int = 1,
) -> list[Observation]:
    """Results on consecutive M/E moments from M5 on."""
    levels = levels or [None] * len(indexes)
    return [
        Observation(
            pupil_id=pupil_id,
            group_id=10,
            group_name="5a",
            grade=grade,
            subject=subject,
            school_year=when.year if period == Period.END else when.year - 1,
            period=period,
            moment_grade=grade,
            instrument_id=instrument_id,
            administered_on=when,
            index=index,
            index_source=IndexSource.PERCENTILE,
            coarse=False,
            reference_level=level,
        )
        for (when, period, grade), index, level in zip(
            MOMENTS, indexes, levels, strict=False
        )
    ]


# The rules that are off by default, switched on with the parameters the hand
# computations below use.
DECLINE = PersistentDecline(enabled=True, min_total_drop=10.0)
SHARP = SharpDrop(enabled=True, min_drop=25.0)
LOW_20 = PersistentlyLow(threshold=20.0)


def rules_fired(
    indexes: list[float], rules: Sequence[FlagRule] | None = None
) -> list[str]:
    return [flag.rule for flag in flag_pupils({1: series(indexes)}, rules)]


def test_it_flags_a_persistent_decline_with_numbers() -> None:
    # 62 -> 48 -> 41: two falls, 21 points in total (at least 10).
    (flag,) = flag_pupils({1: series([62, 48, 41])}, [DECLINE])

    assert flag.rule == "persistent_decline"
    assert flag.rule_label_nl == "Aanhoudende daling"
    assert flag.parameters == {"min_total_drop": 10.0}
    assert flag.evidence == (
        EvidencePoint(date(2024, 1, 22), "M5", 62),
        EvidencePoint(date(2024, 6, 10), "E5", 48),
        EvidencePoint(date(2025, 1, 20), "M6", 41),
    )
    assert flag.explanation_nl == (
        "Index daalde van 62 naar 48 en daarna naar 41 (\u221221 punten in twee "
        "opeenvolgende dalingen; regel: samen minstens 10 punten)."
    )
    assert (flag.subject, flag.instrument_id, flag.pupil_id) == (Subject.MATH, 1, 1)


@pytest.mark.parametrize(
    ("indexes", "fires"),
    [
        # 50 -> 45 -> 40: exactly 10 in total -> fires.
        ([50, 45, 40], True),
        # 50 -> 45 -> 40.5: 9.5 in total -> not.
        ([50, 45, 40.5], False),
        # 50 -> 38 -> 38: the second step is no fall -> not.
        ([50, 38, 38], False),
        # Two results are one step, not two.
        ([50, 30], False),
        # An earlier decline followed by a rise: the last three are 48, 41, 45.
        ([62, 48, 41, 45], False),
    ],
)
def test_it_applies_persistent_decline_at_its_boundary(
    indexes: list[float], fires: bool
) -> None:
    assert bool(rules_fired(indexes, rules=[DECLINE])) is fires


@pytest.mark.parametrize(
    ("indexes", "fires"),
    [
        # 70 -> 45 = 25 points -> fires; 70 -> 45.1 = 24.9 -> not.
        ([70, 45], True),
        ([70, 45.1], False),
        # Only the last two results count: 90 -> 60 earlier, then 60 -> 58.
        ([90, 60, 58], False),
    ],
)
def test_it_applies_sharp_drop_at_its_boundary(
    indexes: list[float], fires: bool
) -> None:
    assert bool(rules_fired(indexes, rules=[SHARP])) is fires


def test_it_explains_a_sharp_drop() -> None:
    (flag,) = flag_pupils({1: series([70, 44.5])}, [SHARP])

    # 70 - 44.5 = 25.5.
    assert flag.explanation_nl == (
        "Index daalde van 70 (M5) naar 44,5 (E5): \u221225,5 punten; regel: "
        "minstens 25 punten tussen twee metingen."
    )


@pytest.mark.parametrize(
    ("indexes", "fires"),
    [
        # All below 20; 15 -> 17 is +2 (< 5) -> fires.
        ([15, 12, 17], True),
        # +4.99 from first to last -> still fires.
        ([15, 12, 19.99], True),
        # 14 -> 19 is +5: recovered -> not.
        ([14, 12, 19], False),
        # 20 is not below 20 -> not.
        ([15, 20, 12], False),
        # A low pupil rising is never flagged (regression to the mean).
        ([10, 12, 18], False),
        # Two low results are not three.
        ([10, 11], False),
    ],
)
def test_it_applies_persistently_low_at_its_boundary(
    indexes: list[float], fires: bool
) -> None:
    assert bool(rules_fired(indexes, rules=[LOW_20])) is fires


def test_it_explains_persistently_low() -> None:
    (flag,) = flag_pupils({1: series([15, 12, 17])}, [LOW_20])

    assert flag.explanation_nl == (
        "Index bleef bij de laatste 3 metingen onder 20 (15, 12 en 17; +2 punten "
        "van de eerste tot de laatste); regel: 3 opeenvolgende metingen onder 20 "
        "zonder een stijging van minstens 5 punten."
    )
    assert flag.parameters == {
        "threshold": 20.0,
        "measurements": 3,
        "min_recovery": 5.0,
    }


@pytest.mark.parametrize(
    ("indexes", "fires"),
    [
        # Rekenen: on course to 1S above 55. 60 (yes), 50 (no), 48 (no) -> fires.
        ([60, 50, 48], True),
        # The last result is back above 55 -> not.
        ([60, 50, 56], False),
        # Exactly 55 is not above 55, so never on course to 1S -> not.
        ([55, 50, 48], False),
        # Only one result off course -> not.
        ([60, 60, 50], False),
    ],
)
def test_it_applies_off_course_at_its_boundary(
    indexes: list[float], fires: bool
) -> None:
    assert bool(rules_fired(indexes, rules=[OffCourse()])) is fires


def test_it_uses_delivered_levels_for_off_course() -> None:
    levels: list[ReferenceLevel | None] = [
        ReferenceLevel.F2,
        ReferenceLevel.F1,
        ReferenceLevel.S1,
    ]
    # Lezen: 1S is not the target level (2F), so 2F -> 1F -> 1S is off course.
    observations = series(
        [80, 80, 80], subject=Subject.READING_COMPREHENSION, levels=levels
    )

    (flag,) = flag_pupils({1: observations}, [OffCourse()])

    assert flag.explanation_nl == (
        "Bij M5 (geleverd niveau 2F) op koers naar 2F, maar bij E5 (geleverd niveau "
        "1F) en M6 (geleverd niveau 1S) alleen nog naar 1F of lager; regel: eerst "
        "op koers naar het streefniveau, daarna twee metingen niet."
    )
    assert flag.parameters == {}


def test_it_never_flags_off_course_without_a_reference_level() -> None:
    observations = series([60, 50, 48], subject=Subject.TECHNICAL_READING)

    assert flag_pupils({1: observations}, [OffCourse()]) == []


def test_it_never_mixes_instruments_in_a_series() -> None:
    # 62 on instrument 1, then 48 and 41 on instrument 2: no three-step decline.
    first = series([62], instrument_id=1)
    rest = series([62, 48, 41], instrument_id=2)[1:]

    assert flag_pupils({1: first + rest}, [DECLINE]) == []


def test_it_sorts_each_series_by_date() -> None:
    shuffled = list(reversed(series([62, 48, 41])))

    assert [f.rule for f in flag_pupils({1: shuffled}, [DECLINE])] == [
        "persistent_decline"
    ]


def test_it_runs_all_default_rules_when_none_are_given() -> None:
    # 70 -> 35 -> 10. below_expected (r = 0.8): z(70) = 0.5244, z(35) = -0.3853,
    # z(10) = -1.2816; residuals (-0.3853 - 0.4195) / 0.6 = -1.34 and
    # (-1.2816 + 0.3082) / 0.6 = -1.62, both under z(10 %) = -1.2816 -> fires.
    # off_course: 70 on course to 1S (above 55), 35 and 10 not -> fires.
    # Not persistently low (70 is not below 10); the decline and drop rules are off.
    assert sorted(rules_fired([70, 35, 10])) == ["below_expected", "off_course"]


def test_it_leaves_the_noisy_rules_off_by_default() -> None:
    # 70 -> 44 -> 15 falls 55 points, 29 of them in one step, but the decline and
    # drop rules are off; only off_course (70 above 55, then 44 and 15) fires.
    assert rules_fired([70, 44, 15]) == ["off_course"]


def test_it_applies_a_schools_overrides() -> None:
    rules = rules_from_mapping(
        {
            "sharp_drop": {"enabled": True, "min_drop": 30},
            "off_course": {"enabled": False},
        }
    )

    # 70 -> 35 -> 4: the last step drops 31 (at least the school's 30), and
    # below_expected fires as in the default test (z(4) = -1.751 gives -2.40).
    assert sorted(rules_fired([70, 35, 4], rules=rules)) == [
        "below_expected",
        "sharp_drop",
    ]
    sharp = next(rule for rule in rules if isinstance(rule, SharpDrop))
    assert sharp.min_drop == 30.0


@pytest.mark.parametrize(
    ("indexes", "fires"),
    [
        # From 50 (z = 0) the 10th percentile of the next score is
        # z = 0.6 x -1.2816 = -0.769, index 22.10; from 22 (z = -0.772) it is
        # 0.8 x -0.772 - 0.769 = -1.387, index 8.27.
        ([50, 22, 8], True),
        # 22.2 is above 22.10: the first step is within expectation.
        ([50, 22.2, 8], False),
        # 8.5 is above 8.27: the second step is within expectation.
        ([50, 22, 8.5], False),
        # Keeping the same index is never below expectation.
        ([50, 50, 50], False),
        # Two results are one step, not two.
        ([50, 22], False),
    ],
)
def test_it_applies_below_expected_at_its_boundary(
    indexes: list[float], fires: bool
) -> None:
    assert bool(rules_fired(indexes, rules=[BelowExpected()])) is fires


def test_it_explains_below_expected() -> None:
    (flag,) = flag_pupils({1: series([70, 35, 10])}, [BelowExpected()])

    # Expected after 70: Phi(0.8 x 0.5244) = 66.26; after 35: Phi(-0.3082) = 37.89.
    assert flag.explanation_nl == (
        "Bij de laatste 2 metingen groeide de index minder dan bij 90% van de "
        "leerlingen die op dezelfde plek begonnen: M5 70 \u2192 E5 35 (verwacht "
        "66,3); E5 35 \u2192 M6 10 (verwacht 37,9). Regel: 2 keer op rij onder het "
        "10e percentiel van de verwachte groei (samenhang tussen metingen 0,8)."
    )
    assert flag.parameters == {"correlation": 0.8, "percentile": 10.0, "steps": 2}


def test_it_keeps_defaults_for_rules_not_mentioned() -> None:
    assert rules_from_mapping({}) == default_rules()


def test_it_accepts_decimals_and_whole_counts() -> None:
    rules = rules_from_mapping(
        {"persistently_low": {"threshold": Decimal("25"), "measurements": 4.0}}
    )

    low = next(rule for rule in rules if isinstance(rule, PersistentlyLow))
    assert (low.threshold, low.measurements) == (25.0, 4)


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"big_drop": {}}, "Onbekende signaleringsregel 'big_drop'"),
        ({"sharp_drop": {"min_dorp": 30}}, "kent geen instelling 'min_dorp'"),
        ({"sharp_drop": {"min_drop": "30"}}, "moet een getal"),
        ({"sharp_drop": {"min_drop": True}}, "moet een getal"),
        ({"sharp_drop": {"min_drop": -1}}, "moet een getal"),
        ({"sharp_drop": {"min_drop": float("nan")}}, "moet een getal"),
        ({"sharp_drop": {"enabled": "nee"}}, "waar of onwaar"),
        ({"persistently_low": {"measurements": 1}}, "2 of meer"),
        ({"persistently_low": {"measurements": 2.5}}, "geheel getal"),
        ({"below_expected": {"correlation": 1.5}}, "ligt tussen 0 en 1"),
        ({"below_expected": {"percentile": 60}}, "ligt tussen 0 en 50"),
    ],
)
def test_it_rejects_bad_overrides(
    mapping: dict[str, dict[str, object]], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        rules_from_mapping(mapping)


def test_it_serialises_a_flag() -> None:
    (flag,) = flag_pupils({7: series([70, 40])}, [SHARP])

    data = flag.as_dict()

    assert data["pupil_id"] == 7
    assert data["subject"] == "rekenen"
    assert data["evidence"][1] == {
        "administered_on": "2024-06-10",
        "moment": "E5",
        "index": 40,
    }
