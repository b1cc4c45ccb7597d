"""Downloads of the overview pages as CSV and XLSX.

Each overview becomes a list of tables built from the same services and presenters
as its page, with the same `jaar` and `moment` filters, so a download never shows
other pupils or other figures than the screen it comes from (security.md EXP-3).
Numbers stay numbers; every text cell is neutralised against formula injection
(EXP-1), because group and pupil names arrive from other systems' files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from koers.analysis import presenters, services
from koers.lib.analysis.index import IV_BANDS
from koers.lib.analysis.outcomes import OutcomeReport, ThresholdVerdict
from koers.lib.analysis.overviews import PupilResult
from koers.lib.analysis.summary import Summary
from koers.lib.records import Period
from koers.lib.xlsx import Book, Sheet, Style
from koers.schools.models import Group, Pupil, School

logger = logging.getLogger(__name__)

Cell = str | int | float | dt.date | None

# A spreadsheet reads a cell starting with one of these as a formula (or, for tab
# and CR, shifts it into one); NUL is in security.md's list as well.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
SHEET_NAME_LENGTH = 31
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SOURCE_LABELS = {
    "percentile": "percentiel",
    "norm_table": "normtabel",
    "level_band": "niveau (grof)",
}


@dataclass(frozen=True, slots=True)
class Table:
    title: str
    headers: list[str]
    rows: list[list[Cell]]


@dataclass(frozen=True, slots=True)
class Export:
    """The tables of one download; `name` is the file name without extension."""

    name: str
    tables: list[Table]


# Building the tables ------------------------------------------------------------


def school_export(school: School, request: HttpRequest) -> Export:
    results = services.SchoolResults.load(school)
    year = presenters.chosen_year(request, results.school_years())
    overview = results.school_overview(year) if year else None
    period = presenters.chosen_period(request, overview)

    groups = Group.objects.filter(school=school, school_year__start_year=year or 0)
    outcomes = presenters.outcomes(services.outcomes_for(school))
    tables = [
        school_table(presenters.school_subjects(overview, period), period, year),
        groups_table(presenters.group_links(groups)),
        outcomes_table(outcomes),
    ]

    name = file_name(
        "schooloverzicht",
        school_code(school),
        presenters.year_label(year) if year else "",
        period.value if period else "",
    )
    return Export(name, tables)


def group_export(group: Group, request: HttpRequest) -> Export:
    results = services.SchoolResults.load(group.school)
    overview = results.group_overview(group)
    period = presenters.chosen_period(request, overview)
    flags = results.current_flags(group.school_year.start_year)
    subjects = presenters.group_subjects(overview, period, group, flags)

    tables = [
        group_table(subjects, group, period),
        group_pupils_table(subjects, period),
        without_result_table(subjects, period),
    ]

    name = file_name(
        "groepsoverzicht",
        school_code(group.school),
        group.school_year.label,
        group.name or str(group.pk),
        period.value if period else "",
    )
    return Export(name, tables)


def pupil_export(pupil: Pupil) -> Export:
    overview = services.pupil_overview_for(pupil)
    flags = services.flags_for(pupil.school, pupil)

    tables = [
        Table(
            _("Leerling"),
            [*name_headers(), _("School")],
            [[*name_cells(pupil), pupil.school.name]],
        ),
        pupil_results_table(presenters.pupil_subjects(overview)),
        Table(
            _("Signalen"),
            [_("Vak"), _("Signaal"), _("Uitleg")],
            [
                [view["subject"], view["rule"], view["explanation"]]
                for view in map(presenters.flag, flags)
            ],
        ),
        Table(
            _("Groepen"),
            [_("Schooljaar"), _("Groep"), _("Jaargroep")],
            [
                [place["year"], place["group"].name, place["grade"]]
                for place in presenters.pupil_placements(pupil)
            ],
        ),
    ]

    # Koers's own number, not the pupil number: a downloaded file travels further
    # than a page, and its name should not identify a child.
    name = file_name("leerlingoverzicht", school_code(pupil.school), str(pupil.pk))
    return Export(name, tables)


def summary_headers() -> list[str]:
    return [
        _("Leerlingen"),
        _("Waarvan grove index"),
        *IV_BANDS,
        _("Index"),
        "p80",
        "p20",
        _("Groei"),
        _("Leerlingen met groei"),
        "% 1F",
        "% 1S/2F",
    ]


def summary_cells(summary: Summary) -> list[Cell]:
    return [
        summary.n,
        summary.n_coarse,
        *(summary.bands.get(band, 0) for band in IV_BANDS),
        rounded(summary.mean_index),
        rounded(summary.p80),
        rounded(summary.p20),
        rounded(summary.mean_growth),
        summary.n_growth,
        rounded(summary.pct_1f),
        rounded(summary.pct_1s2f),
    ]


def verdict_headers() -> list[str]:
    headers = []
    for metric in presenters.METRIC_LABELS.values():
        headers += [
            _("Ambitie %(metric)s") % {"metric": metric},
            _("%(metric)s gehaald") % {"metric": metric},
            _("Verschil %(metric)s") % {"metric": metric},
        ]
    return headers


def verdict_cells(verdicts: Iterable[presenters.VerdictView]) -> list[Cell]:
    """Target, met and margin per metric, blank where the school set no target."""
    by_label = {verdict.label: verdict for verdict in verdicts}
    cells: list[Cell] = []
    for metric in presenters.METRIC_LABELS.values():
        verdict = by_label.get(metric)
        if verdict is None:
            cells += [None, None, None]
            continue
        cells += [rounded(verdict.target), yes_no(verdict.met), rounded(verdict.margin)]
    return cells


def school_table(
    subjects: Sequence[presenters.SubjectView], period: Period | None, year: int | None
) -> Table:
    trend_years = [year - 2, year - 1] if year else []
    headers = [
        _("Vak"),
        _("Moment"),
        _("Wie"),
        *summary_headers(),
        *verdict_headers(),
        *(
            _("Index %(year)s") % {"year": presenters.year_label(trend_year)}
            for trend_year in trend_years
        ),
    ]

    rows = []
    for subject in subjects:
        for row in [*subject.aggregates, *subject.rows]:
            trend = dict(row.trend)
            rows.append(
                [
                    subject.subject,
                    period.value if period else None,
                    row.label,
                    *summary_cells(row.summary),
                    *verdict_cells(row.verdicts),
                    *(
                        rounded(trend.get(presenters.year_label(trend_year)))
                        for trend_year in trend_years
                    ),
                ]
            )
    return Table(_("Schooloverzicht"), headers, rows)


def groups_table(links: Sequence[presenters.GroupLink]) -> Table:
    return Table(
        _("Groepen"),
        [_("Groep"), _("Leerlingen")],
        [[link.group.name, link.pupils] for link in links],
    )


def outcomes_table(outcomes: dict[str, Any]) -> Table:
    """The end-of-school results as the page shows them, with two decimals."""
    headers = [_("Schooljaar"), _("Leerlingen"), "% 1F", "% 1S/2F"]
    if not outcomes["years"]:
        return Table(_("Eindresultaten"), headers, [])

    report: OutcomeReport = outcomes["report"]
    rows: list[list[Cell]] = [
        [
            year["label"],
            year["pupils"],
            rounded(year["pct_1f"], 2),
            rounded(year["pct_1s2f"], 2),
        ]
        for year in outcomes["years"]
    ]
    rows += [
        [
            _("Drie jaar samen"),
            report.three_year.pupils,
            rounded(outcomes["three_year_1f"], 2),
            rounded(outcomes["three_year_1s2f"], 2),
        ],
        [
            _("Signaleringswaarde"),
            None,
            rounded(float(report.signal_value_1f), 2),
            rounded(optional_float(report.signal_value_1s2f), 2),
        ],
        [
            _("Oordeel"),
            None,
            threshold_text(report.verdict_1f, report.equal_1f),
            threshold_text(report.verdict_1s2f, report.equal_1s2f),
        ],
    ]
    return Table(_("Eindresultaten"), headers, rows)


def threshold_text(verdict: ThresholdVerdict | None, equal: bool) -> str:
    if verdict == ThresholdVerdict.ABOVE:
        return _("erboven")
    if equal:
        return _("gelijk")
    return _("eronder") if verdict else ""


def group_table(
    subjects: Sequence[presenters.GroupSubjectView],
    group: Group,
    period: Period | None,
) -> Table:
    headers = [
        _("Vak"),
        _("Moment"),
        _("Groep"),
        *summary_headers(),
        *verdict_headers(),
        *(label.capitalize() for label in presenters.NEED_LABELS.values()),
        _("Ondersteuning onder index"),
        _("Uitdaging vanaf index"),
        _("Grenzen uit ambities"),
    ]
    rows = [
        [
            subject.subject,
            period.value if period else None,
            group.name,
            *summary_cells(subject.summary),
            *verdict_cells(subject.verdicts),
            *(count for _key, _label, count in subject.need_counts),
            rounded(subject.support_below),
            rounded(subject.challenge_from),
            yes_no(subject.thresholds_from_targets),
        ]
        for subject in subjects
    ]
    return Table(_("Groepsoverzicht"), headers, rows)


def group_pupils_table(
    subjects: Sequence[presenters.GroupSubjectView], period: Period | None
) -> Table:
    headers = [
        _("Vak"),
        _("Moment"),
        *name_headers(),
        _("Jaargroep"),
        _("Index"),
        _("Grove index"),
        _("Niveau"),
        _("Groei"),
        _("Onderwijsbehoefte"),
        _("Signalen"),
    ]
    rows = [
        [
            subject.subject,
            period.value if period else None,
            *name_cells(line.pupil),
            line.grade,
            rounded(line.index),
            yes_no(line.coarse) if line.coarse else None,
            line.band,
            rounded(line.growth),
            line.need_label,
            "; ".join(line.flags),
        ]
        for subject in subjects
        for line in subject.pupils
    ]
    return Table(_("Leerlingen"), headers, rows)


def without_result_table(
    subjects: Sequence[presenters.GroupSubjectView], period: Period | None
) -> Table:
    """The pupils of the group who missed a test: the IB'er asks after them."""
    rows = [
        [subject.subject, period.value if period else None, *name_cells(pupil)]
        for subject in subjects
        for pupil in subject.without_result
    ]
    return Table(_("Zonder resultaat"), [_("Vak"), _("Moment"), *name_headers()], rows)


