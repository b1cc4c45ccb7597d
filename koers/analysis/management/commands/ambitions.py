"""`koers ambitions load BRIN FILE`: a school's ambitions and flag rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from koers.analysis.services import replace_ambitions
from koers.commands import EXIT_REJECTED, KoersCommand, get_school, usage_error
from koers.lib.ambitions_file import AmbitionFileError, parse_ambition_file


class Command(KoersCommand):
    cli_name = "ambitions"
    help = (
        "Laadt de ambities van een school uit een CSV- of TOML-bestand; een "
        "TOML-bestand legt ook de signaleringsregels vast (zonder [flag_rules] "
        "gelden de standaardregels). Wat het bestand bevat, vervangt wat er stond."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        load = actions.add_parser("load", help="ambities uit een bestand laden")
        load.add_argument("brin", metavar="BRIN")
        load.add_argument("file", metavar="BESTAND")

    def handle(self, *args: Any, **options: Any) -> None:
        school = get_school(options["brin"])
        path = Path(options["file"])
        if not path.is_file():
            raise usage_error(f"{path}: bestand bestaat niet")

        try:
            loaded = parse_ambition_file(path.name, path.read_bytes())
            ambitions, rules = replace_ambitions(school, loaded)
        except (AmbitionFileError, UnicodeDecodeError, ValueError) as error:
            raise CommandError(
                f"Afgewezen, er is niets opgeslagen. {path.name}: {error}",
                returncode=EXIT_REJECTED,
            ) from None

        if ambitions:
            noun = "ambitie" if ambitions == 1 else "ambities"
            self.stdout.write(f"{ambitions} {noun} geladen voor {school}.")
        else:
            self.stdout.write(f"De ambities van {school} zijn niet veranderd.")
        if rules == 0:
            self.stdout.write("Signaleringsregels: de standaard van Koers.")
        elif rules is not None:
            noun = "regel" if rules == 1 else "regels"
            self.stdout.write(
                f"Signaleringsregels: {rules} {noun} afwijkend van de standaard."
            )
