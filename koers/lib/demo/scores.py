"""Test results of the simulated pupils: LVS measurements and doorstroomtoets.

Each pupil has a latent national position (z) per subject. The positions share a
general component, drift as an AR(1) process from one test moment to the next and
are pulled towards the school's own effect per subject. A measurement adds noise
and, for a few pupils, a steady decline or a sudden drop. The written ability score
is the invented national mean plus z times the invented SD of that moment.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field

from koers.lib.demo import params, schoolyear
from koers.lib.demo.norms import (
    DEMO_NORMS,
    NOMINAL_DL,
    ability_score,
    didactic_age_equivalent,
    has_moment,
    level_ae,
    level_iv,
    national_percentile,
    raw_score,
    standard_normal_quantile,
)
from koers.lib.demo.school import Pupil, School
from koers.lib.records import Domain, Subject

# Latent positions exist for every subject, whatever the spec writes, so that the
# random streams (and so the school) do not depend on the chosen subjects.
ALL_SUBJECTS = tuple(DEMO_NORMS)

TRANSITION_SUPPLIERS = ("ROUTE_8", "ICE", "DIA")

# INVENTED score scales per supplier: (mean, SD, lowest, highest).
TRANSITION_SCALES = {
    "ROUTE_8": (206.0, 30.0, 100, 300),
    "ICE": (80.0, 9.0, 50, 100),
    "DIA": (350.0, 25.0, 270, 430),
}

# Target reference level per domain (norms.md section 2).
TARGET_LEVEL = {Domain.MATH: "1S", Domain.READING: "2F", Domain.LANGUAGE: "2F"}


@dataclass(frozen=True, slots=True, order=True)
class Tick:
    """A main test moment in a pupil's school life."""

    year: int
    period_order: int  # 0 = M, 1 = E: makes ticks sort chronologically
    grade: int

    @property
    def period(self) -> str:
        return "ME"[self.period_order]

    @property
    def moment(self) -> str:
        return f"{self.period}{self.grade}"


@dataclass(frozen=True, slots=True)
class Measurement:
    """One LVS test result, at this school or at the previous one."""

    pupil: Pupil
    subject: Subject
    tick: Tick
    version: str  # the level of the test taken; differs from tick.moment "op maat"
    date: dt.date
    at_school: bool
    score: float
    raw: int
    dle: int
    percentile: float

    @property
    def didactic_age(self) -> int:
        return NOMINAL_DL[self.tick.moment]

    @property
    def level_iv(self) -> str:
        return level_iv(self.percentile)

    @property
    def level_ae(self) -> str:
        return level_ae(self.percentile)


@dataclass(frozen=True, slots=True)
class TransitionResult:
    pupil: Pupil
    year: int
    supplier: str
    administered: dt.date
    levels: dict[Domain, str]  # L1F, 1F, 1S or 2F
    score: int
    advice: str


@dataclass(slots=True)
class Results:
    measurements: list[Measurement] = field(default_factory=list)
    transitions: list[TransitionResult] = field(default_factory=list)
    suppliers: dict[int, str] = field(default_factory=dict)


# Offsets per (pupil key, subject): (tick, change) pairs that apply from that tick on.
Offsets = dict[tuple[str, Subject], list[tuple[Tick, float]]]


def simulate_results(school: School) -> Results:
    rng = random.Random(f"{school.spec.seed}/scores")  # noqa: S311
    results = Results(suppliers=_suppliers(school, rng))
    offsets = _choose_events(school, rng)
    for pupil in school.pupils:
        _simulate_pupil(school, pupil, offsets, rng, results)
    return results


def _suppliers(school: School, rng: random.Random) -> dict[int, str]:
    # One doorstroomtoets supplier per year, in turn, starting at a random one.
    start = rng.randrange(len(TRANSITION_SUPPLIERS))
    return {
        year: TRANSITION_SUPPLIERS[(start + number) % len(TRANSITION_SUPPLIERS)]
        for number, year in enumerate(school.spec.school_years)
    }


# --- the pupil's calendar -------------------------------------------------------------


def ticks(pupil: Pupil) -> list[Tick]:
    """Main LVS moments from grade 3 on: M and E, only M in grade 8."""
    result: list[Tick] = []
    for year in sorted(pupil.grades):
        grade = pupil.grades[year]
        if grade >= 3:
            result.append(Tick(year, 0, grade))
        if 3 <= grade <= 7:
            result.append(Tick(year, 1, grade))
    return result


