"""`koers norms load FILE`: a norm table in Koers's CSV format."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from koers.commands import EXIT_REJECTED, KoersCommand, usage_error
from koers.lib.analysis.norms import NormTableError
from koers.results.norms import load_norm_table


class Command(KoersCommand):
    cli_name = "norms"
    help = (
        "Laadt een normtabel (landelijk gemiddelde en standaardafwijking per toets "
        "en moment) en berekent de index van alle resultaten opnieuw."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        load = actions.add_parser("load", help="een normtabel laden")
        load.add_argument("file", metavar="BESTAND")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise usage_error(f"{path}: bestand bestaat niet")

        try:
            loaded = load_norm_table(path.read_bytes())
        except NormTableError as error:
            raise CommandError(
                f"Afgewezen, er is niets opgeslagen. {path.name}: {error}",
                returncode=EXIT_REJECTED,
            ) from None

        self.stdout.write(
            f"{loaded.rows} normregels geladen; {loaded.reindexed} indexen bijgewerkt."
        )
        for replaced in loaded.replaced:
            self.stdout.write(f"Let op: {replaced}")
