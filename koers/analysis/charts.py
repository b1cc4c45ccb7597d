"""Charts as SVG, drawn with matplotlib: the same drawing serves the pages (as an
image) and the PDF reports (inline).

Each function takes the analysis results a page already has and returns the SVG
text. The charts carry no names: they show grades, subjects and indexes, and the
table behind each chart sits next to it on the page. Dutch number and date
formats come from Django's `nl` locale.
"""

from __future__ import annotations

import functools
import io
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import date

import matplotlib
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

from koers.lib.analysis.ambitions import AmbitionMetric, Verdict
from koers.lib.analysis.flags import Flag
from koers.lib.analysis.index import IV_BANDS
from koers.lib.analysis.outcomes import OutcomeReport
from koers.lib.analysis.overviews import (
    CohortOverview,
    GroupOverview,
    GroupSubjectOverview,
    PupilOverview,
    SchoolOverview,
    SchoolRow,
)
from koers.lib.records import Period, Subject

logger = logging.getLogger(__name__)

# Byte-stable output (ids in the SVG come from this salt, not from a random
# number) and text kept as text, so the page's font is used and text can be
# selected and read by assistive technology.
matplotlib.rcParams.update(
    {
        "svg.hashsalt": "koers",
        "svg.fonttype": "none",
        "font.family": "sans-serif",
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)

# The colours of the pages' own band bars and verdicts (koers.css), so that a
# chart and the table beside it read the same.
BAND_COLOURS = {
    "I": "#1b6e3c",
    "II": "#6fb07f",
    "III": "#c9ccd1",
    "IV": "#f0a35e",
    "V": "#c8442f",
}
MET_COLOUR = "#1f7a3d"
MISSED_COLOUR = "#a3261b"
NEUTRAL_COLOUR = "#5a6472"
TARGET_COLOUR = "#1d2430"
NEED_COLOURS = {"support": "#fbe7e5", "core": "#f4f6f9", "challenge": "#e4f3e8"}
SUBJECT_COLOURS = ("#1f77b4", "#d95f02", "#7570b3", "#1b9e77", "#e7298a", "#666666")
INDEX_TICKS = 20
WIDTH_INCHES = 7.5
MIN_DAYS_SHOWN = 180
PERIOD_ORDER = {period: number for number, period in enumerate(Period)}


# Matplotlib is not thread-safe (its font cache and text layout are shared), and
# a threaded server renders a page's charts side by side: one chart at a time.
_DRAWING = threading.Lock()


def drawn_alone[**P](chart: Callable[P, str]) -> Callable[P, str]:
    @functools.wraps(chart)
    def draw(*args: P.args, **kwargs: P.kwargs) -> str:
        with _DRAWING:
            return chart(*args, **kwargs)

    return draw


def svg_of(figure: Figure) -> str:
    """The figure as SVG text, without the XML prolog (it is embedded in pages)."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def dutch_number(value: float, digits: int = 0) -> str:
    return number_format(round(value, digits), digits)


def _index_axis(axis: Axes, label: str) -> None:
    axis.set_xlim(0, 100)
    axis.xaxis.set_major_locator(MultipleLocator(INDEX_TICKS))
    axis.set_xlabel(label)
    axis.grid(axis="x", color="#dddddd", linewidth=0.6)
    axis.set_axisbelow(True)


def _verdict(verdicts: Sequence[Verdict], metric: AmbitionMetric) -> Verdict | None:
    return next((v for v in verdicts if v.metric == metric), None)


def _verdict_colour(verdict: Verdict | None) -> str:
    if verdict is None or verdict.met is None:
        return NEUTRAL_COLOUR
    return MET_COLOUR if verdict.met else MISSED_COLOUR


# --- school overview ---------------------------------------------------------------


@drawn_alone
def school_subject_chart(rows: Sequence[SchoolRow], grade_labels: Sequence[str]) -> str:
    """One subject at one moment, per grade: the I-V distribution, p80 and p20
    against the school's ambitions, and the mean index of the last three years."""
    count = len(rows)
    figure = Figure(figsize=(WIDTH_INCHES, 0.5 + 0.42 * max(count, 1)))
    bands_axis, reach_axis, trend_axis = figure.subplots(
        1, 3, sharey=True, gridspec_kw={"width_ratios": (1.1, 1.2, 1.0)}
    )
    positions = list(range(count))

    _band_bars(bands_axis, rows, positions)
    _reach_points(reach_axis, rows, positions)
    _trend_lines(trend_axis, rows, positions)

    bands_axis.set_yticks(positions, list(grade_labels))
    bands_axis.invert_yaxis()
    figure.subplots_adjust(wspace=0.3)
    figure.legend(
        handles=[
            *bands_axis.containers[: len(IV_BANDS)],
            *reach_axis.get_legend_handles_labels()[0],
        ],
        loc="upper center",
        ncol=len(IV_BANDS) + 3,
        frameon=False,
        bbox_to_anchor=(0.5, -0.06),
    )
    return svg_of(figure)


def _band_bars(axis: Axes, rows: Sequence[SchoolRow], positions: list[int]) -> None:
    left = [0.0] * len(rows)
    for band in IV_BANDS:
        shares = [
            100 * row.summary.bands.get(band, 0) / row.summary.n if row.summary.n else 0
            for row in rows
        ]
        axis.barh(
            positions,
            shares,
            left=left,
            color=BAND_COLOURS[band],
            edgecolor="white",
            linewidth=0.5,
            label=band,
        )
        left = [start + share for start, share in zip(left, shares, strict=True)]
    axis.set_xlim(0, 100)
    axis.xaxis.set_major_locator(MultipleLocator(25))
    axis.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:.0f}%"))
    axis.set_xlabel(_("aandeel leerlingen"))
    axis.set_title(_("Niveau I t/m V"), loc="left", fontsize=9)


