"""The file in which a school writes down its ambitions and flag rules.

Two forms are accepted. TOML holds both ambitions and flag-rule settings:

    [[ambition]]
    subject = "rekenen"          # rekenen, begrijpend_lezen, spelling, ...
    metric = "p80"               # p80, p20, pct_1f, pct_1s2f, end_pct_1f, end_pct_1s2f
    population = "school_3_8"    # school_3_8, school_6_8, group
    target = 30
    school_year = "2025-2026"    # optional: without it the target holds every year
    rationale = "..."            # optional

    [flag_rules.sharp_drop]
    enabled = true
    min_drop = 30

A CSV (`;` or `,`, header required) holds ambitions only, with the columns
`subject;metric;population;target` and optionally `school_year;rationale`. The
end-of-school metrics need no subject: they pool lezen, taalverzorging and rekenen.
"""

from __future__ import annotations

import csv
import io
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from koers.lib.records import Subject
from koers.lib.values import parse_school_year

METRICS = ("p80", "p20", "pct_1f", "pct_1s2f", "end_pct_1f", "end_pct_1s2f")
END_METRICS = ("end_pct_1f", "end_pct_1s2f")
POPULATIONS = ("school_3_8", "school_6_8", "group")
REQUIRED_COLUMNS = ("subject", "metric", "population", "target")


class AmbitionFileError(ValueError):
    """The file is refused as a whole; the message is Dutch and names the place."""


@dataclass(frozen=True, slots=True)
class AmbitionSpec:
    subject: str
    metric: str
    population: str
    target: Decimal
    school_year: int | None = None
    rationale: str = ""


@dataclass(slots=True)
class AmbitionFile:
    ambitions: list[AmbitionSpec] = field(default_factory=list)
    flag_rules: dict[str, dict[str, Any]] | None = None


def parse_ambition_file(file_name: str, data: bytes) -> AmbitionFile:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AmbitionFileError(
            "het bestand is geen tekst in UTF-8 (verwacht CSV of TOML)"
        ) from None
    parsed = (
        parse_toml(text) if file_name.lower().endswith(".toml") else parse_csv(text)
    )
    check_reach_order(parsed.ambitions)
    return parsed


def check_reach_order(ambitions: list[AmbitionSpec]) -> None:
    """p80 is the index 80% of the pupils reach, p20 the one the strongest 20%
    reach: a p80 target above the p20 target for the same subject, population and
    year cannot be met and is a mistake in the file."""
    targets = {
        (a.subject, a.metric, a.population, a.school_year): a.target for a in ambitions
    }
    for (subject, metric, population, year), target in targets.items():
        p20 = targets.get((subject, "p20", population, year))
        if metric == "p80" and p20 is not None and target > p20:
            raise AmbitionFileError(
                f"{subject} ({population}): het doel voor p80 ({target}) is hoger "
                f"dan het doel voor p20 ({p20}); p80 is de index die 80% van de "
                "leerlingen haalt en ligt dus lager"
            )


def parse_toml(text: str) -> AmbitionFile:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise AmbitionFileError(f"geen geldig TOML: {error}") from None

    entries = document.get("ambition", [])
    if not isinstance(entries, list):
        raise AmbitionFileError("[[ambition]] moet een lijst van tabellen zijn")
    ambitions = [
        build_spec(entry, f"ambitie {number}")
        for number, entry in enumerate(entries, start=1)
    ]

    # A TOML file describes the school's flag rules in full: without a
    # [flag_rules] table every rule is back at Koers's default.
    rules = document.get("flag_rules", {})
    if not isinstance(rules, dict):
        raise AmbitionFileError("[flag_rules] moet een tabel per regel zijn")
    if not ambitions and not rules:
        raise AmbitionFileError(
            "het bestand bevat geen [[ambition]] en geen [flag_rules]"
        )
    return AmbitionFile(ambitions=ambitions, flag_rules=rules)


def parse_csv(text: str) -> AmbitionFile:
    first_line = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise AmbitionFileError(
            "rij 1: verwacht de kolommen "
            + ", ".join(REQUIRED_COLUMNS)
            + "; ontbreekt: "
            + ", ".join(missing)
        )

    ambitions: list[AmbitionSpec] = []
    seen: dict[tuple[str, str, str, int | None], int] = {}
    for row_number, row in enumerate(reader, start=2):
        entry = {
            (key or "").strip().lower(): (value or "").strip()
            for key, value in row.items()
        }
        if not any(entry.values()):
            continue
        spec = build_spec(entry, f"rij {row_number}")
        key = (spec.subject, spec.metric, spec.population, spec.school_year)
        if key in seen:
            raise AmbitionFileError(
                f"rij {row_number}: dezelfde ambitie als rij {seen[key]} "
                "(vak, maat, populatie en schooljaar)"
            )
        seen[key] = row_number
        ambitions.append(spec)
    if not ambitions:
        raise AmbitionFileError("het bestand bevat geen ambities")
    return AmbitionFile(ambitions=ambitions)


def build_spec(entry: Any, where: str) -> AmbitionSpec:
    if not isinstance(entry, dict):
        raise AmbitionFileError(f"{where}: verwacht een tabel met velden")

    metric = str(entry.get("metric", "")).strip()
    if metric not in METRICS:
        raise AmbitionFileError(
            f"{where}, kolom metric: '{metric}' is onbekend; kies uit "
            + ", ".join(METRICS)
        )
    population = str(entry.get("population", "")).strip()
    if population not in POPULATIONS:
        raise AmbitionFileError(
            f"{where}, kolom population: '{population}' is onbekend; kies uit "
            + ", ".join(POPULATIONS)
        )
    subject = str(entry.get("subject", "") or "").strip()
    if metric not in END_METRICS and subject not in {s.value for s in Subject}:
        raise AmbitionFileError(
            f"{where}, kolom subject: '{subject}' is onbekend; kies uit "
            + ", ".join(s.value for s in Subject)
        )

    return AmbitionSpec(
        subject="" if metric in END_METRICS else subject,
        metric=metric,
        population=population,
        target=parse_target(entry.get("target"), metric, where),
        school_year=parse_year(entry.get("school_year"), where),
        rationale=str(entry.get("rationale", "") or ""),
    )


def parse_target(value: Any, metric: str, where: str) -> Decimal:
    try:
        target = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise AmbitionFileError(
            f"{where}, kolom target: '{value}' is geen getal"
        ) from None
    low, high = (1, 99) if metric in ("p80", "p20") else (0, 100)
    if not low <= target <= high:
        raise AmbitionFileError(
            f"{where}, kolom target: {target} ligt niet tussen {low} en {high}"
        )
    return target


def parse_year(value: Any, where: str) -> int | None:
    if value in (None, ""):
        return None
    year = parse_school_year(str(value))
    if year is None:
        raise AmbitionFileError(
            f"{where}, kolom school_year: '{value}' is geen schooljaar (2025-2026)"
        )
    return year
