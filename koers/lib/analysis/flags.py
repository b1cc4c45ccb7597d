"""Pupils with insufficient growth, by explainable rules a school can configure.

Every rule looks at one pupil's results on one instrument, in date order, and fires
on the most recent results only. A flag carries the rule, its parameters, the
results it looked at and a Dutch sentence with the numbers, so that "why this
pupil?" always has an answer.

Rules that are on by default:

- `below_expected` (correlation = 0.8, percentile = 10, steps = 2): at each of the
  last two steps the pupil grew less than 90 % of the pupils who started at the
  same index. The expectation accounts for regression to the mean (see the class).
- `persistently_low` (threshold = 10, measurements = 3, min_recovery = 5): the index
  stayed below `threshold` (the lowest tenth, V-) at the last `measurements`
  results and did not rise by `min_recovery` points or more from the first to the
  last of them; modelled on the dyslexia referral criterion (three consecutive
  main measurements in the lowest tenth).
- `off_course`: on course to the target level (1S rekenen, 2F lezen/taal) at the
  third-last result, and only to 1F or below at the last two (see `forecast`).

Rules a school can switch on (`enabled = true`):

- `persistent_decline` (min_total_drop = 20): the index fell at each of the last two
  steps (three results) and by at least `min_total_drop` points in total.
- `sharp_drop` (min_drop = 30): the index fell by at least `min_drop` points between
  the last two results.

Why the last two are off: results on one test differ by 15 to 20 index points from
sitting to sitting (a test-retest correlation around 0.8), and a pupil picked out
for a high score tends to score closer to the mean next time without any teaching
effect (regression to the mean). On a realistic school they select a third of the
pupils, most of them by chance. No rule fires on a single result, and none reports
a low scorer's rise as improvement.

A school overrides parameters per rule with `rules_from_mapping`, e.g.
`{"sharp_drop": {"enabled": True, "min_drop": 35}, "off_course": {"enabled": False}}`.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import pairwise
from statistics import NormalDist
from typing import Any, ClassVar

from koers.lib.analysis.forecast import CourseForecast
from koers.lib.analysis.index import index_from_normal_score, normal_score
from koers.lib.analysis.levels import TARGET_LEVEL
from koers.lib.analysis.observations import Observation
from koers.lib.analysis.serialise import jsonable
from koers.lib.analysis.summary import course_of
from koers.lib.records import Subject

logger = logging.getLogger(__name__)

_MINUS = "\u2212"
_STANDARD_NORMAL = NormalDist()


@dataclass(frozen=True, slots=True)
class EvidencePoint:
    administered_on: date
    moment: str
    index: float


@dataclass(frozen=True, slots=True)
class Finding:
    """What a rule saw: the results it looked at and the explanation."""

    evidence: tuple[Observation, ...]
    explanation_nl: str


@dataclass(frozen=True, slots=True)
class Flag:
    pupil_id: int
    subject: Subject
    instrument_id: int
    rule: str
    rule_label_nl: str
    parameters: dict[str, float]
    evidence: tuple[EvidencePoint, ...]
    explanation_nl: str

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = jsonable(self)
        return result


@dataclass(frozen=True, slots=True)
class PersistentDecline:
    name: ClassVar[str] = "persistent_decline"
    label_nl: ClassVar[str] = "Aanhoudende daling"

    enabled: bool = False
    min_total_drop: float = 20.0

    def check(self, series: Sequence[Observation]) -> Finding | None:
        if len(series) < 3:
            return None
        first, middle, last = series[-3:]

        fell_twice = middle.index < first.index and last.index < middle.index
        total_drop = first.index - last.index
        if not fell_twice or total_drop < self.min_total_drop:
            return None

        explanation = (
            f"Index daalde van {_number(first.index)} naar {_number(middle.index)} "
            f"en daarna naar {_number(last.index)} "
            f"({_signed(-total_drop)} punten in twee opeenvolgende dalingen; "
            f"regel: samen minstens {_number(self.min_total_drop)} punten)."
        )
        return Finding((first, middle, last), explanation)


@dataclass(frozen=True, slots=True)
class SharpDrop:
    name: ClassVar[str] = "sharp_drop"
    label_nl: ClassVar[str] = "Sterke daling"

    enabled: bool = False
    min_drop: float = 30.0

    def check(self, series: Sequence[Observation]) -> Finding | None:
        if len(series) < 2:
            return None
        before, last = series[-2:]

        drop = before.index - last.index
        if drop < self.min_drop:
            return None

        explanation = (
            f"Index daalde van {_number(before.index)} ({before.moment}) naar "
            f"{_number(last.index)} ({last.moment}): {_signed(-drop)} punten; "
            f"regel: minstens {_number(self.min_drop)} punten tussen twee metingen."
        )
        return Finding((before, last), explanation)


@dataclass(frozen=True, slots=True)
class PersistentlyLow:
    name: ClassVar[str] = "persistently_low"
    label_nl: ClassVar[str] = "Blijvend laag"

    enabled: bool = True
    threshold: float = 10.0
    measurements: int = 3
    min_recovery: float = 5.0

    def check(self, series: Sequence[Observation]) -> Finding | None:
        if len(series) < self.measurements:
            return None
        window = tuple(series[-self.measurements :])

        all_low = all(o.index < self.threshold for o in window)
        rise = window[-1].index - window[0].index
        if not all_low or rise >= self.min_recovery:
            return None

        explanation = (
            f"Index bleef bij de laatste {self.measurements} metingen onder "
            f"{_number(self.threshold)} ({_listing(o.index for o in window)}; "
            f"{_signed(rise)} punten van de eerste tot de laatste); regel: "
            f"{self.measurements} opeenvolgende metingen onder "
            f"{_number(self.threshold)} zonder een stijging van minstens "
            f"{_number(self.min_recovery)} punten."
        )
        return Finding(window, explanation)


@dataclass(frozen=True, slots=True)
class OffCourse:
    name: ClassVar[str] = "off_course"
    label_nl: ClassVar[str] = "Uit koers naar streefniveau"

    enabled: bool = True

    def check(self, series: Sequence[Observation]) -> Finding | None:
        if len(series) < 3:
            return None
        window = tuple(series[-3:])

        earlier, *later = [course_of(o) for o in window]
        if earlier is None or not earlier.on_course_target:
            return None
        if any(course is None or course.on_course_target for course in later):
            return None

        target = TARGET_LEVEL[earlier.domain].value
        explanation = (
            f"Bij {_course_point(window[0], earlier)} op koers naar {target}, maar bij "
            f"{_course_point(window[1], later[0])} en "
            f"{_course_point(window[2], later[1])} alleen nog naar 1F of lager; "
            f"regel: eerst op koers naar het streefniveau, daarna twee metingen niet."
        )
        return Finding(window, explanation)


@dataclass(frozen=True, slots=True)
class BelowExpected:
    """Growth below what pupils who started at the same place usually reach.

    A pupil's next normal score is expected at r x z (regression to the mean: a
    pupil far from the mean is expected to land closer to it). The residual, in
    units of its SD sqrt(1 - r^2), is compared with the `percentile` of the
    normal distribution; the rule fires when that happens at each of the last
    `steps` steps, so a single unlucky sitting never flags a pupil.
    """

    name: ClassVar[str] = "below_expected"
    label_nl: ClassVar[str] = "Groei onder verwachting"

    enabled: bool = True
    correlation: float = 0.8
    percentile: float = 10.0
    steps: int = 2

    def check(self, series: Sequence[Observation]) -> Finding | None:
        if len(series) < self.steps + 1:
            return None
        window = tuple(series[-(self.steps + 1) :])

        cut = _STANDARD_NORMAL.inv_cdf(self.percentile / 100.0)
        spread = math.sqrt(1.0 - self.correlation**2)
        expected = [
            index_from_normal_score(self.correlation * normal_score(o.index))
            for o in window[:-1]
        ]
        residuals = [
            (normal_score(later.index) - self.correlation * normal_score(o.index))
            / spread
            for o, later in pairwise(window)
        ]
        if any(residual >= cut for residual in residuals):
            return None

        steps = "; ".join(
            f"{o.moment} {_number(o.index)} \u2192 {later.moment} "
            f"{_number(later.index)} (verwacht {_number(guess)})"
            for o, later, guess in zip(window, window[1:], expected, strict=False)
        )
        explanation = (
            f"Bij de laatste {self.steps} metingen groeide de index minder dan bij "
            f"{_number(100 - self.percentile)}% van de leerlingen die op dezelfde "
            f"plek begonnen: {steps}. Regel: {self.steps} keer op rij onder het "
            f"{_number(self.percentile)}e percentiel van de verwachte groei "
            f"(samenhang tussen metingen {_number(self.correlation)})."
        )
        return Finding(window, explanation)

    def validate(self) -> None:
        if not 0.0 < self.correlation < 1.0:
            raise ValueError(f"'{self.name}.correlation' ligt tussen 0 en 1.")
        if not 0.0 < self.percentile < 50.0:
            raise ValueError(f"'{self.name}.percentile' ligt tussen 0 en 50.")
        if self.steps < 1:
            raise ValueError(f"'{self.name}.steps' is minstens 1.")


type FlagRule = (
    BelowExpected | PersistentDecline | SharpDrop | PersistentlyLow | OffCourse
)

RULE_TYPES: dict[str, type[FlagRule]] = {
    rule.name: rule
    for rule in (
        BelowExpected,
        PersistentDecline,
        SharpDrop,
        PersistentlyLow,
        OffCourse,
    )
}


def default_rules() -> list[FlagRule]:
    return [rule_type() for rule_type in RULE_TYPES.values()]


def rules_from_mapping(mapping: Mapping[str, Mapping[str, object]]) -> list[FlagRule]:
    """The default rules with a school's overrides applied.

    Raises ValueError (Dutch message) for an unknown rule or parameter or a value of
    the wrong kind; parameters not mentioned keep their Koers default.
    """
    unknown = sorted(set(mapping) - set(RULE_TYPES))
    if unknown:
        raise ValueError(
            f"Onbekende signaleringsregel '{unknown[0]}'; "
            f"bekend zijn: {', '.join(RULE_TYPES)}."
        )

    rules = []
    for rule in default_rules():
        overrides = mapping.get(rule.name, {})
        # _checked_value matched each value to its field's type; mypy cannot follow
        # that through the union of rule types.
        changes: dict[str, Any] = {
            key: _checked_value(rule, key, value) for key, value in overrides.items()
        }
        configured = dataclasses.replace(rule, **changes)
        if isinstance(configured, BelowExpected):
            configured.validate()
        rules.append(configured)
    return rules


def flag_pupils(
    measurements_by_pupil: Mapping[int, Iterable[Observation]],
    rules: Iterable[FlagRule] | None = None,
) -> list[Flag]:
    """Run the enabled rules on each pupil x subject x instrument series."""
    active = [
        rule for rule in (default_rules() if rules is None else rules) if rule.enabled
    ]

    flags: list[Flag] = []
    for pupil_id, observations in measurements_by_pupil.items():
        for series in _series(observations):
            flags.extend(_flags_for_series(pupil_id, series, active))

    logger.info(
        "pupil flags computed pupils=%d rules=%d flags=%d",
        len(measurements_by_pupil),
        len(active),
        len(flags),
    )
    return flags


def rule_parameters(rule: FlagRule) -> dict[str, float]:
    """The numeric parameters of a rule (everything except `enabled`)."""
    return {
        field.name: getattr(rule, field.name)
        for field in dataclasses.fields(rule)
        if field.name != "enabled"
    }


def _flags_for_series(
    pupil_id: int, series: Sequence[Observation], rules: Sequence[FlagRule]
) -> list[Flag]:
    flags = []
    for rule in rules:
        finding = rule.check(series)
        if finding is not None:
            flags.append(_flag(rule, pupil_id, series[-1], finding))
    return flags


def _flag(rule: FlagRule, pupil_id: int, last: Observation, finding: Finding) -> Flag:
    return Flag(
        pupil_id=pupil_id,
        subject=last.subject,
        instrument_id=last.instrument_id,
        rule=rule.name,
        rule_label_nl=rule.label_nl,
        parameters=rule_parameters(rule),
        evidence=tuple(
            EvidencePoint(o.administered_on, o.moment, o.index)
            for o in finding.evidence
        ),
        explanation_nl=finding.explanation_nl,
    )


def _series(observations: Iterable[Observation]) -> list[list[Observation]]:
    """One date-ordered series per subject and instrument."""
    series: dict[tuple[Subject, int], list[Observation]] = defaultdict(list)
    for observation in observations:
        series[(observation.subject, observation.instrument_id)].append(observation)
    return [
        sorted(series[key], key=lambda o: o.administered_on) for key in sorted(series)
    ]


def _checked_value(rule: FlagRule, key: str, value: object) -> bool | float | int:
    defaults = {
        field.name: getattr(rule, field.name) for field in dataclasses.fields(rule)
    }
    if key not in defaults:
        raise ValueError(
            f"Regel '{rule.name}' kent geen instelling '{key}'; "
            f"bekend zijn: {', '.join(defaults)}."
        )

    default = defaults[key]
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ValueError(f"'{rule.name}.{key}' moet waar of onwaar zijn.")
        return value

    number = _as_number(value)
    if number is None or number < 0:
        raise ValueError(
            f"'{rule.name}.{key}' moet een getal van 0 of meer zijn, niet {value!r}."
        )
    if isinstance(default, int):
        return _as_count(rule, key, number)
    return number


def _as_number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _as_count(rule: FlagRule, key: str, number: float) -> int:
    # A persistence rule over fewer than two results would fire on a single low
    # score, exactly what regression to the mean warns against.
    if number != int(number) or number < 2:
        raise ValueError(
            f"'{rule.name}.{key}' moet een geheel getal van 2 of meer zijn."
        )
    return int(number)


def _course_point(observation: Observation, course: CourseForecast | None) -> str:
    if course is not None and course.delivered_level is not None:
        return f"{observation.moment} (geleverd niveau {course.delivered_level.value})"
    return f"{observation.moment} (index {_number(observation.index)})"


def _number(value: float) -> str:
    """A number as Dutch text: at most one decimal, with a decimal comma."""
    rounded = round(value, 1)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.1f}".replace(".", ",")


def _signed(value: float) -> str:
    text = _number(abs(value))
    if text == "0":
        return text
    return f"+{text}" if value > 0 else f"{_MINUS}{text}"


def _listing(values: Iterable[float]) -> str:
    texts = [_number(value) for value in values]
    if len(texts) < 2:
        return "".join(texts)
    return f"{', '.join(texts[:-1])} en {texts[-1]}"
