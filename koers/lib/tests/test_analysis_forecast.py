from __future__ import annotations

import pytest

from koers.lib.analysis.forecast import (
    CourseForecast,
    ForecastBasis,
    forecast_course,
    national_shares,
)
from koers.lib.records import Domain, ReferenceLevel, Subject


def test_it_ships_the_2022_23_national_shares() -> None:
    # OCW in cijfers 2022/23: rekenen <1F 7 %, 1S 45 %; lezen <1F 2 %, 2F 74 %;
    # taalverzorging <1F 2 %, 2F 63 %.
    shares = national_shares()

    assert shares[Domain.MATH].school_year == "2022/2023"
    assert (shares[Domain.MATH].cut_1f, shares[Domain.MATH].cut_target) == (7, 55)
    assert (shares[Domain.READING].cut_1f, shares[Domain.READING].cut_target) == (2, 26)
    assert (shares[Domain.LANGUAGE].cut_1f, shares[Domain.LANGUAGE].cut_target) == (
        2,
        37,
    )
    assert "ocwincijfers.nl" in shares[Domain.MATH].source


def test_it_can_read_an_earlier_year() -> None:
    # 2021/22 rekenen: 42 % reached 1S -> cut 100 - 42 = 58.
    assert national_shares("2021/2022")[Domain.MATH].cut_target == 58


@pytest.mark.parametrize(
    ("subject", "index", "on_course_1f", "on_course_target"),
    [
        # Rekenen: 1F above percentile 7, 1S above 100 - 45 = 55.
        (Subject.MATH, 7.0, False, False),
        (Subject.MATH, 7.5, True, False),
        (Subject.MATH, 55.0, True, False),
        (Subject.MATH, 55.01, True, True),
        # Begrijpend lezen counts as lezen: 2F above 100 - 74 = 26.
        (Subject.READING_COMPREHENSION, 26.0, True, False),
        (Subject.READING_COMPREHENSION, 26.5, True, True),
        (Subject.READING_COMPREHENSION, 2.0, False, False),
        # Spelling counts as taalverzorging: 2F above 100 - 63 = 37.
        (Subject.SPELLING, 37.0, True, False),
        (Subject.SPELLING, 38.0, True, True),
        (Subject.LANGUAGE, 38.0, True, True),
    ],
)
def test_it_forecasts_from_the_index(
    subject: Subject, index: float, on_course_1f: bool, on_course_target: bool
) -> None:
    course = forecast_course(subject, index, None)

    assert course is not None
    assert course.basis == ForecastBasis.FORECAST
    assert (course.on_course_1f, course.on_course_target) == (
        on_course_1f,
        on_course_target,
    )


@pytest.mark.parametrize(
    ("subject", "level", "on_course_1f", "on_course_target"),
    [
        (Subject.READING_COMPREHENSION, ReferenceLevel.F2, True, True),
        # For lezen a 1S is not the target level: only 2F counts.
        (Subject.READING_COMPREHENSION, ReferenceLevel.S1, True, False),
        (Subject.MATH, ReferenceLevel.S1, True, True),
        (Subject.MATH, ReferenceLevel.F2, True, True),
        (Subject.MATH, ReferenceLevel.F1, True, False),
        (Subject.SPELLING, ReferenceLevel.BELOW_1F, False, False),
    ],
)
def test_it_uses_a_delivered_level_over_the_index(
    subject: Subject, level: ReferenceLevel, on_course_1f: bool, on_course_target: bool
) -> None:
    # Index 99 would forecast the target level; the delivered level wins.
    course = forecast_course(subject, 99.0, level)

    assert course == CourseForecast(
        domain=course.domain if course else Domain.MATH,
        on_course_1f=on_course_1f,
        on_course_target=on_course_target,
        basis=ForecastBasis.DELIVERED,
        delivered_level=level,
    )


@pytest.mark.parametrize(
    "subject", [Subject.TECHNICAL_READING, Subject.VOCABULARY, Subject.OTHER]
)
def test_it_gives_no_forecast_for_subjects_without_a_reference_level(
    subject: Subject,
) -> None:
    assert forecast_course(subject, 80.0, ReferenceLevel.F2) is None


def test_it_gives_no_forecast_without_index_or_level() -> None:
    assert forecast_course(Subject.MATH, None, None) is None