def _where_tested(
    pupil: Pupil, tick: Tick, subject: Subject
) -> tuple[dt.date, bool] | None:
    """The date of the test and whether it was at this school; None if not taken.

    A pupil who enters or leaves during the two test weeks misses the moment.
    """
    week = schoolyear.moment_week(tick.year, tick.period)
    weeks_end = week + dt.timedelta(weeks=2)
    group = pupil.groups.get(tick.year)
    still_here = pupil.exit_date is None or pupil.exit_date > weeks_end
    if group is not None and pupil.entry_date <= week and still_here:
        date = schoolyear.administration_date(
            tick.year, tick.period, subject, group.index
        )
        return date, True
    if pupil.origin is not None and pupil.entry_date > weeks_end:
        return schoolyear.other_school_test_date(tick.year, tick.period, subject), False
    return None


def _school_ticks(pupil: Pupil, subject: Subject) -> list[Tick]:
    return [
        tick
        for tick in ticks(pupil)
        if has_moment(subject, tick.moment)
        and (place := _where_tested(pupil, tick, subject)) is not None
        and place[1]
    ]


# --- special trajectories -------------------------------------------------------------


def _choose_events(school: School, rng: random.Random) -> Offsets:
    """Pick the pupils who decline steadily or drop suddenly in one subject."""
    offsets: Offsets = {}
    pupils = school.pupils
    subjects = school.spec.subjects

    decliners = _pick_with_ticks(
        rng, pupils, subjects, params.DECLINE_MEASUREMENTS + 1, params.DECLINE_RATE
    )
    for pupil, subject, school_ticks in decliners:
        start = rng.randrange(1, len(school_ticks) - params.DECLINE_MEASUREMENTS + 1)
        steps = school_ticks[start : start + params.DECLINE_MEASUREMENTS]
        offsets[(pupil.key, subject)] = [(tick, -params.DECLINE_STEP) for tick in steps]

    chosen = {pupil.key for pupil, _, _ in decliners}
    others = [pupil for pupil in pupils if pupil.key not in chosen]
    droppers = _pick_with_ticks(rng, others, subjects, 2, params.SUDDEN_DROP_RATE)
    for pupil, subject, school_ticks in droppers:
        tick = school_ticks[rng.randrange(1, len(school_ticks))]
        offsets[(pupil.key, subject)] = [(tick, -params.SUDDEN_DROP_SIZE)]
    return offsets


def _pick_with_ticks(
    rng: random.Random,
    pupils: list[Pupil],
    subjects: tuple[Subject, ...],
    min_ticks: int,
    rate: float,
) -> list[tuple[Pupil, Subject, list[Tick]]]:
    """About `rate` of the pupils, each with a subject measured at least `min_ticks`
    times at this school, so the event shows in the files."""
    candidates: list[tuple[Pupil, Subject, list[Tick]]] = []
    for pupil in pupils:
        subject = rng.choice(subjects)
        school_ticks = _school_ticks(pupil, subject)
        if len(school_ticks) >= min_ticks:
            candidates.append((pupil, subject, school_ticks))
    count = min(len(candidates), max(1, round(rate * len(pupils))))
    return sorted(rng.sample(candidates, count), key=lambda chosen: chosen[0].key)


def _offset(offsets: Offsets, pupil: Pupil, subject: Subject, tick: Tick) -> float:
    return sum(
        change for when, change in offsets.get((pupil.key, subject), []) if when <= tick
    )


def _group_penalty(school: School, pupil: Pupil, subject: Subject, tick: Tick) -> float:
    weak = school.weak_growth_group
    if weak is None or subject != params.WEAK_GROWTH_SUBJECT:
        return 0.0
    if pupil.groups.get(tick.year) is not weak:
        return 0.0
    return params.WEAK_GROWTH_STEP * (tick.period_order + 1)


# --- simulation -----------------------------------------------------------------------


def _initial_positions(pupil: Pupil, rng: random.Random) -> dict[Subject, float]:
    general = rng.gauss(0.0, 1.0)
    unique = math.sqrt(1.0 - params.GENERAL_LOADING**2)
    positions = {
        subject: params.SCHOOL_EFFECT[subject]
        + params.GENERAL_LOADING * general
        + unique * rng.gauss(0.0, 1.0)
        for subject in ALL_SUBJECTS
    }
    if pupil.op_maat:
        positions[Subject.READING_COMPREHENSION] = params.OP_MAAT_READING_POSITION
    return positions


def _drift(positions: dict[Subject, float], rng: random.Random) -> None:
    step = math.sqrt(1.0 - params.LATENT_PERSISTENCE**2)
    for subject in ALL_SUBJECTS:
        mean = params.SCHOOL_EFFECT[subject]
        deviation = positions[subject] - mean
        positions[subject] = (
            mean + params.LATENT_PERSISTENCE * deviation + step * rng.gauss()
        )


