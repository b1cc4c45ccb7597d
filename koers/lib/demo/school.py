"""The simulated school: pupils, groups and teachers per school year.

Year by year the cohorts move up a grade; grade 8 leaves, new kleuters arrive in
grade 1, a few pupils repeat a grade, leave during the year or arrive from another
school. The result is plain data that the writers turn into files.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from dataclasses import dataclass, field

from koers.lib.demo import params, schoolyear
from koers.lib.demo.names import OTHER_SCHOOLS, PersonName, pupil_name, teacher_name
from koers.lib.demo.spec import DemoSpec

MAX_NAME_DRAWS = 50


@dataclass(frozen=True, slots=True)
class OtherSchool:
    name: str
    brin: str


@dataclass(frozen=True, slots=True)
class Teacher:
    key: str
    name: PersonName
    role: str  # EDEXML rol: LRK (teacher), IB (intern begeleider), DIR (director)


@dataclass(slots=True)
class Group:
    key: str
    name: str
    year: int
    index: int  # position in the year's layout; decides the test week
    grades: tuple[int, ...]
    teachers: list[Teacher] = field(default_factory=list)

    @property
    def jaargroep(self) -> str:
        # EDEXML code C: a combination group, the grade is on each pupil.
        return "C" if len(self.grades) > 1 else str(self.grades[0])


@dataclass(slots=True)
class Pupil:
    key: str
    eckid: str | None
    name: PersonName
    birth_date: dt.date
    sex: str
    entry_date: dt.date
    exit_date: dt.date | None = None
    bsn: str | None = None
    origin: OtherSchool | None = None  # set when the pupil arrived from another school
    op_maat: bool = False  # took a lower-level test at the previous school
    grades: dict[int, int] = field(default_factory=dict)  # school year -> grade
    groups: dict[int, Group] = field(default_factory=dict)  # school year -> group

    def enrolled_on(self, day: dt.date) -> bool:
        """Whether the pupil was at THIS school on `day`."""
        return self.entry_date <= day and (
            self.exit_date is None or day < self.exit_date
        )


@dataclass(slots=True)
class YearRoster:
    year: int
    pupils: list[Pupil]  # everyone enrolled at some time during the year, by key
    groups: list[Group]
    staff: list[Teacher]
    arrivals: list[Pupil]
    leavers: list[Pupil]


@dataclass(slots=True)
class School:
    spec: DemoSpec
    rosters: list[YearRoster]
    weak_growth_group: Group | None

    @property
    def pupils(self) -> list[Pupil]:
        """Every pupil who appears in any roster, by key."""
        seen = {pupil.key: pupil for roster in self.rosters for pupil in roster.pupils}
        return [seen[key] for key in sorted(seen)]


# A group before it gets its key: (name, grades, members).
GroupPlan = tuple[str, tuple[int, ...], list[Pupil]]


def build_school(spec: DemoSpec) -> School:
    """Simulate the rosters of all school years of `spec`."""
    builder = _RosterBuilder(spec, random.Random(f"{spec.seed}/roster"))  # noqa: S311
    rosters = builder.build()
    return School(spec, rosters, _weak_growth_group(rosters[-1]))


def _weak_growth_group(roster: YearRoster) -> Group | None:
    candidates = [g for g in roster.groups if g.grades == (params.WEAK_GROWTH_GRADE,)]
    return candidates[0] if candidates else None


class _RosterBuilder:
    def __init__(self, spec: DemoSpec, rng: random.Random) -> None:
        self.spec = spec
        self.rng = rng
        self.next_number = params.FIRST_PUPIL_NUMBER
        self.used_names: set[tuple[str, str, str]] = set()
        self.staff: list[Teacher] = []
        # Cohort size such that the grades, one of them larger, add up to `pupils`.
        self.cohort = spec.pupils / (8 + params.LARGE_COHORT_FACTOR - 1)

    def build(self) -> list[YearRoster]:
        rosters: list[YearRoster] = []
        continuing = self._initial_population(self.spec.first_school_year)
        for year in self.spec.school_years:
            if rosters:
                continuing = self._move_up(year, rosters[-1])
                continuing += self._new_kleuters(year, len(continuing))
            rosters.append(self._school_year(year, continuing, first=not rosters))
        return rosters

    # --- pupils ---------------------------------------------------------------------

    def _initial_population(self, year: int) -> list[Pupil]:
        pupils: list[Pupil] = []
        for grade in range(1, 9):
            factor = (
                params.LARGE_COHORT_FACTOR if grade == params.LARGE_COHORT_GRADE else 1
            )
            size = round(self.cohort * factor) + self._jitter()
            started = schoolyear.first_school_day(year - grade + 1)
            pupils += [self._new_pupil(year, grade, started) for _ in range(size)]

        # A few pupils carry an invalid BSN: one that fails the eleven test.
        for number, pupil in enumerate(
            self.rng.sample(pupils, params.PUPILS_WITH_FAKE_BSN), start=1
        ):
            pupil.bsn = f"{number:09d}"
        return pupils

    def _new_pupil(self, year: int, grade: int, entry: dt.date) -> Pupil:
        sex = self.rng.choice(("1", "2"))
        key = str(self.next_number)
        # LAS numbers have gaps (pupils who were registered but never came).
        self.next_number += self.rng.choice((1, 1, 1, 2, 3))
        has_eckid = self.rng.random() >= params.MISSING_ECKID_RATE
        eckid = (
            f"https://id.school/LL_{self.rng.getrandbits(160):040x}"
            if has_eckid
            else None
        )
        return Pupil(
            key=key,
            eckid=eckid,
            name=self._unique_name(sex),
            birth_date=self._birth_date(year, grade),
            sex=sex,
            entry_date=entry,
            grades={year: grade},
        )

    def _unique_name(self, sex: str) -> PersonName:
        # Two children with the same name happen, but in a demo they look like a
        # pupil counted twice; draw again (a bounded number of times, for very
        # large schools) until the preferred name and surname are new here.
        for _ in range(MAX_NAME_DRAWS):
            name = pupil_name(self.rng, sex)
            full_name = (name.preferred_name, name.prefix, name.surname)
            if full_name not in self.used_names:
                break
        self.used_names.add(full_name)
        return name

    def _birth_date(self, year: int, grade: int) -> dt.date:
        # A pupil in grade g in school year Y was born between 1 October of Y-g-4
        # and 30 September of Y-g-3 (grade 3 starts around the sixth birthday).
        first = dt.date(year - grade - 4, 10, 1)
        return first + dt.timedelta(days=self.rng.randrange(365))

    def _jitter(self) -> int:
        return self.rng.randint(-params.COHORT_JITTER, params.COHORT_JITTER)

    def _move_up(self, year: int, previous: YearRoster) -> list[Pupil]:
        """Last year's pupils who stay, in their new grade (grade 8 has left)."""
        staying = [p for p in previous.pupils if p.exit_date is None]
        repeaters = self._pick(
            [p for p in staying if p.grades[year - 1] in params.REPEAT_GRADES],
            params.REPEAT_RATE * len(staying),
        )
        repeating = {pupil.key for pupil in repeaters}
        for pupil in staying:
            last_grade = pupil.grades[year - 1]
            pupil.grades[year] = (
                last_grade if pupil.key in repeating else last_grade + 1
            )
        return [p for p in staying if p.grades[year] <= 8]

    def _new_kleuters(self, year: int, continuing: int) -> list[Pupil]:
        # The intake makes up for the pupils who left, within believable bounds.
        wanted = self.spec.pupils - continuing
        size = (
            round(min(1.4 * self.cohort, max(0.8 * self.cohort, wanted)))
            + self._jitter()
        )
        start = schoolyear.first_school_day(year)
        return [self._new_pupil(year, 1, start) for _ in range(size)]

    def _arrivals(self, year: int, count: int, first: bool) -> list[Pupil]:
        arrivals: list[Pupil] = []
        for number in range(count):
            # The very first arrival is a weak reader in grade 7 who comes in March,
            # after taking a lower-level reading test (op maat) at the old school.
            op_maat = first and number == 0
            grade = 7 if op_maat else self.rng.choice(params.ARRIVAL_GRADES)
            entry = self._arrival_date(year, op_maat)
            pupil = self._new_pupil(year, grade, entry)
            pupil.origin = OtherSchool(*self.rng.choice(OTHER_SCHOOLS))
            pupil.op_maat = op_maat
            for back in range(1, grade):
                pupil.grades[year - back] = grade - back
            arrivals.append(pupil)
        return arrivals

    def _arrival_date(self, year: int, after_middle_tests: bool) -> dt.date:
        if after_middle_tests:
            march = dt.date(year + 1, 3, 4)
            return schoolyear.weekday_on_or_after(march, schoolyear.MONDAY)
        start = schoolyear.first_school_day(year)
        return schoolyear.day_between(
            start, dt.date(year + 1, 4, 15), self.rng.random()
        )

    def _mark_leavers(self, year: int, candidates: list[Pupil]) -> list[Pupil]:
        leavers = self._pick(candidates, params.LEAVE_RATE * len(candidates))
        for pupil in leavers:
            fraction = self.rng.random()
            pupil.exit_date = schoolyear.day_between(
                dt.date(year, 10, 1), dt.date(year + 1, 6, 15), fraction
            )
        return leavers

    def _pick(self, candidates: list[Pupil], expected: float) -> list[Pupil]:
        """A random choice of about `expected` pupils; at least one, so every
        phenomenon occurs even in a small demo."""
        count = min(len(candidates), max(1, round(expected)))
        return sorted(self.rng.sample(candidates, count), key=lambda p: p.key)

    # --- one year ------------------------------------------------------------------

    def _school_year(
        self, year: int, continuing: list[Pupil], first: bool
    ) -> YearRoster:
        arrivals = self._arrivals(
            year, max(1, round(params.ARRIVAL_RATE * len(continuing))), first
        )
        leavers = self._mark_leavers(year, continuing)
        pupils = sorted(continuing + arrivals, key=lambda p: p.key)

        # Grade 8 leaves at the end of the year; the roster records it.
        for pupil in pupils:
            if pupil.grades[year] == 8 and pupil.exit_date is None:
                pupil.exit_date = schoolyear.last_school_day(year)

        groups = self._layout_groups(year, pupils)
        staff = self._assign_teachers(groups)
        return YearRoster(year, pupils, groups, staff, arrivals, leavers)

    def _layout_groups(self, year: int, pupils: list[Pupil]) -> list[Group]:
        by_grade: dict[int, list[Pupil]] = {grade: [] for grade in range(1, 9)}
        for pupil in sorted(pupils, key=lambda p: _previous_group_order(p, year)):
            by_grade[pupil.grades[year]].append(pupil)

        low, high = params.COMBINATION_GRADES
        layout = _kleuter_groups(by_grade[1], by_grade[2])
        for grade in range(3, 9):
            if grade == low:
                layout += _combination_groups(by_grade[low], by_grade[high])
            elif grade != high:
                layout += _single_grade_groups(grade, by_grade[grade])

        groups: list[Group] = []
        for index, (name, grades, members) in enumerate(layout):
            group = Group(f"{year}{index + 1:02d}", name, year, index, grades)
            for pupil in members:
                pupil.groups[year] = group
            groups.append(group)
        return groups

    def _assign_teachers(self, groups: list[Group]) -> list[Teacher]:
        # Every third group is taught by a duo; a director and an IB'er have no group.
        duos = len(groups[1::3])
        self._ensure_staff(2 + len(groups) + duos)
        class_teachers = iter(self.staff[2:])
        for group in groups:
            group.teachers = [next(class_teachers)]
        for group in groups[1::3]:
            group.teachers.append(next(class_teachers))
        return self.staff[: 2 + len(groups) + duos]

    def _ensure_staff(self, count: int) -> None:
        roles = ("DIR", "IB")
        while len(self.staff) < count:
            number = len(self.staff)
            role = roles[number] if number < len(roles) else "LRK"
            self.staff.append(
                Teacher(f"LK{number + 1:02d}", teacher_name(self.rng), role)
            )


