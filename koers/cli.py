"""The `koers` console command: Koers's own commands on top of Django's.

`koers import ...` maps to the `import_files` management command (`import` is a
Python keyword); every other Koers command has its own name. `koers manage ...`
reaches all of Django's commands. Migrations run by themselves on first use.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn, TextIO

KOERS_COMMANDS = {
    "import": ("import_files", "bestanden importeren (EDEXML, OSO, ESIS, ...)"),
    "school": ("school", "scholen toevoegen en de schoolweging vastleggen"),
    "overview": ("overview", "school-, groeps- of leerlingoverzicht"),
    "outcomes": ("outcomes", "eindresultaten zoals de Inspectie ze beoordeelt"),
    "stats": ("stats", "aantallen in de database"),
    "ambitions": ("ambitions", "ambities en signaleringsregels laden"),
    "norms": ("norms", "een normtabel laden"),
    "demo": ("demo", "de demoschool maken, importeren en tonen"),
    "serve": ("serve", "de webapplicatie starten"),
    "user": ("user", "een account voor de webapplicatie maken"),
    "roles": ("roles", "de autorisatiematrix: welke rol wat mag"),
    "purge": ("purge", "leerlingen na de bewaartermijn verwijderen"),
    "inventory": ("inventory", "de gegevensinventaris (bijlage privacybijsluiter)"),
}

USAGE = """\
Gebruik: koers COMMANDO [opties]

Commando's:
{commands}
  manage     alle Django-beheercommando's (koers manage help)

Meer over een commando: koers COMMANDO --help
"""


def main(argv: list[str] | None = None) -> None:
    arguments = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "koers.settings")

    if not arguments or arguments[0] in {"-h", "--help", "help"}:
        print_usage()
        sys.exit(0 if arguments else 2)

    command, *rest = arguments
    if command == "manage":
        run_django(rest)
        return
    if command not in KOERS_COMMANDS:
        sys.stderr.write(f"koers: onbekend commando '{command}'\n\n")
        print_usage(stream=sys.stderr)
        sys.exit(2)

    try:
        run_django([KOERS_COMMANDS[command][0], *rest])
    except BrokenPipeError:
        # `koers overview ... | head` closes the pipe early; that is not an error.
        sys.stderr.close()
        sys.exit(0)


def print_usage(stream: TextIO | None = None) -> None:
    lines = "\n".join(
        f"  {name:<10} {description}"
        for name, (_, description) in KOERS_COMMANDS.items()
    )
    (stream or sys.stdout).write(USAGE.format(commands=lines))


def run_django(arguments: list[str]) -> None:
    import django
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError

    try:
        django.setup()
        if arguments and arguments[0] not in {"help", "--help", "-h", "migrate"}:
            ensure_migrated()
    except DatabaseError as error:
        fail(f"de database is niet bereikbaar ({error}); kijk KOERS_DATABASE_URL na")
    except Exception as error:
        # Reading the settings fails on a bad environment variable (a malformed
        # KOERS_DATABASE_URL, an unreadable secret file, a wrong log level): say
        # which, in one line, instead of a traceback.
        fail(f"de instellingen kloppen niet: {error}")
    execute_from_command_line(["koers", *arguments])


def fail(message: str) -> NoReturn:
    sys.stderr.write(f"koers: {message}\n")
    sys.exit(2)


def ensure_migrated() -> None:
    """Bring the database up to date, so a first `koers import` just works."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        call_command("migrate", interactive=False, verbosity=0)


if __name__ == "__main__":
    main()
