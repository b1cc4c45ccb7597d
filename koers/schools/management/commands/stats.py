"""`koers stats --format json`: how much Koers holds."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandParser

from koers.commands import KoersCommand
from koers.results.models import TestResult, TransitionTestResult
from koers.schools.models import Board, Group, Pupil, School


class Command(KoersCommand):
    cli_name = "stats"
    help = "Aantallen besturen, scholen, groepen, leerlingen en resultaten."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = {
            "boards": Board.objects.count(),
            "schools": School.objects.count(),
            "groups": Group.objects.count(),
            "pupils": Pupil.objects.count(),
            "results": TestResult.objects.count(),
            "transition_results": TransitionTestResult.objects.count(),
        }
        if options["format"] == "json":
            self.stdout.write(json.dumps(counts))
            return
        for name, count in counts.items():
            self.stdout.write(f"{name:<20}{count:>10}")
