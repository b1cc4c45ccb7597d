"""The input record of the overviews and flag rules: one indexed result of a pupil."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from koers.lib.analysis.index import IndexSource
from koers.lib.records import Period, ReferenceLevel, Subject


# Read-only by convention, not frozen: a frozen dataclass sets each field through
# `object.__setattr__`, and a school page makes one per result of five years, which
# made a third of the page's time.
@dataclass(slots=True)
class Observation:
    """One result, as the Django layer reads it from the database.

    `grade` is the pupil's grade ("3" … "8") when tested; `moment_grade` the grade of
    the test version (they differ for tests taken "op maat"). `instrument_id` must
    identify one scale (supplier, instrument, generation). `growth` is the change in
    index points since the pupil's previous result on the same instrument, None for
    a first result. `reference_level` is a level the supplier delivered, else None.
    `index` is the stored supplier-neutral index (1..99, see `index.derive_index`).
    """

    pupil_id: int
    group_id: int
    group_name: str
    grade: str
    subject: Subject
    school_year: int
    period: Period
    moment_grade: str | None
    instrument_id: int
    administered_on: date
    index: float
    index_source: IndexSource
    coarse: bool
    growth: float | None = None
    reference_level: ReferenceLevel | None = None

    @property
    def moment(self) -> str:
        """The test moment, e.g. `M5`; only the period when the grade is unknown."""
        return f"{self.period.value}{self.moment_grade or ''}"
