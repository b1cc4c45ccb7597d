"""`koers serve`: the web application on this machine."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandParser

from koers.commands import KoersCommand

logger = logging.getLogger(__name__)

# The worker for imports from the browser: the same interpreter, the same
# settings (the environment is inherited), in its own process so that a long
# import never holds up a page.
WORKER = [sys.executable, "-m", "koers.cli", "manage", "db_worker"]


def stop(signum: int, frame: object) -> None:
    raise SystemExit(0)


class Command(KoersCommand):
    cli_name = "serve"
    help = (
        "Start de webapplicatie op deze computer (standaard http://127.0.0.1:8000), "
        "met de eenvoudige server van Django: voor één school op één computer. "
        "Start ook de achtergrondverwerking van imports uit de browser."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="geen achtergrondverwerking starten (die draait dan elders: "
            "koers manage db_worker)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        address = f"{options['host']}:{options['port']}"
        worker = None
        if not options["no_worker"]:
            worker = subprocess.Popen(WORKER)  # noqa: S603 - our own command
            logger.info("import worker started pid=%s", worker.pid)
        self.stdout.write(f"Koers draait op http://{address}/ (stoppen: Ctrl+C)")

        # A service manager stops Koers with SIGTERM, not Ctrl+C: leave the same
        # way, through the `finally` below, so that the worker stops with it.
        signal.signal(signal.SIGTERM, stop)
        try:
            call_command("runserver", address, use_reloader=False, skip_checks=False)
        finally:
            if worker is not None:
                worker.terminate()
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    # Not left running on its own: a file it was importing is
                    # rolled back with its transaction.
                    logger.warning("import worker killed pid=%s", worker.pid)
                    worker.kill()
                    worker.wait()