def _reach_points(axis: Axes, rows: Sequence[SchoolRow], positions: list[int]) -> None:
    for metric, marker, label in (
        (AmbitionMetric.P80, "o", _("p80")),
        (AmbitionMetric.P20, "s", _("p20")),
    ):
        values = [
            row.summary.p80 if metric == AmbitionMetric.P80 else row.summary.p20
            for row in rows
        ]
        verdicts = [_verdict(row.verdicts, metric) for row in rows]
        for position, value, verdict in zip(positions, values, verdicts, strict=True):
            if verdict is not None:
                # The ambition: a short vertical bar at the target index.
                axis.plot(
                    [verdict.target, verdict.target],
                    [position - 0.3, position + 0.3],
                    color=TARGET_COLOUR,
                    linewidth=1.4,
                )
            if value is not None:
                axis.plot(
                    value,
                    position,
                    marker=marker,
                    color=_verdict_colour(verdict),
                    markersize=6,
                    linestyle="none",
                )
        # Legend entries only: grey markers for the two metrics.
        axis.plot(
            [], [], marker=marker, color=NEUTRAL_COLOUR, linestyle="none", label=label
        )
    axis.plot([], [], color=TARGET_COLOUR, linewidth=1.4, label=_("ambitie"))
    _index_axis(axis, _("index"))
    axis.set_title(_("p80 en p20 tegen de ambitie"), loc="left", fontsize=9)


def _trend_lines(axis: Axes, rows: Sequence[SchoolRow], positions: list[int]) -> None:
    for position, row in zip(positions, rows, strict=True):
        # Earlier years faded, this year solid.
        points = [(p.mean_index, 0.35) for p in row.trend if p.mean_index is not None]
        if row.summary.mean_index is not None:
            points.append((row.summary.mean_index, 1.0))
        if len(points) > 1:
            xs = [value for value, _alpha in points]
            axis.plot(xs, [position] * len(xs), color="#999999", linewidth=0.8)
        for value, alpha in points:
            axis.plot(value, position, marker="o", color=NEUTRAL_COLOUR, alpha=alpha)
    _index_axis(axis, _("gemiddelde index"))
    axis.set_title(_("Trend over drie jaar"), loc="left", fontsize=9)


