"""What every Koers management command shares: its name on the command line,
exit codes, and looking up the school a user names."""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    handle_default_options,
)
from django.utils import translation

from koers.lib.values import ValueFormatError, parse_school_year
from koers.schools.models import School

EXIT_REJECTED = 1
EXIT_USAGE = 2


class KoersCommand(BaseCommand):
    #: The name after `koers` on the command line, shown in --help.
    cli_name = ""

    # Django's own options (--settings, --pythonpath, ...) mean nothing to a
    # school's user; they still work, but --help does not list them.
    suppressed_base_arguments = {  # noqa: RUF012
        "--version",
        "--verbosity",
        "--settings",
        "--pythonpath",
        "--traceback",
        "--no-color",
        "--force-color",
        "--skip-checks",
    }

    # Koers's commands run their own checks; no --skip-checks in their help.
    requires_system_checks: list[str] = []  # noqa: RUF012

    def create_parser(
        self, prog_name: str, subcommand: str, **kwargs: Any
    ) -> CommandParser:
        return super().create_parser("koers", self.cli_name or subcommand, **kwargs)

    def execute(self, *args: Any, **options: Any) -> str | None:
        # Messages that come from Django itself (password rules) in Dutch too.
        with translation.override(settings.LANGUAGE_CODE):
            return super().execute(*args, **options)

    def run_from_argv(self, argv: list[str]) -> None:
        """Django's, with the error in Dutch and without the exception's name."""
        self._called_from_command_line = True
        parser = self.create_parser(argv[0], argv[1])
        options = parser.parse_args(argv[2:])
        arguments = vars(options)
        positional = arguments.pop("args", ())
        handle_default_options(options)
        # Unlike Django's own, this does not close the connections afterwards:
        # the process ends right after, and tests run it inside a transaction.
        try:
            self.execute(*positional, **arguments)
        except CommandError as error:
            self.stderr.write(f"Fout: {error}")
            sys.exit(error.returncode)


def usage_error(message: str) -> CommandError:
    return CommandError(message, returncode=EXIT_USAGE)


def get_school(brin: str) -> School:
    """A school by BRIN, or BRIN plus vestiging (`99KW` or `99KW00`)."""
    code = brin.strip().upper()
    schools = School.objects.filter(brin=code[:4])
    if len(code) == 6:
        schools = schools.filter(branch_code=code[4:])
    found = list(schools[:2])
    if not found:
        raise usage_error(
            f"School {code} is niet bekend. Voeg haar toe met "
            f"'koers school add {code} --name NAAM'."
        )
    if len(found) > 1:
        raise usage_error(
            f"BRIN {code} heeft meer vestigingen; noem ook de "
            "vestiging, bijvoorbeeld 99KW00."
        )
    return found[0]


def get_school_year(text: str) -> int:
    try:
        year = parse_school_year(text)
    except ValueFormatError:
        year = None
    if year is None:
        raise usage_error(
            f"'{text}' is geen schooljaar; schrijf bijvoorbeeld 2025-2026."
        )
    return year
