"""`koers school add BRIN --name NAME` and `koers school set-weighting ...`"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import CommandParser

from koers.commands import KoersCommand, get_school, get_school_year, usage_error
from koers.schools.models import Board, School, SchoolWeighting, SchoolYear

BRIN_PATTERN = re.compile(r"^[0-9]{2}[A-Z]{2}([0-9]{2})?$")


class Command(KoersCommand):
    cli_name = "school"
    help = "Scholen toevoegen en hun schoolweging vastleggen."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)

        add = actions.add_parser("add", help="een school toevoegen")
        add.add_argument("brin", metavar="BRIN", help="bijvoorbeeld 99KW of 99KW00")
        add.add_argument("--name", required=True, metavar="NAAM")
        add.add_argument("--board", metavar="BESTUUR", help="naam van het bestuur")

        weighting = actions.add_parser(
            "set-weighting", help="de schoolweging van een schooljaar vastleggen"
        )
        weighting.add_argument("brin", metavar="BRIN")
        weighting.add_argument("year", metavar="SCHOOLJAAR", help="bijv. 2025-2026")
        weighting.add_argument("value", metavar="SCHOOLWEGING", help="20 tot 40")
        weighting.add_argument(
            "--signal-value-1s2f",
            metavar="PCT",
            help="de signaleringswaarde 1S/2F uit het Inspectie-overzicht van de "
            "school, voor categorieën waarvoor Koers er geen meelevert",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "add":
            self.add_school(options)
        else:
            self.set_weighting(options)

    def add_school(self, options: dict[str, Any]) -> None:
        code = options["brin"].strip().upper()
        if not BRIN_PATTERN.match(code):
            raise usage_error(
                f"'{code}' is geen BRIN: twee cijfers en twee hoofdletters, "
                "eventueel gevolgd door twee cijfers voor de vestiging."
            )

        name = options["name"].strip()
        if not name:
            raise usage_error("Geef de school een naam met --name.")
        existing = School.objects.filter(brin=code[:4], branch_code=code[4:] or "00")
        if existing.exists():
            raise usage_error(f"School {existing.get()} bestaat al.")

        board = None
        if options["board"]:
            board, _ = Board.objects.get_or_create(name=options["board"].strip())
        school = School.objects.create(
            brin=code[:4], branch_code=code[4:] or "00", name=name, board=board
        )
        self.stdout.write(f"School {school} toegevoegd.")

    def set_weighting(self, options: dict[str, Any]) -> None:
        school = get_school(options["brin"])
        start_year = get_school_year(options["year"])
        value = parse_number(options["value"], "schoolweging")
        if not Decimal(20) <= value <= Decimal(40):
            raise usage_error("De schoolweging ligt tussen 20 en 40.")
        signal = None
        if options["signal_value_1s2f"] is not None:
            signal = parse_number(options["signal_value_1s2f"], "signaleringswaarde")
            if not Decimal(0) <= signal <= Decimal(100):
                raise usage_error("De signaleringswaarde is een percentage, 0-100.")

        year, _ = SchoolYear.objects.get_or_create(start_year=start_year)

        SchoolWeighting.objects.update_or_create(
            school=school,
            school_year=year,
            defaults={"value": value, "signal_value_1s2f": signal},
        )
        shown = str(value).replace(".", ",")
        self.stdout.write(f"Schoolweging {year} van {school}: {shown}.")


def parse_number(text: str, what: str) -> Decimal:
    try:
        number = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise usage_error(f"'{text}' is geen getal ({what}).")
    return number
