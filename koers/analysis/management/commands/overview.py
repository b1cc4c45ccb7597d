"""`koers overview school|group|pupil ... --format table|json|csv`"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.management.base import CommandParser

from koers.analysis import services
from koers.analysis.exports import neutralise
from koers.commands import KoersCommand, get_school, get_school_year, usage_error
from koers.lib.analysis.ambitions import Verdict
from koers.lib.analysis.summary import Summary
from koers.schools.models import Group, Pupil, School

# Summary field → Dutch column of the table and CSV output (JSON keeps the
# English field names, for programs).
SUMMARY_COLUMNS = {
    "n": "leerlingen",
    "n_coarse": "grove_index",
    "mean_index": "index",
    "p80": "p80",
    "p20": "p20",
    "mean_growth": "groei",
    "pct_1f": "pct_1F",
    "pct_1s2f": "pct_1S2F",
}
NEED_LABELS = {"support": "ondersteuning", "core": "basis", "challenge": "uitdaging"}
SOURCE_LABELS = {
    "percentile": "percentiel",
    "norm_table": "normtabel",
    "level_band": "niveau (grof)",
}
POPULATION_LABELS = {
    "school_3_8": "school groep 3-8",
    "school_6_8": "school groep 6-8",
}
BAND_COLUMNS = ("I", "II", "III", "IV", "V")


class Command(KoersCommand):
    cli_name = "overview"
    help = "Het school-, groeps- of leerlingoverzicht als tabel, JSON of CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = parser.add_subparsers(dest="kind", required=True)

        school = kinds.add_parser("school", help="schooloverzicht")
        school.add_argument("brin", metavar="BRIN")

        group = kinds.add_parser("group", help="groepsoverzicht")
        group.add_argument("brin", metavar="BRIN")
        group.add_argument("group", metavar="GROEP", help="naam van de groep, bv. 4/5")

        pupil = kinds.add_parser("pupil", help="leerlingoverzicht")
        pupil.add_argument("brin", metavar="BRIN")
        pupil.add_argument("pupil", metavar="LEERLING", help="leerlingnummer of ECK-iD")

        for sub in (school, group, pupil):
            sub.add_argument("--year", metavar="SCHOOLJAAR", help="bv. 2025-2026")
            sub.add_argument(
                "--format", choices=["table", "json", "csv"], default="table"
            )

    def handle(self, *args: Any, **options: Any) -> None:
        school = get_school(options["brin"])
        year = get_school_year(options["year"]) if options["year"] else None
        kind = options["kind"]

        if kind == "school":
            payload, rows = school_payload(school, year)
        elif kind == "group":
            payload, rows = group_payload(find_group(school, options["group"], year))
        else:
            payload, rows = pupil_payload(find_pupil(school, options["pupil"]))

        if options["format"] == "json":
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        if options["format"] == "csv":
            write_csv(self.stdout, rows)
            return

        if "school_year" in payload:
            self.stdout.write(f"Schooljaar {year_label(payload['school_year'])}")
        write_table(self.stdout, rows)
        for flag in payload.get("flags", []):
            self.stdout.write(
                f"Signaal {flag['subject']}: {flag['rule_label_nl']}. "
                f"{flag['explanation_nl']}"
            )


def school_payload(
    school: School, year: int | None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    results = services.SchoolResults.load(school)
    years = results.school_years()
    if year is None:
        if not years:
            raise usage_error(f"{school} heeft nog geen resultaten.")
        year = years[-1]

    if year not in years:
        raise usage_error(
            f"{school} heeft geen resultaten in schooljaar {year_label(year)}; "
            "wel in " + ", ".join(year_label(y) for y in years) + "."
        )
    overview = results.school_overview(year)
    payload = {"school": school_info(school), **overview.as_dict()}
    rows = [
        {
            "wie": POPULATION_LABELS[a.population.value],
            "vak": a.subject.value,
            "moment": a.period.value,
            **summary_cells(a.summary),
            "ambities": verdict_text(a.verdicts),
        }
        for a in overview.aggregates
    ]
    rows += [
        {
            "wie": f"groep {r.grade}",
            "vak": r.subject.value,
            "moment": r.period.value,
            **summary_cells(r.summary),
            "ambities": verdict_text(r.verdicts),
        }
        for r in overview.rows
    ]
    return payload, rows


def group_payload(group: Group) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    overview = services.group_overview_for(group)
    pupils = {
        pupil.pk: pupil
        for pupil in Pupil.objects.filter(enrolments__group=group).distinct()
    }
    payload = {"school": school_info(group.school), **overview.as_dict()}
    for subject in payload["subjects"]:
        for line in subject["pupils"]:
            pupil = pupils.get(line["pupil_id"])
            line["pupil_key"] = pupil.key if pupil else None
            line["name"] = pupil.display_name if pupil else ""

    rows = []
    for item, subject in zip(overview.subjects, payload["subjects"], strict=True):
        rows.append(
            {
                "wie": f"groep {group.name}",
                "vak": item.subject.value,
                "moment": item.period.value,
                **summary_cells(item.summary),
                "ambities": verdict_text(item.verdicts),
            }
        )
        rows += [
            {
                "wie": line["name"] or line["pupil_key"],
                "vak": item.subject.value,
                "moment": item.period.value,
                "index": rounded(line["index"]),
                "niveau": line["band"],
                "groei": rounded(line["growth"]),
                "behoefte": NEED_LABELS[line["educational_need"]],
            }
            for line in subject["pupils"]
        ]
    return payload, rows


def pupil_payload(pupil: Pupil) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    overview = services.pupil_overview_for(pupil)
    flags = services.flags_for(pupil.school, pupil)
    payload: dict[str, Any] = {
        "school": school_info(pupil.school),
        "pupil": {"key": pupil.key, "eck_id": pupil.eck_id, "name": pupil.display_name},
        "subjects": overview.as_dict()["subjects"] if overview else [],
        "flags": [flag.as_dict() for flag in flags],
    }
    rows = [
        {
            "vak": subject["subject"],
            "datum": result["administered_on"],
            "moment": result["moment"],
            "jaargroep": result["grade"],
            "index": rounded(result["index"]),
            "niveau": result["band"],
            "groei": rounded(result["growth"]),
            "bron": SOURCE_LABELS[result["index_source"]],
        }
        for subject in payload["subjects"]
        for result in subject["results"]
    ]
    return payload, rows


def find_group(school: School, name: str, year: int | None) -> Group:
    groups = Group.objects.filter(school=school, name__iexact=name.strip())
    if year is not None:
        groups = groups.filter(school_year__start_year=year)
    group = (
        groups.select_related("school_year", "school")
        .order_by("-school_year__start_year")
        .first()
    )
    if group is None:
        raise usage_error(f"Groep '{name}' bestaat niet bij {school}.")
    return group


def find_pupil(school: School, identifier: str) -> Pupil:
    pupil = (
        Pupil.objects.filter(school=school, key=identifier).first()
        or Pupil.objects.filter(school=school, eck_id=identifier).first()
    )
    if pupil is None:
        raise usage_error(
            f"Leerling '{identifier}' bestaat niet bij {school} "
            "(gebruik het leerlingnummer of de ECK-iD)."
        )
    return pupil


def year_label(start_year: int) -> str:
    return f"{start_year}-{start_year + 1}"


def school_info(school: School) -> dict[str, str]:
    return {"brin": school.brin, "branch": school.branch_code, "name": school.name}


def summary_cells(summary: Summary) -> dict[str, Any]:
    cells: dict[str, Any] = {
        label: rounded(getattr(summary, name))
        for name, label in SUMMARY_COLUMNS.items()
    }
    cells.update({band: summary.bands.get(band, 0) for band in BAND_COLUMNS})
    return cells


def verdict_text(verdicts: Iterable[Verdict]) -> str:
    parts = []
    for verdict in verdicts:
        if verdict.met is None:
            state = "geen gegevens"
        else:
            state = "gehaald" if verdict.met else "niet gehaald"
        parts.append(f"{verdict.metric.value} {state} (doel {verdict.target:g})")
    return "; ".join(parts)


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def columns_of(rows: Sequence[dict[str, Any]]) -> list[str]:
    columns: list[str] = []
    for row in rows:
        columns += [key for key in row if key not in columns]
    return columns


def write_csv(stream: Any, rows: Sequence[dict[str, Any]]) -> None:
    # `;` with a decimal comma: what Dutch Excel reads as numbers.
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns_of(rows), delimiter=";")
    writer.writeheader()
    writer.writerows(
        {key: csv_cell(value) for key, value in row.items()} for row in rows
    )
    stream.write(buffer.getvalue(), ending="")


def csv_cell(value: Any) -> Any:
    # Pupil names come from imported files: a name a spreadsheet would run as
    # a formula gets a leading quote, as in the downloads (security.md EXP-1).
    if isinstance(value, float):
        return display(value)
    return neutralise(value) if isinstance(value, str) else value


def write_table(stream: Any, rows: Sequence[dict[str, Any]]) -> None:
    columns = columns_of(rows)
    cells = [[display(row.get(column)) for column in columns] for row in rows]
    widths = [
        max([len(column), *(len(line[i]) for line in cells)])
        for i, column in enumerate(columns)
    ]
    stream.write("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    for line in cells:
        stream.write("  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)))


def display(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)
