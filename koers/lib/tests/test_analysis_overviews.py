from __future__ import annotations

import json
from datetime import date
from statistics import NormalDist

import pytest

from koers.lib.analysis.ambitions import AmbitionMetric, Population, Targets
from koers.lib.analysis.index import IndexSource
from koers.lib.analysis.overviews import (
    EducationalNeed,
    Observation,
    SchoolAggregate,
    TrendPoint,
    group_overview,
    pupil_overview,
    school_overview,
)
from koers.lib.records import Period, ReferenceLevel, Subject

YEAR = 2025
# Phi(1) and Phi(-1) x 100 (standard normal table).
INDEX_Z_PLUS_1 = 84.13447460685429
INDEX_Z_MINUS_1 = 15.865525393145708


def obs(
    pupil_id: int,
    index: float,
    *,
    group_id: int = 10,
    grade: str = "5",
    subject: Subject = Subject.MATH,
    school_year: int = YEAR,
    period: Period = Period.MIDDLE,
    when: date = date(2026, 1, 20),
    instrument_id: int = 1,
    growth: float | None = None,
    level: ReferenceLevel | None = None,
    coarse: bool = False,
) -> Observation:
    return Observation(
        pupil_id=pupil_id,
        group_id=group_id,
        group_name={10: "5a", 20: "7b"}.get(group_id, "oud"),
        grade=grade,
        subject=subject,
        school_year=school_year,
        period=period,
        moment_grade=grade,
        instrument_id=instrument_id,
        administered_on=when,
        index=index,
        index_source=IndexSource.LEVEL_BAND if coarse else IndexSource.PERCENTILE,
        coarse=coarse,
        growth=growth,
        reference_level=level,
    )


def tiny_school() -> list[Observation]:
    """Two groups of three pupils, rekenen M, plus history for the trend."""
    return [
        # Group 5a: z = 1, 0, -1.
        obs(1, INDEX_Z_PLUS_1, growth=5.0),
        obs(2, 50.0, growth=-3.0),
        obs(3, INDEX_Z_MINUS_1),
        # An earlier sitting of pupil 1 on another instrument: superseded.
        obs(1, 10.0, when=date(2026, 1, 10), instrument_id=2),
        # Group 7b; pupil 4 has a coarse index, pupil 5 a delivered 1S.
        obs(4, 70.0, group_id=20, grade="7", coarse=True),
        obs(5, 35.0, group_id=20, grade="7", level=ReferenceLevel.S1),
        obs(6, 90.0, group_id=20, grade="7"),
        # Grade 5 a year earlier (other pupils): the trend.
        obs(7, 50.0, group_id=30, school_year=YEAR - 1, when=date(2025, 1, 20)),
        obs(8, 50.0, group_id=30, school_year=YEAR - 1, when=date(2025, 1, 20)),
    ]


TARGETS: Targets = {
    (Subject.MATH, AmbitionMetric.P80, Population.SCHOOL_3_8): 30.0,
    (Subject.MATH, AmbitionMetric.P20, Population.SCHOOL_3_8): 85.0,
    (Subject.MATH, AmbitionMetric.P80, Population.GROUP): 20.0,
    (Subject.MATH, AmbitionMetric.PCT_1S2F, Population.SCHOOL_6_8): 70.0,
}


def test_it_summarises_each_grade() -> None:
    overview = school_overview(tiny_school(), TARGETS, YEAR)
    grade_5, grade_7 = overview.rows

    assert (grade_5.subject, grade_5.grade, grade_5.period) == (
        Subject.MATH,
        "5",
        Period.MIDDLE,
    )
    summary = grade_5.summary
    # Pupil 1 counts once, with the later result (84.13, not 10).
    assert (summary.n, summary.n_coarse) == (3, 0)
    assert summary.bands == {"I": 1, "II": 0, "III": 1, "IV": 0, "V": 1}
    # n = 3: p80 is the ceil(2.4) = 3rd highest, p20 the ceil(0.6) = 1st highest.
    assert summary.p80 == pytest.approx(INDEX_Z_MINUS_1)
    assert summary.p20 == pytest.approx(INDEX_Z_PLUS_1)
    # Mean z of 1, 0, -1 is 0 -> index 50.
    assert summary.mean_index == pytest.approx(50.0)
    # Growth +5 and -3 -> mean 1 over 2 pupils.
    assert (summary.mean_growth, summary.n_growth) == (1.0, 2)
    # Rekenen: 1F above 7, 1S above 55. 84.13, 50 and 15.87 all reach 1F; only
    # 84.13 is on course to 1S -> 1 of 3.
    assert summary.pct_1f == 100.0
    assert summary.pct_1s2f == pytest.approx(100 / 3)
    assert (summary.n_forecast, summary.n_delivered_levels) == (3, 0)

    summary_7 = grade_7.summary
    assert (summary_7.n, summary_7.n_coarse) == (3, 1)
    assert summary_7.bands == {"I": 1, "II": 1, "III": 0, "IV": 1, "V": 0}
    assert (summary_7.p80, summary_7.p20) == (35.0, 90.0)
    # Pupil 5 (index 35) reaches 1S through the delivered level: 3 of 3.
    assert (summary_7.pct_1s2f, summary_7.n_delivered_levels) == (100.0, 1)
    # Mean z of 0.5244, -0.3853 and 1.2816 is 0.4736 -> Phi = 68.21.
    z = NormalDist().inv_cdf
    expected = NormalDist().cdf((z(0.70) + z(0.35) + z(0.90)) / 3) * 100
    assert summary_7.mean_index == pytest.approx(expected)
    assert summary_7.mean_index == pytest.approx(68.21, abs=0.01)