def _previous_group_order(pupil: Pupil, year: int) -> tuple[int, str]:
    # Keep classes together: order by last year's group, newcomers last.
    previous = pupil.groups.get(year - 1)
    return (previous.index if previous else 999, pupil.key)


def _split(pupils: list[Pupil], parts: int) -> list[list[Pupil]]:
    """Contiguous parts whose sizes differ by at most one."""
    size, extra = divmod(len(pupils), parts)
    bounds = [0]
    for part in range(parts):
        bounds.append(bounds[-1] + size + (1 if part < extra else 0))
    return [pupils[low:high] for low, high in itertools.pairwise(bounds)]


def _parallel_names(base: str, count: int) -> list[str]:
    return (
        [base] if count == 1 else [f"{base}{chr(ord('A') + i)}" for i in range(count)]
    )


def _single_grade_groups(grade: int, pupils: list[Pupil]) -> list[GroupPlan]:
    count = max(1, math.ceil(len(pupils) / params.MAX_GROUP_SIZE))
    return _named_parts(str(grade), grade, pupils, count)


def _kleuter_groups(grade1: list[Pupil], grade2: list[Pupil]) -> list[GroupPlan]:
    # Each kleuter group holds youngest and oldest kleuters alike.
    count = max(
        1, math.ceil((len(grade1) + len(grade2)) / params.MAX_KLEUTER_GROUP_SIZE)
    )
    parts = zip(_split(grade1, count), _split(grade2, count), strict=True)
    return [
        (f"1/2{chr(ord('a') + i)}", (1, 2), young + old)
        for i, (young, old) in enumerate(parts)
    ]


