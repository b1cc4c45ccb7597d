"""`koers demo`: the demo school, from files to the school overview.

The demo goes the way a school goes: it writes exports in the real exchange
formats, loads a norm table and ambitions, imports the files through the same
importers and opens the web application.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandParser

from koers.analysis.services import replace_ambitions
from koers.commands import KoersCommand, usage_error
from koers.cycle.demo import build_demo_cycle
from koers.lib.ambitions_file import parse_ambition_file
from koers.lib.demo import DemoSpec, generate_school
from koers.results.norms import load_norm_table
from koers.schools.models import (
    Board,
    Role,
    School,
    SchoolMembership,
    SchoolWeighting,
    SchoolYear,
)

# Invented, like everything in the demo: a school just above the national median
# of the schoolweging, so that its 1S/2F signal value (band [30,31)) is shipped.
DEMO_WEIGHTINGS = (Decimal("30.12"), Decimal("30.54"), Decimal("30.88"))

DEMO_AMBITIONS = """\
# Ambities van de demoschool (verzonnen). Index: landelijk percentiel, 50 = gemiddeld.
# p80: de index die 80% van de leerlingen haalt; p20: die de sterkste 20% haalt.
{ambitions}
[[ambition]]
metric = "end_pct_1f"
population = "school_3_8"
target = 95

[[ambition]]
metric = "end_pct_1s2f"
population = "school_3_8"
target = 55

# Signaleringsregels: zonder sectie gelden de standaarden van Koers. Zo zet een
# school een regel aan of anders af:
# [flag_rules.sharp_drop]
# enabled = true
# min_drop = 35
"""
SUBJECT_AMBITION = """\
[[ambition]]
subject = "{subject}"
metric = "{metric}"
population = "{population}"
target = {target}
"""
SUBJECT_TARGETS = (
    ("p80", "school_3_8", 20),
    ("p20", "school_3_8", 75),
    ("p80", "school_6_8", 20),
)
# Technisch lezen has no reference levels, so no % 1F or % 1S/2F targets.
LEVEL_TARGETS = (
    ("pct_1f", "school_3_8", 90),
    ("pct_1s2f", "school_3_8", 55),
)
LEVEL_SUBJECTS = ("rekenen", "begrijpend_lezen", "spelling")
SKIPPED_FORMATS = {"koers-normen-csv", "readme"}


def koers_command() -> str:
    """How the user starts `koers` here: the bare name when it is on the PATH,
    else the path they ran it by (`.venv/bin/koers` after scripts/demo)."""
    if shutil.which("koers") or not sys.argv or not sys.argv[0].endswith("koers"):
        return "koers"
    return os.path.relpath(sys.argv[0])


class Command(KoersCommand):
    cli_name = "demo"
    help = (
        "Maakt de demoschool als bestanden in de echte uitwisselformaten, "
        "importeert ze en start de webapplicatie op het schooloverzicht."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", help="map voor de demobestanden")
        parser.add_argument("--no-serve", action="store_true", help="niet starten")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--password", help="wachtwoord van het account demo")

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"] or secrets.token_urlsafe(12)
        try:
            validate_password(password)
        except ValidationError as error:
            raise usage_error(" ".join(error.messages)) from None
        spec = DemoSpec()
        folder = Path(
            options["dir"]
            or Path(settings.DATABASES["default"]["NAME"]).parent / "demo"
        )
        if folder.exists() and not folder.is_dir():
            raise usage_error(f"{folder} is een bestand, geen map.")
        manifest = generate_school(folder, spec)
        self.stdout.write(f"Demobestanden geschreven in {folder}")

        school = self.create_school(spec)
        for norms in manifest.files_of("koers-normen-csv"):
            loaded = load_norm_table(norms.path.read_bytes())
            self.stdout.write(
                f"Normtabel geladen: {loaded.rows} regels ({norms.path.name})"
            )

        exports = [
            str(f.path) for f in manifest.files if f.format not in SKIPPED_FORMATS
        ]
        call_command("import_files", *exports, school=school.brin, stdout=self.stdout)
        self.load_ambitions(school, folder)

        user = self.create_user(school, password)
        if build_demo_cycle(school, user):
            self.stdout.write(
                "Onderwijsplan (twee versies) en een afgeronde cyclus met twee "
                "schoolbesprekingen aangemaakt"
            )
        start = "" if not options["no_serve"] else f" na '{koers_command()} serve'"
        self.stdout.write(
            self.style.SUCCESS(
                f"\nDe demoschool staat klaar. Log in{start} als 'demo' met "
                f"wachtwoord '{password}' op http://127.0.0.1:{options['port']}"
                f"/school/{school.pk}/"
            )
        )
        if not options["no_serve"]:
            call_command("serve", port=options["port"])

    def create_school(self, spec: DemoSpec) -> School:
        board, _ = Board.objects.get_or_create(name=spec.board_name)
        school, _ = School.objects.update_or_create(
            brin=spec.brin,
            branch_code=spec.branch,
            defaults={"name": spec.school_name, "board": board},
        )
        for start_year, value in zip(spec.school_years, DEMO_WEIGHTINGS, strict=False):
            year, _ = SchoolYear.objects.get_or_create(start_year=start_year)
            SchoolWeighting.objects.update_or_create(
                school=school, school_year=year, defaults={"value": value}
            )
        return school

    def load_ambitions(self, school: School, folder: Path) -> None:
        subjects = ("rekenen", "begrijpend_lezen", "spelling", "technisch_lezen")
        targets = [
            (subject, target) for subject in subjects for target in SUBJECT_TARGETS
        ] + [
            (subject, target) for subject in LEVEL_SUBJECTS for target in LEVEL_TARGETS
        ]
        blocks = "\n".join(
            SUBJECT_AMBITION.format(
                subject=subject, metric=metric, population=population, target=value
            )
            for subject, (metric, population, value) in targets
        )
        path = folder / "ambities_demo.toml"
        path.write_text(DEMO_AMBITIONS.format(ambitions=blocks), encoding="utf-8")
        count, _ = replace_ambitions(
            school, parse_ambition_file(path.name, path.read_bytes())
        )
        self.stdout.write(f"Ambities geladen: {count} ({path.name})")

    def create_user(self, school: School, password: str) -> User:
        user, _ = User.objects.get_or_create(username="demo")
        user.set_password(password)
        user.save()
        # The demo account is an intern begeleider; a role added by hand
        # (`koers user add demo --role ...`) stays beside it.
        SchoolMembership.objects.get_or_create(
            user=user, school=school, role=Role.SUPPORT
        )
        return user
