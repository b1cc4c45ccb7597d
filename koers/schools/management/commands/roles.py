"""`koers roles`: the authorisation matrix (the SOLL matrix of Normenkader IBP
ID.01) as a Markdown document, for the school's privacy officer.

docs/authorisation-matrix.md is this command's output; a test fails when the
two differ, so the document always says what the code enforces.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from koers.commands import KoersCommand
from koers.schools.roles import TEACHER_YEARS_BACK, matrix_table


def markdown_row(cells: list[str]) -> str:
    escaped = (cell.replace("|", "\\|") for cell in cells)
    return "| " + " | ".join(escaped) + " |"


def markdown_table(rows: list[list[str]]) -> list[str]:
    header, *body = rows
    return [
        markdown_row(header),
        markdown_row(["---"] * len(header)),
        *(markdown_row(row) for row in body),
    ]


def document() -> str:
    lines = [
        "# " + _("Autorisatiematrix van Koers"),
        "",
        _(
            "Gemaakt met `koers roles > docs/authorisation-matrix.md`; pas dit "
            "bestand niet met de hand aan. Een test faalt zodra het niet meer "
            "gelijk is aan die uitvoer."
        ),
        "",
        _(
            "Dit is de SOLL-matrix (Normenkader IBP, ID.01): per rol wat die mag. "
            "Elke pagina van Koers vraagt één van deze rechten; wie het recht "
            "niet heeft, of een school, groep of leerling buiten zijn bereik "
            "opvraagt, krijgt *pagina niet gevonden*."
        ),
        "",
        *markdown_table(matrix_table()),
        "",
        _(
            "*eigen groepen*: de groepen van de leerkracht in het "
            "leerlingadministratiesysteem, dit schooljaar en %(years)d "
            "schooljaar ervoor, met hun leerlingen. *ja*: de hele school waar de "
            "rol voor geldt; voor het bestuur de cijfers van zijn scholen, zonder "
            "leerlingen."
        )
        % {"years": TEACHER_YEARS_BACK},
    ]
    return "\n".join(lines)


class Command(KoersCommand):
    cli_name = "roles"
    help = (
        "De autorisatiematrix: welke rol wat mag, als Markdown "
        "(docs/authorisation-matrix.md)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(document())
