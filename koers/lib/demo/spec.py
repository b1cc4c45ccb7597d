"""What to generate (`DemoSpec`) and what was written (`DemoManifest`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from koers.lib.records import Subject

DEFAULT_SUBJECTS = (
    Subject.MATH,
    Subject.READING_COMPREHENSION,
    Subject.SPELLING,
    Subject.TECHNICAL_READING,
)

# File formats named in the manifest.
FORMAT_EDEXML = "edexml-2.1"
FORMAT_ESIS = "esis-lvs-csv"
FORMAT_NORMS = "koers-normen-csv"
FORMAT_OSO = "oso-2019-dossier"
FORMAT_DOORSTROOMTOETS = "doorstroomtoets-leerlingresultaat-json"
FORMAT_README = "readme"


@dataclass(frozen=True, slots=True)
class DemoSpec:
    """The demo school to generate. The defaults describe THE Koers demo school."""

    board_name: str = "Stichting Voorbeeldscholen"
    school_name: str = "OBS De Koerswijzer"
    brin: str = "99KW"
    branch: str = "00"
    first_school_year: int = 2023  # start year: 2023 means 2023-2024
    years: int = 3
    pupils: int = 250  # about this many pupils per year, over grades 1-8
    seed: int = 2026
    subjects: tuple[Subject, ...] = DEFAULT_SUBJECTS

    def __post_init__(self) -> None:
        if self.years < 1:
            raise ValueError("years must be at least 1")
        if self.pupils < 80:
            raise ValueError("pupils must be at least 80 (ten per grade)")
        if not self.subjects or not set(self.subjects) <= set(DEFAULT_SUBJECTS):
            raise ValueError(
                f"subjects must be a non-empty subset of {DEFAULT_SUBJECTS}"
            )
        if len(self.brin) != 4 or len(self.branch) != 2:
            raise ValueError("brin has 4 characters and branch 2")

    @property
    def school_years(self) -> tuple[int, ...]:
        return tuple(range(self.first_school_year, self.first_school_year + self.years))


@dataclass(frozen=True, slots=True)
class DemoFile:
    path: Path
    format: str
    school_year: int | None = None


@dataclass(frozen=True, slots=True)
class DemoYear:
    """Counts for one school year, as written to the files."""

    school_year: int
    pupils: int  # pupils in the EDEXML roster (everyone enrolled during the year)
    groups: int
    result_rows: int  # data rows in the ESIS file, duplicates included
    transition_results: int  # messages in the doorstroomtoets file
    arrivals: int  # pupils who came from another school during the year
    leavers: int  # pupils who left during the year (not the grade-8 leavers)


@dataclass(frozen=True, slots=True)
class DemoManifest:
    target_dir: Path
    spec: DemoSpec
    files: tuple[DemoFile, ...]
    years: tuple[DemoYear, ...]
    distinct_pupils: int  # pupils over all rosters
    oso_dossiers: int

    @property
    def result_rows(self) -> int:
        return sum(year.result_rows for year in self.years)

    @property
    def transition_results(self) -> int:
        return sum(year.transition_results for year in self.years)

    @property
    def groups_per_year(self) -> dict[int, int]:
        return {year.school_year: year.groups for year in self.years}

    @property
    def pupils_per_year(self) -> dict[int, int]:
        return {year.school_year: year.pupils for year in self.years}

    def files_of(self, file_format: str) -> tuple[DemoFile, ...]:
        return tuple(file for file in self.files if file.format == file_format)