def pupil_results_table(subjects: Sequence[dict[str, Any]]) -> Table:
    headers = [
        _("Vak"),
        _("Datum"),
        _("Schooljaar"),
        _("Moment"),
        _("Jaargroep"),
        _("Index"),
        _("Grove index"),
        _("Niveau"),
        _("Groei"),
        _("Referentieniveau"),
        _("Bron index"),
    ]
    rows: list[list[Cell]] = []
    for subject in subjects:
        result: PupilResult
        for result in subject["results"]:
            rows.append(
                [
                    subject["subject"],
                    result.administered_on,
                    presenters.year_label(result.school_year),
                    result.moment,
                    result.grade,
                    rounded(result.index),
                    yes_no(result.coarse) if result.coarse else None,
                    result.band,
                    rounded(result.growth),
                    result.reference_level.value if result.reference_level else None,
                    SOURCE_LABELS.get(result.index_source.value),
                ]
            )
    return Table(_("Resultaten"), headers, rows)


def name_headers() -> list[str]:
    return [_("Leerlingnummer"), _("Achternaam"), _("Tussenvoegsel"), _("Roepnaam")]


def name_cells(pupil: Pupil) -> list[Cell]:
    """Surname apart, so a spreadsheet sorts the way Dutch class lists do."""
    first = pupil.preferred_name or pupil.given_names or pupil.initials
    return [pupil.key, pupil.surname, pupil.prefix, first]


