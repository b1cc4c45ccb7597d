"""`koers import [--school BRIN] [--dry-run] PATH...`"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from koers.commands import EXIT_REJECTED, KoersCommand, get_school, usage_error
from koers.imports.presenters import format_label
from koers.lib.importers import detect_format
from koers.lib.records import ImportRejected
from koers.privacy.audit import record_cli_imports
from koers.results.services import ImportContext, ImportSummary, import_file

# Rosters first, so that results find their pupils with names and groups; the
# doorstroomtoets last, as it only refers to pupils.
FORMAT_ORDER = {
    "edexml": 0,
    "uwlr-leerlinggegevens": 0,
    "parnassys-pupils": 1,
    "esis-results": 2,
    "tabular-results": 2,
    "oso": 3,
    "doorstroomtoets": 4,
}
MAX_SKIPPED_SHOWN = 20


class RejectedRun(Exception):
    def __init__(self, rejection: ImportRejected) -> None:
        self.rejection = rejection


class Command(KoersCommand):
    cli_name = "import"
    help = (
        "Importeert bestanden of mappen met bestanden: EDEXML, OSO-dossiers, "
        "ESIS-toetsresultaten, Doorstroomtoets-berichten, ParnasSys-"
        "leerlingenlijsten en tabellen met toetsresultaten. Alle bestanden van "
        "een opdracht worden samen geïmporteerd, of (bij een fout) geen enkele."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "paths", nargs="+", metavar="PATH", help="bestanden of mappen"
        )
        parser.add_argument(
            "--school",
            metavar="BRIN",
            help="de school waarvoor de bestanden zijn; nodig voor bestanden die "
            "zelf geen school noemen (OSO, Doorstroomtoets) als er meer scholen zijn",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="laat zien wat er zou veranderen, zonder iets op te slaan",
        )
        parser.add_argument("--json", action="store_true", help="verslag als JSON")
        parser.add_argument(
            "--user",
            default="opdrachtregel",
            help="wie importeert (voor de geschiedenis)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        school = get_school(options["school"]) if options["school"] else None
        files = self.ordered_files(options["paths"])
        console = Console(stderr=True)

        try:
            summaries = self.import_all(files, school, options, console)
        except RejectedRun as failure:
            message = failure.rejection.describe()
            if options["json"]:
                error = {
                    "rejected": True,
                    "file": failure.rejection.file_name,
                    "message": message,
                }
                self.stdout.write(json.dumps(error, ensure_ascii=False))
            raise CommandError(
                f"Afgewezen, er is niets opgeslagen. {message}",
                returncode=EXIT_REJECTED,
            ) from None

        if options["json"]:
            payload = [summary.as_dict() for summary in summaries]
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
        else:
            seen_notes: set[str] = set()
            for summary in summaries:
                self.write_summary(summary, seen_notes)

    def ordered_files(self, paths: list[str]) -> list[tuple[Path, bytes, str]]:
        files: list[tuple[Path, bytes, str]] = []
        for path in expand_paths(paths):
            data = read_limited(path)
            try:
                kind = detect_format(data)
            except ImportRejected:
                # Reported with the full message when the file is parsed.
                kind = "unknown"
            files.append((path, data, kind))
        return sorted(files, key=lambda item: (FORMAT_ORDER.get(item[2], 9), item[0]))

    def import_all(
        self,
        files: list[tuple[Path, bytes, str]],
        school: Any,
        options: dict[str, Any],
        console: Console,
    ) -> list[ImportSummary]:
        summaries: list[ImportSummary] = []
        contexts: dict[int, ImportContext] = {}
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
        )
        with (
            Progress(*columns, console=console, transient=True) as progress,
            transaction.atomic(),
        ):
            for path, data, _kind in files:
                task = progress.add_task(path.name, total=None)

                def advance(done: int, total: int, task_id: Any = task) -> None:
                    progress.update(task_id, completed=done, total=total)

                try:
                    summary = import_file(
                        path.name,
                        data,
                        school=school,
                        imported_by=options["user"],
                        progress=advance,
                        contexts=contexts,
                    )
                except ImportRejected as rejection:
                    raise RejectedRun(rejection) from None
                summaries.append(summary)
                progress.remove_task(task)

            # Inside the transaction: a dry run rolls its events back as well.
            record_cli_imports(
                [s.batch_id for s in summaries if not s.already_imported],
                options["user"],
            )

            # A dry run writes like the real one, so that later files see the
            # schools and pupils of earlier ones, and then undoes everything.
            if options["dry_run"]:
                transaction.set_rollback(True)
                for summary in summaries:
                    summary.dry_run = True
                    summary.batch_id = None
        return summaries

    def write_summary(self, summary: ImportSummary, seen_notes: set[str]) -> None:
        heading = (
            f"{summary.file_name} ({format_label(summary.format)}) → {summary.school}"
        )
        self.stdout.write(self.style.MIGRATE_HEADING(heading))
        if summary.already_imported:
            self.stdout.write(
                "  Dit bestand is al eerder geïmporteerd; er is niets veranderd."
            )
            return

        if summary.dry_run:
            self.stdout.write("  Proefimport: er is niets opgeslagen.")
        counts = [
            count_text(name, count)
            for name, count in sorted(summary.counts.items())
            if count
        ]
        self.stdout.write("  " + (", ".join(counts) or "niets nieuws"))
        for note in summary.notes:
            # A folder of dossiers gives the same note per file, with other
            # numbers: it is shown once per run (--json has every one).
            shape = re.sub(r"\d+", "#", note)
            if shape in seen_notes:
                continue
            seen_notes.add(shape)
            self.stdout.write(f"  Let op: {note}")
        if summary.skipped:
            self.stdout.write(f"  Overgeslagen: {len(summary.skipped)}")
            for skipped in summary.skipped[:MAX_SKIPPED_SHOWN]:
                self.stdout.write(f"    - {skipped['where']}: {skipped['reason']}")
            hidden = len(summary.skipped) - MAX_SKIPPED_SHOWN
            if hidden > 0:
                self.stdout.write(f"    ... en nog {hidden} (zie --json)")


# (one, several): Dutch nouns and adjectives change with the number.
COUNT_LABELS = {
    "schools_created": ("nieuwe school", "nieuwe scholen"),
    "groups_created": ("nieuwe groep", "nieuwe groepen"),
    "pupils_created": ("nieuwe leerling", "nieuwe leerlingen"),
    "pupils_updated": ("bijgewerkte leerling", "bijgewerkte leerlingen"),
    "enrolments_created": (
        "nieuwe plaatsing in een groep",
        "nieuwe plaatsingen in een groep",
    ),
    "pupils_moved": (
        "leerling naar een andere groep",
        "leerlingen naar een andere groep",
    ),
    "enrolments_updated": ("gewijzigde plaatsing", "gewijzigde plaatsingen"),
    "teachers_created": ("nieuwe leerkracht", "nieuwe leerkrachten"),
    "instruments_created": ("nieuwe toets", "nieuwe toetsen"),
    "results_created": ("nieuw resultaat", "nieuwe resultaten"),
    "results_updated": ("gewijzigd resultaat", "gewijzigde resultaten"),
    "results_unchanged": ("resultaat al aanwezig", "resultaten al aanwezig"),
    "transition_results_created": (
        "nieuw doorstroomtoetsresultaat",
        "nieuwe doorstroomtoetsresultaten",
    ),
    "transition_results_updated": (
        "gewijzigd doorstroomtoetsresultaat",
        "gewijzigde doorstroomtoetsresultaten",
    ),
    "transition_results_unchanged": (
        "doorstroomtoetsresultaat al aanwezig",
        "doorstroomtoetsresultaten al aanwezig",
    ),
}


def count_text(name: str, count: int) -> str:
    one, several = COUNT_LABELS.get(name, (name, name))
    return f"{count} {one if count == 1 else several}"


def expand_paths(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and not is_ignored(p))
            )
        elif path.is_file():
            found.append(path)
        else:
            raise usage_error(f"{name}: bestand of map bestaat niet")
    if not found:
        raise usage_error("geen bestanden gevonden om te importeren")
    return found


def is_ignored(path: Path) -> bool:
    """Hidden files and read-me texts that sit beside exports in a folder."""
    name = path.name.lower()
    return name.startswith((".", "readme", "leesmij"))


def read_limited(path: Path) -> bytes:
    limit = settings.KOERS_MAX_IMPORT_BYTES
    if path.stat().st_size > limit:
        raise CommandError(
            f"{path.name}: het bestand is groter dan {limit // 1024**2} MB",
            returncode=EXIT_REJECTED,
        )
    return path.read_bytes()