def school_chart_for(
    overview: SchoolOverview | None, subject: Subject, period: Period | None
) -> str | None:
    """The school chart of one subject at one moment, None without results."""
    rows = [
        row
        for row in (overview.rows if overview else ())
        if row.subject == subject and row.period == period
    ]
    if not rows:
        return None
    labels = [_("Groep %(grade)s") % {"grade": row.grade} for row in rows]
    return school_subject_chart(rows, labels)


# --- group overview ----------------------------------------------------------------


@drawn_alone
def group_subject_chart(subject: GroupSubjectOverview) -> str:
    """The group's pupils on the index scale, over the three onderwijsbehoefte
    bands, with the group's middenmoot (from p80 to p20) and its ambitions."""
    figure = Figure(figsize=(WIDTH_INCHES, 1.9))
    axis = figure.subplots()
    thresholds = subject.need_thresholds

    axis.axvspan(0, thresholds.support_below, color=NEED_COLOURS["support"], zorder=0)
    axis.axvspan(
        thresholds.support_below,
        thresholds.challenge_from,
        color=NEED_COLOURS["core"],
        zorder=0,
    )
    axis.axvspan(
        thresholds.challenge_from, 100, color=NEED_COLOURS["challenge"], zorder=0
    )
    for left, right, label in (
        (0, thresholds.support_below, _("ondersteuning")),
        (thresholds.support_below, thresholds.challenge_from, _("basis")),
        (thresholds.challenge_from, 100, _("uitdaging")),
    ):
        axis.text(
            (left + right) / 2, 1.55, label, ha="center", va="top", color="#444444"
        )

    # Pupils with the same index would hide each other: spread them over rows.
    indexes = sorted(line.index for line in subject.pupils)
    heights = _stacked_heights(indexes)
    axis.scatter(indexes, heights, s=28, color="#333333", edgecolor="white", zorder=3)

    summary = subject.summary
    if summary.p80 is not None and summary.p20 is not None:
        axis.plot(
            [summary.p80, summary.p20],
            [-0.45, -0.45],
            color="#333333",
            linewidth=3,
            solid_capstyle="butt",
            label=_("middenmoot (p80 tot p20)"),
        )
    targets = [
        verdict.target
        for metric in (AmbitionMetric.P80, AmbitionMetric.P20)
        if (verdict := _verdict(subject.verdicts, metric)) is not None
    ]
    for target in targets:
        axis.axvline(target, color=TARGET_COLOUR, linestyle="--", linewidth=1)
    if targets:
        axis.plot(
            [],
            [],
            color=TARGET_COLOUR,
            linestyle="--",
            linewidth=1,
            label=_("ambitie p80 en p20"),
        )

    _index_axis(axis, _("index"))
    axis.set_ylim(-0.8, 1.6)
    axis.set_yticks([])
    axis.spines["left"].set_visible(False)
    axis.legend(loc="upper center", bbox_to_anchor=(0.5, -0.35), ncol=2, frameon=False)
    return svg_of(figure)


def group_chart_for(
    overview: GroupOverview, subject: Subject, period: Period | None
) -> str | None:
    """The group chart of one subject at one moment, None without results."""
    found = next(
        (
            item
            for item in overview.subjects
            if item.subject == subject and item.period == period
        ),
        None,
    )
    return group_subject_chart(found) if found is not None else None


def _stacked_heights(indexes: Sequence[float]) -> list[float]:
    """A height per dot so that dots closer than two index points stack up."""
    heights: list[float] = []
    row_ends: list[float] = []
    for index in indexes:
        row = next((r for r, end in enumerate(row_ends) if index - end >= 2), None)
        if row is None:
            row = len(row_ends)
            row_ends.append(index)
        row_ends[row] = index
        heights.append(min(row, 6) * 0.2)
    return heights