def yes_no(value: bool | None) -> str | None:
    if value is None:
        return None
    return _("ja") if value else _("nee")


def optional_float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def rounded(value: float | None, places: int = 1) -> float | None:
    """Half up, as the README promises for percentages; never a negative zero."""
    if value is None or not math.isfinite(value):
        return None
    exact = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return float(exact) + 0.0


def school_code(school: School) -> str:
    if school.branch_code in ("", "00"):
        return school.brin
    return f"{school.brin}{school.branch_code}"


def file_name(*parts: str) -> str:
    """ASCII letters, digits and hyphens only: safe in a Content-Disposition header
    and on every file system."""
    cleaned = []
    for part in parts:
        ascii_text = unicodedata.normalize("NFKD", part).encode("ascii", "ignore")
        slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_text.decode()).strip("-")
        if slug:
            cleaned.append(slug)
    return "-".join(cleaned)


# Writing ------------------------------------------------------------------------


def neutralise(text: str) -> str:
    """A text a spreadsheet would run as a formula gets a leading quote."""
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, dt.date):
        return value.strftime("%d-%m-%Y")
    # Decimal comma and no thousands separator: what Dutch Excel reads as a number.
    return str(value).replace(".", ",")


def csv_bytes(tables: Sequence[Table]) -> bytes:
    """The tables one below the other, each as a title row, a header row and its
    rows, with an empty row between them. UTF-8 with a BOM, `;` between cells."""
    output = io.StringIO()
    writer = csv.writer(output, delimiter=";")
    for position, table in enumerate(tables):
        if position:
            writer.writerow([])
        writer.writerow([neutralise(table.title)])
        writer.writerow([neutralise(header) for header in table.headers])
        writer.writerows([csv_text(value) for value in row] for row in table.rows)
    return output.getvalue().encode("utf-8-sig")