def test_it_judges_grades_against_group_then_school_targets() -> None:
    grade_5, grade_7 = school_overview(tiny_school(), TARGETS, YEAR).rows

    by_metric_5 = {v.metric: v for v in grade_5.verdicts}
    # p80 against the group target 20: 15.87 is 4.13 short.
    assert by_metric_5[AmbitionMetric.P80].met is False
    assert by_metric_5[AmbitionMetric.P80].margin == pytest.approx(-4.135, abs=0.001)
    # No group p20 target: the school 3-8 target 85 applies; 84.13 < 85.
    assert by_metric_5[AmbitionMetric.P20].target == 85.0
    assert by_metric_5[AmbitionMetric.P20].met is False
    # The 1S/2F target exists only for school 6-8, not for a grade row.
    assert AmbitionMetric.PCT_1S2F not in by_metric_5

    by_metric_7 = {v.metric: v for v in grade_7.verdicts}
    assert by_metric_7[AmbitionMetric.P80].met is True
    assert by_metric_7[AmbitionMetric.P20].margin == 5.0


def test_it_aggregates_grades_3_to_8_and_6_to_8() -> None:
    overview = school_overview(tiny_school(), TARGETS, YEAR)
    all_grades, upper = overview.aggregates

    assert isinstance(all_grades, SchoolAggregate)
    assert all_grades.population == Population.SCHOOL_3_8
    # Six pupils 90, 84.13, 70, 50, 35, 15.87: p80 = ceil(4.8) = 5th = 35;
    # p20 = ceil(1.2) = 2nd = 84.13.
    assert all_grades.summary.n == 6
    assert (all_grades.summary.p80, all_grades.summary.p20) == (35.0, INDEX_Z_PLUS_1)
    verdicts = {v.metric: v for v in all_grades.verdicts}
    assert (verdicts[AmbitionMetric.P80].met, verdicts[AmbitionMetric.P80].margin) == (
        True,
        5.0,
    )
    assert verdicts[AmbitionMetric.P20].met is False

    assert upper.population == Population.SCHOOL_6_8
    assert upper.summary.n == 3
    upper_verdicts = {v.metric: v for v in upper.verdicts}
    # 3 of 3 on course to 1S -> 100 % against 70 %.
    assert upper_verdicts[AmbitionMetric.PCT_1S2F].met is True
    assert upper_verdicts[AmbitionMetric.PCT_1S2F].n == 3
    # p80/p20 targets are set for school 3-8 only; none for 6-8.
    assert set(upper_verdicts) == {AmbitionMetric.PCT_1S2F}


def test_it_shows_the_trend_of_the_previous_two_years() -> None:
    grade_5, grade_7 = school_overview(tiny_school(), TARGETS, YEAR).rows

    assert grade_5.trend == (
        TrendPoint(YEAR - 2, 0, None),
        TrendPoint(YEAR - 1, 2, 50.0),
    )
    assert grade_7.trend == (
        TrendPoint(YEAR - 2, 0, None),
        TrendPoint(YEAR - 1, 0, None),
    )


def test_it_leaves_other_years_out_of_the_rows() -> None:
    overview = school_overview(tiny_school(), TARGETS, YEAR - 1)

    assert [row.grade for row in overview.rows] == ["5"]
    assert overview.rows[0].summary.n == 2