# --- cohort -----------------------------------------------------------------------


@drawn_alone
def cohort_chart(overview: CohortOverview, subject_labels: Mapping[str, str]) -> str:
    """The mean index of the cohort per subject at each moment, in time order."""
    moments = sorted(
        {(p.school_year, p.period) for p in overview.points},
        key=lambda moment: (moment[0], PERIOD_ORDER[moment[1]]),
    )
    position = {moment: number for number, moment in enumerate(moments)}
    grade_at = {(p.school_year, p.period): p.grade for p in overview.points}
    figure = Figure(figsize=(WIDTH_INCHES, 2.8))
    axis = figure.subplots()

    for lower in (20, 40, 60, 80):
        axis.axhline(lower, color="#e5e5e5", linewidth=0.8, zorder=0)
    subjects = list(dict.fromkeys(point.subject for point in overview.points))
    for number, subject in enumerate(subjects):
        points = [
            (position[(p.school_year, p.period)], p.summary.mean_index)
            for p in overview.points
            if p.subject == subject and p.summary.mean_index is not None
        ]
        axis.plot(
            [x for x, _y in points],
            [y for _x, y in points],
            marker="o",
            markersize=4,
            color=SUBJECT_COLOURS[number % len(SUBJECT_COLOURS)],
            label=subject_labels.get(subject.value, subject.value),
        )

    axis.set_xticks(
        list(range(len(moments))),
        [
            f"{period.value}{grade_at[(year, period)]}\n{year}-{str(year + 1)[2:]}"
            for year, period in moments
        ],
    )
    axis.set_ylim(0, 100)
    axis.yaxis.set_major_locator(MultipleLocator(INDEX_TICKS))
    axis.set_ylabel(_("gemiddelde index"))
    axis.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return svg_of(figure)


# --- pupil overview ----------------------------------------------------------------


@drawn_alone
def pupil_chart(
    overview: PupilOverview, flags: Sequence[Flag], subject_labels: Mapping[str, str]
) -> str:
    """The index per subject over all measurements; results that a flag rests on
    are ringed."""
    figure = Figure(figsize=(WIDTH_INCHES, 2.8))
    axis = figure.subplots()
    flagged = {
        (flag.subject, point.administered_on)
        for flag in flags
        for point in flag.evidence
    }

    for lower in (20, 40, 60, 80):
        axis.axhline(lower, color="#e5e5e5", linewidth=0.8, zorder=0)
    for number, history in enumerate(overview.subjects):
        colour = SUBJECT_COLOURS[number % len(SUBJECT_COLOURS)]
        # Days as ordinals: the axis formatter turns them back into Dutch months.
        days = [result.administered_on.toordinal() for result in history.results]
        values = [result.index for result in history.results]
        axis.plot(
            days,
            values,
            marker="o",
            markersize=4,
            color=colour,
            label=subject_labels.get(history.subject.value, history.subject.value),
        )
        ringed = [
            (day, value)
            for day, value in zip(days, values, strict=True)
            if (history.subject, date.fromordinal(day)) in flagged
        ]
        if ringed:
            axis.scatter(
                [day for day, _value in ringed],
                [value for _day, value in ringed],
                s=140,
                facecolors="none",
                edgecolors=MISSED_COLOUR,
                linewidths=1.6,
                zorder=4,
            )
    if flagged:
        axis.scatter(
            [],
            [],
            s=140,
            facecolors="none",
            edgecolors=MISSED_COLOUR,
            label=_("signaal"),
        )

    axis.set_ylim(0, 100)
    axis.yaxis.set_major_locator(MultipleLocator(INDEX_TICKS))
    axis.set_ylabel(_("index"))
    axis.xaxis.set_major_locator(MaxNLocator(nbins=8, integer=True))
    axis.xaxis.set_major_formatter(FuncFormatter(_month_label))
    _pupil_time_axis(axis, overview)
    axis.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return svg_of(figure)