@dataclass(frozen=True, slots=True)
class XlsxStyles:
    header: Style
    whole: Style
    decimal: Style
    date: Style

    @classmethod
    def of(cls, book: Book) -> XlsxStyles:
        # Excel stores number formats in one notation and shows them in the
        # reader's locale: "#,##0.0" reads as 1.234,5 in Dutch Excel.
        return cls(
            header=book.add_style(bold=True, bottom=1),
            whole=book.add_style(num_format="#,##0"),
            decimal=book.add_style(num_format="#,##0.0"),
            date=book.add_style(num_format="dd-mm-yyyy"),
        )


def xlsx_bytes(tables: Sequence[Table]) -> bytes:
    """One worksheet per table: bold, frozen header row and fitted columns."""
    output = io.BytesIO()
    book = Book(output)
    styles = XlsxStyles.of(book)

    names = sheet_names([table.title for table in tables])
    for name, table in zip(names, tables, strict=True):
        write_sheet(book.add_sheet(name), table, styles)

    book.close()
    return output.getvalue()


def write_sheet(sheet: Sheet, table: Table, styles: XlsxStyles) -> None:
    for col, header in enumerate(table.headers):
        sheet.write_text(0, col, neutralise(header), styles.header)
    sheet.freeze_rows(1)

    for row_number, row in enumerate(table.rows, start=1):
        for col, value in enumerate(row):
            write_cell(sheet, row_number, col, value, styles)

    for col, width in enumerate(column_widths(table)):
        sheet.set_width(col, width)


def write_cell(
    sheet: Sheet, row: int, col: int, value: Cell, styles: XlsxStyles
) -> None:
    # An empty text stays an empty cell, not a cell holding "".
    if value is None or value == "":
        return
    if isinstance(value, str):
        # Always write_string, never write(): text is never read as a formula.
        sheet.write_text(row, col, neutralise(value), None)
    elif isinstance(value, dt.date):
        sheet.write_date(row, col, value, styles.date)
    elif isinstance(value, int):
        sheet.write_number(row, col, value, styles.whole)
    else:
        sheet.write_number(row, col, value, styles.decimal)


def column_widths(table: Table) -> list[float]:
    """Wide enough for the header and the longest cell, within reason."""
    widths = [len(header) for header in table.headers]
    for row in table.rows:
        for col, value in enumerate(row):
            widths[col] = max(widths[col], len(csv_text(value)))
    return [min(max(width, 6), 60) + 2 for width in widths]


def sheet_names(titles: Sequence[str]) -> list[str]:
    """Excel's rules: at most 31 characters, none of []:*?/\\, no quote at either
    end, unique regardless of case, and "History" is reserved."""
    names: list[str] = []
    taken: set[str] = set()
    for title in titles:
        base = SHEET_NAME_FORBIDDEN.sub("-", title).strip("'").strip()
        base = base[:SHEET_NAME_LENGTH].strip("'") or _("Blad")
        name, number = base, 1
        while name.casefold() in taken or name.casefold() == "history":
            number += 1
            suffix = f" ({number})"
            name = base[: SHEET_NAME_LENGTH - len(suffix)].rstrip("'") + suffix
        taken.add(name.casefold())
        names.append(name)
    return names


WRITERS: dict[str, tuple[str, Callable[[Sequence[Table]], bytes]]] = {
    "csv": ("text/csv; charset=utf-8", csv_bytes),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        xlsx_bytes,
    ),
}
