"""`koers norms load FILE`."""

from __future__ import annotations

from pathlib import Path

import pytest

from koers.results.models import NormRow
from koers.results.models import TestResult as Result
from koers.results.services import import_file
from koers.tests.helpers import ESIS, dump_database, run_koers, sample_bytes

pytestmark = pytest.mark.django_db

HEADER = (
    "instrument;generation;norm_version;moment;population;national_mean;national_sd\n"
)


def test_it_loads_a_norm_table_and_reindexes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import_file(ESIS, sample_bytes(ESIS))
    path = tmp_path / "normen.csv"
    # Rekenen-Wiskunde 2.0 at M5: pupil 100234 scored 62, z = (62 - 52) / 10 = 1,
    # index Φ(1) x 100 = 84.13. A decimal comma is accepted.
    path.write_text(
        HEADER
        + "Rekenen-Wiskunde;2.0;proef;M5;pupils;52;10\n"
        + "Rekenen-Wiskunde;2.0;proef;M5;group_means;52;4,5\n",
        encoding="utf-8",
    )

    assert run_koers("norms", "load", str(path)) == 0

    assert "2 normregels geladen; 1 indexen bijgewerkt." in capsys.readouterr().out
    result = Result.objects.get(
        pupil__key="100234", instrument__name="Rekenen-Wiskunde"
    )
    assert result.index_source == "norm_table"
    assert round(result.index_value or 0, 2) == 84.13
    assert NormRow.objects.get(population="group_means").national_sd == 4.5


@pytest.mark.parametrize(
    "text",
    [
        "",
        "instrument;moment\nRekenen;M5\n",
        HEADER + "Rekenen-Wiskunde;2.0;proef;M5;pupils;52;0\n",
        HEADER + "Rekenen-Wiskunde;2.0;proef;X9;pupils;52;10\n",
        # One good row and one bad row: nothing at all is stored.
        HEADER
        + "Spelling;2.0;proef;M5;pupils;100;10\nSpelling;2.0;proef;E5;pupils;veel;10\n",
    ],
)
def test_it_rejects_a_bad_norm_table_and_stores_nothing(
    text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import_file(ESIS, sample_bytes(ESIS))
    before = dump_database()
    path = tmp_path / "normen.csv"
    path.write_text(text, encoding="utf-8")

    assert run_koers("norms", "load", str(path)) == 1

    assert "Afgewezen, er is niets opgeslagen" in capsys.readouterr().err
    assert dump_database() == before
    assert NormRow.objects.count() == 0


def test_it_exits_2_for_a_missing_file(tmp_path: Path) -> None:
    assert run_koers("norms", "load", str(tmp_path / "weg.csv")) == 2