def _combination_groups(lower: list[Pupil], upper: list[Pupil]) -> list[GroupPlan]:
    """Single-grade groups for both grades plus one combination group between them."""
    low_grade, high_grade = params.COMBINATION_GRADES
    total = len(lower) + len(upper)
    name = f"{low_grade}/{high_grade}"
    if total <= params.MAX_GROUP_SIZE or not lower or not upper:
        return [(name, (low_grade, high_grade), lower + upper)]

    # m groups of equal size; the combination group takes what the others leave.
    count = max(2, math.ceil(total / params.COMBINATION_GROUP_SIZE))
    low_singles = (count - 1) // 2
    high_singles = count - 1 - low_singles
    size = total / count
    low_kept = min(len(lower) - 1, round(low_singles * size))
    high_kept = min(len(upper) - 1, round(high_singles * size))

    groups: list[GroupPlan] = []
    if low_singles:
        groups += _named_parts(str(low_grade), low_grade, lower[:low_kept], low_singles)
    groups.append((name, (low_grade, high_grade), lower[low_kept:] + upper[high_kept:]))
    groups += _named_parts(str(high_grade), high_grade, upper[:high_kept], high_singles)
    return groups


def _named_parts(
    base: str, grade: int, pupils: list[Pupil], count: int
) -> list[GroupPlan]:
    names = _parallel_names(base, count)
    return [
        (name, (grade,), part)
        for name, part in zip(names, _split(pupils, count), strict=True)
    ]
