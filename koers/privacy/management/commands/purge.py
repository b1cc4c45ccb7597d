"""`koers purge`: remove pupils who left longer ago than the retention period.

Meant to run every night (see the README). `--dry-run` shows per school how many
pupils are due and what would go, under pseudonyms; `--replay` applies the
ledger file again after a back-up of the database has been restored.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser

from koers.commands import EXIT_REJECTED, KoersCommand, get_school, usage_error
from koers.privacy.ledger import ledger_path
from koers.privacy.log_retention import count_expired, cutoffs, prune_logs
from koers.privacy.pseudonyms import pupil_pseudonym
from koers.privacy.purge import (
    PurgeRun,
    count_labels,
    due_for_purge,
    preview_counts,
    purge_expired,
    replay,
    retention_cutoff,
)
from koers.privacy.relations import UnhandledRelation
from koers.schools.models import School

logger = logging.getLogger(__name__)


class Command(KoersCommand):
    cli_name = "purge"
    help = (
        "Leerlingen verwijderen die langer dan de bewaartermijn "
        "(KOERS_RETENTION_YEARS, standaard 2 jaar) van school zijn, met hun "
        "resultaten, inschrijvingen en besluiten; het logboek houdt alleen een "
        "pseudoniem. Elke verwijdering komt in het verwijderregister."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="alleen tonen wat verwijderd zou worden; er verandert niets",
        )
        parser.add_argument(
            "--school",
            metavar="BRIN",
            help="alleen deze school (BRIN of BRIN+vestiging)",
        )
        parser.add_argument(
            "--replay",
            action="store_true",
            help="na het terugzetten van een back-up: elke leerling uit het "
            "verwijderregister die weer bestaat opnieuw verwijderen",
        )
        parser.add_argument(
            "--ledger",
            metavar="BESTAND",
            help="het verwijderregister (standaard KOERS_PURGE_LEDGER)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["replay"] and (options["dry_run"] or options["school"]):
            raise usage_error("--replay geldt voor alle scholen en is nooit een proef.")
        schools = [get_school(options["school"])] if options["school"] else None

        try:
            if options["replay"]:
                path = Path(options["ledger"]) if options["ledger"] else ledger_path()
                if not path.is_file():
                    # Nothing to replay is not a success: the file may be at
                    # another place after a restore, and then nothing was purged.
                    raise CommandError(
                        f"Geen verwijderregister gevonden op {path}; er is niets "
                        "opnieuw verwijderd. Geef het bestand met --ledger.",
                        returncode=EXIT_REJECTED,
                    )
                self.report(replay(path), "opnieuw verwijderd")
            elif options["dry_run"]:
                self.dry_run(schools)
                if schools is None:
                    self.logs(count_expired(), "zou verwijderen")
            else:
                run = purge_expired(schools)
                # The logs go before a failed pupil stops the command: their
                # time is up whatever happened to the pupils.
                if schools is None:
                    self.logs(prune_logs(), "verwijderd")
                self.report(run, "verwijderd")
        except UnhandledRelation as error:
            raise CommandError(
                f"Koers weet niet wat een verwijdering moet doen met {error}; er "
                "is niets verwijderd.",
                returncode=EXIT_REJECTED,
            ) from error

    def dry_run(self, schools: list[School] | None) -> None:
        pupils = due_for_purge(schools).select_related("school")
        by_school: dict[School, list[str]] = defaultdict(list)
        for pupil in pupils:
            counts = ", ".join(
                f"{label}: {count}"
                for label, count in count_labels(preview_counts(pupil))
                if count
            )
            line = f"  {pupil_pseudonym(pupil.pk)}  {counts or 'geen gegevens'}"
            by_school[pupil.school].append(line)

        cutoff = retention_cutoff()
        self.stdout.write(
            f"Proef: leerlingen die vóór {cutoff:%d-%m-%Y} van school gingen "
            f"({settings.KOERS_RETENTION_YEARS} jaar). Er verandert niets."
        )
        if not by_school:
            self.stdout.write("Geen leerlingen om te verwijderen.")
        for school, lines in by_school.items():
            self.stdout.write(
                f"{school.brin}{school.branch_code} {school.name}: "
                f"{len(lines)} leerling(en)"
            )
            for line in lines:
                self.stdout.write(line)

    def logs(self, counts: dict[str, int], done: str) -> None:
        limits = cutoffs()
        self.stdout.write(
            f"Logboek en inlogregistraties van vóór {limits.logs:%d-%m-%Y} "
            f"({settings.KOERS_LOG_RETENTION_MONTHS} maanden), afgeronde "
            f"achtergrondtaken van vóór {limits.tasks:%d-%m-%Y}: "
            + (", ".join(f"{n} {label}" for label, n in counts.items() if n) or "geen")
            + f" {done}."
        )

    def report(self, run: PurgeRun, done: str) -> None:
        per_school: dict[int, int] = defaultdict(int)
        for result in run.purged:
            per_school[result.school_id] += 1
        codes = {
            school.pk: f"{school.brin}{school.branch_code} {school.name}"
            for school in School.objects.filter(pk__in=per_school)
        }
        for school_id, count in per_school.items():
            name = codes.get(school_id, str(school_id))
            self.stdout.write(f"{name}: {count} leerling(en) {done}")
        self.stdout.write(f"Totaal {done}: {len(run.purged)} leerling(en).")
        if run.failed:
            for key in run.failed:
                self.stderr.write(f"Niet gelukt, ongewijzigd gelaten: {key}")
            raise CommandError(
                f"{len(run.failed)} leerling(en) niet verwijderd; zie het logboek.",
                returncode=EXIT_REJECTED,
            )
