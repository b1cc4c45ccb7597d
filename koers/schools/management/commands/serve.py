"""`koers serve`: the web application on this machine."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandParser

from koers.commands import KoersCommand


class Command(KoersCommand):
    cli_name = "serve"
    help = (
        "Start de webapplicatie op deze computer (standaard http://127.0.0.1:8000), "
        "met de eenvoudige server van Django: voor één school op één computer."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        address = f"{options['host']}:{options['port']}"
        self.stdout.write(f"Koers draait op http://{address}/ (stoppen: Ctrl+C)")
        call_command("runserver", address, use_reloader=False, skip_checks=False)