def _pupil_time_axis(axis: Axes, overview: PupilOverview) -> None:
    """At least half a year wide, with a tick on the first of a month.

    Left to itself matplotlib widens a single result into decades ("mrt 1931" to
    "jul 2095"), and ticks on arbitrary days repeat a month's label.
    """
    days = [
        result.administered_on.toordinal()
        for history in overview.subjects
        for result in history.results
    ]
    if not days:
        return

    if max(days) - min(days) < MIN_DAYS_SHOWN:
        middle = (min(days) + max(days)) / 2
        axis.set_xlim(middle - MIN_DAYS_SHOWN / 2, middle + MIN_DAYS_SHOWN / 2)
    low, high = axis.get_xlim()
    axis.set_xticks(_month_starts(date.fromordinal(int(low)), int(high)))


def _month_starts(first: date, last_day: int) -> list[int]:
    """The first days of months from `first` to `last_day` (an ordinal), every 1,
    2, 3, 6 or 12 months or more: the smallest step that gives at most 8 ticks."""
    months = (last_day - first.toordinal()) // 30 + 1
    step = next(
        (s for s in (1, 2, 3, 6, 12) if months <= 8 * s), 12 * (months // 96 + 1)
    )
    # Counted in months since year 0, so that stepping never needs a calendar;
    # rounded up to the step, so that a yearly tick falls on January.
    count = first.year * 12 + first.month  # the month after `first`'s month
    count += -count % step
    ticks = []
    while (day := date(count // 12, count % 12 + 1, 1).toordinal()) <= last_day:
        ticks.append(day)
        count += step
    return ticks


def _month_label(value: float, _position: int) -> str:
    if value < 1:
        return ""
    return str(date_format(date.fromordinal(int(value)), "b Y"))


# --- end-of-school results -------------------------------------------------------


@drawn_alone
def outcomes_chart(report: OutcomeReport) -> str:
    """% 1F and % 1S/2F per school year and over three years, against the
    Inspectie's signaleringswaarden."""
    figure = Figure(figsize=(WIDTH_INCHES, 2.6))
    axis = figure.subplots()
    labels = [f"{y.school_year}-{y.school_year + 1}" for y in report.years]
    values_1f = [float(y.pct_1f) if y.pct_1f is not None else 0.0 for y in report.years]
    values_2f = [
        float(y.pct_1s2f) if y.pct_1s2f is not None else 0.0 for y in report.years
    ]
    if report.three_year.pct_1f is not None:
        labels.append(_("drie jaar samen"))
        values_1f.append(float(report.three_year.pct_1f))
        values_2f.append(
            float(report.three_year.pct_1s2f)
            if report.three_year.pct_1s2f is not None
            else 0.0
        )

    positions = list(range(len(labels)))
    width = 0.38
    for offset, values, colour, label in (
        (-width / 2, values_1f, "#4a7fb5", "% 1F"),
        (width / 2, values_2f, "#9ecae1", "% 1S/2F"),
    ):
        bars = axis.bar(
            [p + offset for p in positions], values, width, color=colour, label=label
        )
        axis.bar_label(
            bars, labels=[f"{dutch_number(v, 1)}%" for v in values], fontsize=8
        )
    axis.axhline(
        float(report.signal_value_1f),
        color=TARGET_COLOUR,
        linestyle="--",
        linewidth=1,
        label=_("signaleringswaarde 1F"),
    )
    if report.signal_value_1s2f is not None:
        axis.axhline(
            float(report.signal_value_1s2f),
            color=TARGET_COLOUR,
            linestyle=":",
            linewidth=1.2,
            label=_("signaleringswaarde 1S/2F"),
        )

    axis.set_xticks(positions, labels)
    axis.set_ylim(0, 100)
    axis.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:.0f}%"))
    axis.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return svg_of(figure)


def dutch_date(day: date) -> str:
    return str(date_format(day, "j F Y"))