def _noisy(position: float, subject: Subject, noise: float, draw: float) -> float:
    """Mix in noise while keeping the variance around the school mean."""
    mean = params.SCHOOL_EFFECT[subject]
    return mean + math.sqrt(1.0 - noise**2) * (position - mean) + noise * draw


def _simulate_pupil(
    school: School, pupil: Pupil, offsets: Offsets, rng: random.Random, results: Results
) -> None:
    positions = _initial_positions(pupil, rng)
    for number, tick in enumerate(ticks(pupil)):
        if number:
            _drift(positions, rng)

        current = {
            subject: positions[subject]
            + _offset(offsets, pupil, subject, tick)
            - _group_penalty(school, pupil, subject, tick)
            for subject in ALL_SUBJECTS
        }
        for subject in ALL_SUBJECTS:
            # Draw noise and absence for every subject so the streams stay aligned.
            observed = _noisy(
                current[subject], subject, params.MEASUREMENT_NOISE, rng.gauss()
            )
            absent = rng.random() < params.ABSENCE_RATE
            measurement = _measure(pupil, subject, tick, observed, absent)
            if measurement is not None:
                results.measurements.append(measurement)

        if tick.grade == 8 and tick.year in results.suppliers:
            _take_transition_test(pupil, tick.year, current, rng, results)


def _measure(
    pupil: Pupil, subject: Subject, tick: Tick, observed: float, absent: bool
) -> Measurement | None:
    if not has_moment(subject, tick.moment):
        return None
    place = _where_tested(pupil, tick, subject)
    if place is None:
        return None
    date, at_school = place
    if at_school and absent:
        return None

    # Scores share one scale across moments; levels compare with the pupil's own
    # moment even when a lower-level version was taken (op maat).
    version = _version_taken(pupil, subject, tick, at_school)
    score = ability_score(subject, tick.moment, observed)
    return Measurement(
        pupil=pupil,
        subject=subject,
        tick=tick,
        version=version,
        date=date,
        at_school=at_school,
        score=score,
        raw=raw_score(subject, version, score),
        dle=didactic_age_equivalent(subject, score),
        percentile=national_percentile(subject, tick.moment, score),
    )


def _version_taken(pupil: Pupil, subject: Subject, tick: Tick, at_school: bool) -> str:
    took_lower_level = (
        pupil.op_maat
        and not at_school
        and subject == Subject.READING_COMPREHENSION
        and tick.moment == "M7"
    )
    return "M6" if took_lower_level else tick.moment


# --- doorstroomtoets ------------------------------------------------------------------


def _take_transition_test(
    pupil: Pupil,
    year: int,
    current: dict[Subject, float],
    rng: random.Random,
    results: Results,
) -> None:
    administered = schoolyear.transition_test_date(year)
    draws = {domain: rng.gauss() for domain in params.DOMAIN_SUBJECT}
    if not pupil.enrolled_on(administered):
        return

    positions = {
        domain: _noisy(
            current[subject], subject, params.TRANSITION_NOISE, draws[domain]
        )
        for domain, subject in params.DOMAIN_SUBJECT.items()
    }
    supplier = results.suppliers[year]
    general = _general_position(positions)
    results.transitions.append(
        TransitionResult(
            pupil=pupil,
            year=year,
            supplier=supplier,
            administered=administered,
            levels={
                domain: _reference_level(domain, z) for domain, z in positions.items()
            },
            score=_transition_score(supplier, general),
            advice=_advice(general),
        )
    )


def _reference_level(domain: Domain, z: float) -> str:
    below_share, target_share = params.NATIONAL_REFERENCE_SHARES[domain]
    if z < standard_normal_quantile(below_share):
        return "L1F"
    if z >= standard_normal_quantile(1.0 - target_share):
        return TARGET_LEVEL[domain]
    return "1F"


def _general_position(positions: dict[Domain, float]) -> float:
    # The mean of three correlated unit normals, rescaled to unit variance.
    loading = params.GENERAL_LOADING**2
    spread = math.sqrt((1.0 + 2.0 * loading) / 3.0)
    return sum(positions.values()) / len(positions) / spread


def _transition_score(supplier: str, general: float) -> int:
    mean, sd, lowest, highest = TRANSITION_SCALES[supplier]
    return min(highest, max(lowest, round(mean + sd * general)))


def _advice(general: float) -> str:
    cumulative = 0.0
    for advice, share in params.ADVICE_SHARES:
        cumulative += share
        if cumulative >= 1.0 or general < standard_normal_quantile(cumulative):
            return advice
    return params.ADVICE_SHARES[-1][0]
