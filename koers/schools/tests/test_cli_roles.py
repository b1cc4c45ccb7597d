"""`koers roles`: the SOLL matrix as a document, and the committed copy of it
(security.md AUTHZ-3)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from koers.tests.helpers import run_koers

DOCUMENT = Path(__file__).resolve().parents[3] / "docs" / "authorisation-matrix.md"


def roles_output() -> str:
    out = io.StringIO()
    call_command("roles", stdout=out)
    return out.getvalue()


def table_rows(text: str) -> dict[str, list[str]]:
    rows = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in text.splitlines()
        if line.startswith("| ")
    ]
    return {row[0]: row[1:] for row in rows}


def test_the_committed_document_is_the_commands_output() -> None:
    # On failure: koers roles > docs/authorisation-matrix.md
    assert DOCUMENT.read_text(encoding="utf-8") == roles_output()


def test_it_prints_a_column_per_role_and_a_row_per_permission() -> None:
    rows = table_rows(roles_output())

    assert rows["Mag"] == [
        "leerkracht",
        "intern begeleider of kwaliteitscoördinator",
        "directie",
        "applicatiebeheerder",
        "privacyfunctionaris",
        "bestuur",
    ]
    # The header, the separator and twelve permissions.
    assert len(rows) == 14
    assert rows["leerlingoverzichten, rapporten en exports"] == [
        "eigen groepen",
        "ja",
        "ja",
        "\N{EN DASH}",
        "\N{EN DASH}",
        "\N{EN DASH}",
    ]
    # The onderwijsplan holds no pupil data: a teacher reads the whole school's.
    assert rows["het onderwijsplan lezen"][0] == "ja"
    assert rows["cijfers per school van het bestuur, zonder leerlingen"] == [
        "\N{EN DASH}"
    ] * 5 + ["ja"]


@pytest.mark.django_db
def test_it_runs_as_koers_roles(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_koers("roles") == 0

    assert capsys.readouterr().out == roles_output()