def test_it_serialises_the_school_overview_to_json() -> None:
    data = school_overview(tiny_school(), TARGETS, YEAR).as_dict()

    text = json.dumps(data)

    assert data["rows"][0]["subject"] == "rekenen"
    assert data["rows"][0]["summary"]["bands"]["I"] == 1
    assert '"period": "M"' in text


def group_of_four(indexes: list[float]) -> list[Observation]:
    return [obs(pupil_id, index) for pupil_id, index in enumerate(indexes, start=1)]


def test_it_labels_needs_at_the_target_boundaries() -> None:
    targets: Targets = {
        (Subject.MATH, AmbitionMetric.P80, Population.GROUP): 35.0,
        (Subject.MATH, AmbitionMetric.P20, Population.GROUP): 90.0,
    }
    observations = group_of_four([34.99, 35.0, 89.99, 90.0])

    overview = group_overview(observations, targets, group_id=10, school_year=YEAR)
    (subject,) = overview.subjects

    # Support below 35 (exclusive), challenge from 90 (inclusive).
    assert [p.educational_need for p in subject.pupils] == [
        EducationalNeed.SUPPORT,
        EducationalNeed.CORE,
        EducationalNeed.CORE,
        EducationalNeed.CHALLENGE,
    ]
    assert subject.need_counts == {"support": 1, "core": 2, "challenge": 1}
    assert subject.need_thresholds.from_targets is True
    assert overview.group_name == "5a"


def test_it_uses_koers_defaults_without_targets() -> None:
    observations = group_of_four([24.99, 25.0, 74.99, 75.0])

    (subject,) = group_overview(observations, {}, 10, YEAR).subjects

    # Koers defaults: support below 25, challenge from 75.
    assert [p.educational_need.value for p in subject.pupils] == [
        "support",
        "core",
        "core",
        "challenge",
    ]
    assert subject.need_thresholds.from_targets is False
    assert subject.verdicts == ()


def test_it_lists_the_pupils_of_the_group() -> None:
    overview = group_overview(tiny_school(), TARGETS, group_id=20, school_year=YEAR)
    (subject,) = overview.subjects

    assert [p.pupil_id for p in subject.pupils] == [4, 5, 6]
    pupil_5 = subject.pupils[1]
    assert (pupil_5.band, pupil_5.on_course_target) == ("IV", True)
    assert subject.pupils[0].coarse is True
    # Group p80 target 20, p20 falls back to the school target 85.
    assert (
        subject.need_thresholds.support_below,
        subject.need_thresholds.challenge_from,
    ) == (
        20.0,
        85.0,
    )
    assert subject.need_counts == {"support": 0, "core": 2, "challenge": 1}


def test_it_returns_an_empty_group_overview_for_an_unknown_group() -> None:
    overview = group_overview(tiny_school(), TARGETS, group_id=99, school_year=YEAR)

    assert overview.subjects == ()
    assert overview.as_dict()["group_id"] == 99


def test_it_gives_no_reference_forecast_for_technical_reading() -> None:
    observations = [obs(1, 60.0, subject=Subject.TECHNICAL_READING)]

    (subject,) = group_overview(observations, {}, 10, YEAR).subjects

    assert (subject.summary.pct_1f, subject.summary.n_forecast) == (None, 0)
    assert subject.pupils[0].on_course_1f is None


def test_it_lists_a_pupils_results_per_subject_in_date_order() -> None:
    observations = [
        obs(1, 55.0, when=date(2026, 1, 20), growth=5.0),
        obs(1, 62.0, subject=Subject.SPELLING, when=date(2025, 6, 10)),
        obs(1, 50.0, when=date(2025, 6, 10), period=Period.END),
    ]

    overview = pupil_overview(observations)

    math, spelling = overview.subjects
    assert math.subject == Subject.MATH
    assert [r.index for r in math.results] == [50.0, 55.0]
    assert [r.band for r in math.results] == ["III", "III"]
    assert math.results[1].growth == 5.0
    assert math.results[0].moment == "E5"
    assert spelling.results[0].band == "II"
    assert overview.as_dict()["subjects"][0]["results"][0]["administered_on"] == (
        "2025-06-10"
    )


@pytest.mark.parametrize("pupils", [[1, 2], []])
def test_it_needs_the_results_of_exactly_one_pupil(pupils: list[int]) -> None:
    with pytest.raises(ValueError, match="exactly one pupil"):
        pupil_overview([obs(pupil_id, 50.0) for pupil_id in pupils])
