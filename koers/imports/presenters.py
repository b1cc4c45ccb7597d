"""Import reports as the pages show them: Dutch labels, counts in a fixed order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from koers.results.models import ImportBatch
from koers.results.undo import refusal_reason

FORMAT_LABELS = {
    "edexml": _("EDEXML"),
    "uwlr-leerlinggegevens": _("UWLR leerlinggegevens"),
    "oso": _("OSO-dossier"),
    "esis-results": _("ESIS-toetsresultaten"),
    "doorstroomtoets": _("Doorstroomtoets"),
    "parnassys-pupils": _("ParnasSys-leerlingenlijst"),
    "tabular-results": _("tabel met toetsresultaten"),
    "unknown": _("onbekend formaat"),
}

# The counts the page lists, in this order, with their Dutch label.
COUNT_LABELS: list[tuple[str, Any]] = [
    (
        "pupils_created",
        ngettext_lazy(
            "%(number)d nieuwe leerling", "%(number)d nieuwe leerlingen", "number"
        ),
    ),
    (
        "pupils_updated",
        ngettext_lazy(
            "%(number)d bijgewerkte leerling",
            "%(number)d bijgewerkte leerlingen",
            "number",
        ),
    ),
    (
        "results_created",
        ngettext_lazy(
            "%(number)d nieuw resultaat", "%(number)d nieuwe resultaten", "number"
        ),
    ),
    (
        "results_updated",
        ngettext_lazy(
            "%(number)d gewijzigd resultaat",
            "%(number)d gewijzigde resultaten",
            "number",
        ),
    ),
    (
        "results_unchanged",
        ngettext_lazy(
            "%(number)d resultaat al aanwezig",
            "%(number)d resultaten al aanwezig",
            "number",
        ),
    ),
    (
        "transition_results_created",
        ngettext_lazy(
            "%(number)d nieuw doorstroomtoetsresultaat",
            "%(number)d nieuwe doorstroomtoetsresultaten",
            "number",
        ),
    ),
    (
        "transition_results_updated",
        ngettext_lazy(
            "%(number)d gewijzigd doorstroomtoetsresultaat",
            "%(number)d gewijzigde doorstroomtoetsresultaten",
            "number",
        ),
    ),
    (
        "transition_results_unchanged",
        ngettext_lazy(
            "%(number)d doorstroomtoetsresultaat al aanwezig",
            "%(number)d doorstroomtoetsresultaten al aanwezig",
            "number",
        ),
    ),
    (
        "groups_created",
        ngettext_lazy("%(number)d nieuwe groep", "%(number)d nieuwe groepen", "number"),
    ),
    (
        "enrolments_created",
        ngettext_lazy(
            "%(number)d nieuwe plaatsing in een groep",
            "%(number)d nieuwe plaatsingen in een groep",
            "number",
        ),
    ),
    (
        "pupils_moved",
        ngettext_lazy(
            "%(number)d leerling naar een andere groep",
            "%(number)d leerlingen naar een andere groep",
            "number",
        ),
    ),
    (
        "enrolments_updated",
        ngettext_lazy(
            "%(number)d gewijzigde plaatsing",
            "%(number)d gewijzigde plaatsingen",
            "number",
        ),
    ),
    (
        "teachers_created",
        ngettext_lazy(
            "%(number)d nieuwe leerkracht", "%(number)d nieuwe leerkrachten", "number"
        ),
    ),
    (
        "instruments_created",
        ngettext_lazy("%(number)d nieuwe toets", "%(number)d nieuwe toetsen", "number"),
    ),
    (
        "schools_created",
        ngettext_lazy(
            "%(number)d nieuwe school", "%(number)d nieuwe scholen", "number"
        ),
    ),
]


@dataclass
class FileReport:
    file: str
    format: str
    rejected: bool = False
    message: str = ""
    already_imported: bool = False
    counts: list[str] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def format_label(code: str) -> str:
    return str(FORMAT_LABELS.get(code, code))


def count_lines(counts: dict[str, int]) -> list[str]:
    return [
        str(label % {"number": counts[name]})
        for name, label in COUNT_LABELS
        if counts.get(name)
    ]


def file_report(report: dict[str, Any]) -> FileReport:
    return FileReport(
        file=report["file"],
        format=format_label(report.get("format", "")),
        rejected=bool(report.get("rejected")),
        message=report.get("message", ""),
        already_imported=bool(report.get("already_imported")),
        counts=count_lines(report.get("counts", {})),
        skipped=report.get("skipped", []),
        notes=report.get("notes", []),
    )


@dataclass
class BatchRow:
    batch: ImportBatch
    format: str
    counts: list[str]
    undo_refused: str | None


def batch_rows(batches: list[ImportBatch]) -> list[BatchRow]:
    active = [batch.pk for batch in batches if batch.undone_at is None]
    newest_active = max(active, default=None)
    return [
        BatchRow(
            batch=batch,
            format=format_label(batch.format),
            counts=count_lines(batch.counts),
            undo_refused=refusal_reason(batch, newest_active=newest_active),
        )
        for batch in batches
    ]
