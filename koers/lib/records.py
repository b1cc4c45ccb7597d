"""The canonical records every importer produces.

Importers turn a file in one of the exchange formats into a `ParsedFile`. They know
nothing of Django or of the database: the `results` app maps these records onto
models. Identifiers are always strings (leading zeros, ECK-iD URLs); a BSN never
reaches a record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple


class Subject(StrEnum):
    MATH = "rekenen"
    READING_COMPREHENSION = "begrijpend_lezen"
    SPELLING = "spelling"
    TECHNICAL_READING = "technisch_lezen"
    VOCABULARY = "woordenschat"
    LANGUAGE = "taalverzorging"
    OTHER = "overig"


class Period(StrEnum):
    """The part of the school year a test moment belongs to (B/M/E)."""

    BEGIN = "B"
    MIDDLE = "M"
    END = "E"


class ReferenceLevel(StrEnum):
    BELOW_1F = "<1F"
    F1 = "1F"
    S1 = "1S"
    F2 = "2F"
    S2 = "2S"
    F3 = "3F"


class Domain(StrEnum):
    """The three domains of the Inspectie's end-of-school indicators."""

    READING = "lezen"
    LANGUAGE = "taalverzorging"
    MATH = "rekenen"


class SourcePosition(NamedTuple):
    """Where in a file something was found: row (1-based) or XML path, and column.

    A tuple rather than a dataclass: every result of a large file carries one.
    """

    row: int | None = None
    column: str | None = None
    path: str | None = None

    def describe(self) -> str:
        parts = []
        if self.row is not None:
            parts.append(f"rij {self.row}")
        if self.column:
            parts.append(f"kolom {self.column}")
        if self.path:
            parts.append(self.path)
        return ", ".join(parts)


class ImportRejected(Exception):
    """The whole file is refused: unreadable or of the wrong shape.

    The message is Dutch, for the user; it names what was expected.
    """

    def __init__(
        self, file_name: str, message: str, position: SourcePosition | None = None
    ) -> None:
        self.file_name = file_name
        self.message = message
        self.position = position or SourcePosition()
        super().__init__(self.describe())

    def describe(self) -> str:
        where = self.position.describe()
        location = f"{self.file_name}, {where}" if where else self.file_name
        return f"{location}: {self.message}"


@dataclass(frozen=True, slots=True)
class SkippedRow:
    """A row or element that could not be used; the rest of the file is imported."""

    position: SourcePosition
    reason: str


@dataclass(frozen=True, slots=True)
class PupilRef:
    """How a result points at a pupil, strongest identifier first.

    Matching order: ECK-iD, then the LAS key / pupil number, then surname plus
    birth date (only when nothing else is delivered).
    """

    eck_id: str | None = None
    key: str | None = None
    surname: str | None = None
    birth_date: dt.date | None = None

    def is_empty(self) -> bool:
        return not (self.eck_id or self.key or (self.surname and self.birth_date))


@dataclass(slots=True)
class PupilRecord:
    ref: PupilRef
    surname: str = ""
    prefix: str = ""
    preferred_name: str = ""
    given_names: str = ""
    initials: str = ""
    birth_date: dt.date | None = None
    grade: str | None = None
    group_key: str | None = None
    entry_date: dt.date | None = None
    exit_date: dt.date | None = None
    position: SourcePosition = field(default_factory=SourcePosition)


@dataclass(slots=True)
class GroupRecord:
    """A group (class). `grade` is the jaargroep code of the group, `C` or None for
    combination groups: the grade of each pupil lives on the pupil."""

    key: str
    name: str
    grade: str | None = None
    school_year: int | None = None


@dataclass(slots=True)
class TeacherRecord:
    key: str
    surname: str = ""
    prefix: str = ""
    preferred_name: str = ""
    initials: str = ""
    group_keys: list[str] = field(default_factory=list)


@dataclass(slots=True)
class EnrolmentRecord:
    """A pupil's place in a group during a school year (e.g. an OSO school career)."""

    ref: PupilRef
    school_year: int
    group_name: str
    grade: str | None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    brin: str | None = None


@dataclass(frozen=True, slots=True)
class DerivedScore:
    """A score delivered next to the ability score (an OSO referentiescore)."""

    code: str
    value: str
    comparison_group: str = ""


@dataclass(slots=True)
class ResultRecord:
    """One test taken by one pupil.

    `moment_grade` is the grade of the test version (M8 in `M8`); `grade_at_test` is
    the grade the pupil was actually in, which differs for tests "op maat".
    """

    ref: PupilRef
    supplier: str
    subject: Subject
    instrument: str
    generation: str
    administered_on: dt.date
    school_year: int
    period: Period | None
    moment_grade: str | None
    grade_at_test: str | None
    test_version: str = ""
    raw_score: Decimal | None = None
    ability_score: Decimal | None = None
    scale: str = ""
    level_iv: str = ""
    level_ae: str = ""
    percentile: Decimal | None = None
    dle: int | None = None
    didactic_age: int | None = None
    functioning_level: str = ""
    reference_level: ReferenceLevel | None = None
    norm_label: str = ""
    derived: list[DerivedScore] = field(default_factory=list)
    position: SourcePosition = field(default_factory=SourcePosition)


@dataclass(slots=True)
class TransitionRecord:
    """A groep-8 doorstroomtoets (until 2022/23: eindtoets) result."""

    ref: PupilRef
    school_year: int
    supplier: str
    administered_on: dt.date | None
    levels: dict[Domain, ReferenceLevel | None]
    exempt: bool = False
    advice: str = ""
    standard_score: Decimal | None = None
    position: SourcePosition = field(default_factory=SourcePosition)


@dataclass(slots=True)
class ParsedFile:
    """Everything one file delivered, before it touches the database."""

    file_name: str
    format: str
    brin: str | None = None
    branch_code: str | None = None
    school_name: str | None = None
    school_year: int | None = None
    pupils: list[PupilRecord] = field(default_factory=list)
    groups: list[GroupRecord] = field(default_factory=list)
    teachers: list[TeacherRecord] = field(default_factory=list)
    enrolments: list[EnrolmentRecord] = field(default_factory=list)
    results: list[ResultRecord] = field(default_factory=list)
    transition_results: list[TransitionRecord] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rows_read: int = 0
