"""`koers outcomes BRIN --format json`, end to end from doorstroomtoets files.

The main test rebuilds school 00AV of the Inspectie open data
(shared/domain/norms/inspectie_worked_examples.csv): schoolweging 30.61, cohorts of
8, 5 and 10 pupils, 1F 100 / 100 / 90 %, 1S/2F 41.67 / 40 / 33.33 %.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from koers.tests.helpers import run_koers

pytestmark = pytest.mark.django_db

# (lezen, taalverzorging, rekenen) per pupil. The 1S/2F target is 2F for lezen and
# taalverzorging and 1S for rekenen.
ON_TARGET = ("2F", "2F", "1S")  # 3 hits 1F, 3 hits 1S/2F
MATH_ONLY = ("1F", "1F", "1S")  # 3 hits 1F, 1 hit 1S/2F
AT_1F = ("1F", "1F", "1F")  # 3 hits 1F, 0 hits 1S/2F
READING_LOW = ("<1F", "1F", "1F")  # 2 hits 1F, 0 hits 1S/2F

COHORTS = {
    # 2022-2023, 8 pupils: 1F 24/24; 1S/2F 3 x 3 + 1 = 10 of 24 → 41.67 %.
    2022: [ON_TARGET] * 3 + [MATH_ONLY] + [AT_1F] * 4,
    # 2023-2024, 5 pupils: 1F 15/15; 1S/2F 2 x 3 = 6 of 15 → 40 %.
    2023: [ON_TARGET] * 2 + [AT_1F] * 3,
    # 2024-2025, 10 pupils: 1F 30 - 3 = 27 of 30 → 90 %; 1S/2F 3 x 3 + 1 = 10 of
    # 30 → 33.33 %.
    2024: [ON_TARGET] * 3 + [MATH_ONLY] + [READING_LOW] * 3 + [AT_1F] * 3,
}


def message(eck_id: str, year: int, levels: tuple[str, str, str]) -> dict[str, Any]:
    reading, language, math = levels
    return {
        "schooljaar": f"{year}-{year + 1}",
        "resultatenscores": {
            "deelnemerref": [{"label": "ECK-iD", "onderwijsdeelnemerID": eck_id}],
            "toetsdefinitie": "ROUTE_8",
            "afnamecontext": {
                "afname": {"afnametijdstip": f"{year + 1}-04-15T09:00:00Z"}
            },
            "resultaten": {
                "resultaten": [
                    {
                        "label": "Referentieniveau",
                        "toetseenheid": "LEZEN",
                        "waarde": reading,
                    },
                    {
                        "label": "Referentieniveau",
                        "toetseenheid": "TAALVERZORGING",
                        "waarde": language,
                    },
                    {
                        "label": "Referentieniveau",
                        "toetseenheid": "REKENEN",
                        "waarde": math,
                    },
                ]
            },
        },
    }


def write_cohorts(folder: Path) -> list[str]:
    paths = []
    for year, pupils in COHORTS.items():
        messages = [
            message(f"eck-{year}-{number}", year, levels)
            for number, levels in enumerate(pupils, start=1)
        ]
        path = folder / f"doorstroomtoets_{year}.json"
        path.write_text(json.dumps(messages), encoding="utf-8")
        paths.append(str(path))
    return paths


def outcomes(brin: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("outcomes", brin, format="json", stdout=out)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def set_up_school(brin: str, weighting: str, folder: Path) -> None:
    assert run_koers("school", "add", brin, "--name", "School " + brin) == 0
    for year in COHORTS:
        code = run_koers(
            "school", "set-weighting", brin, f"{year}-{year + 1}", weighting
        )
        assert code == 0
    assert run_koers("import", "--school", brin, *write_cohorts(folder)) == 0


def test_it_reproduces_the_inspectie_worked_example_00av(tmp_path: Path) -> None:
    set_up_school("00AV", "30.61", tmp_path)

    assert outcomes("00AV") == {
        "years": [
            {
                "school_year": "2022-2023",
                "pupils": 8,
                "pct_1f": 100.0,
                "pct_1s2f": 41.67,
            },
            {
                "school_year": "2023-2024",
                "pupils": 5,
                "pct_1f": 100.0,
                "pct_1s2f": 40.0,
            },
            {
                "school_year": "2024-2025",
                "pupils": 10,
                "pct_1f": 90.0,
                "pct_1s2f": 33.33,
            },
        ],
        # 23 pupils; 1F (24 + 15 + 27) / 69 = 95.65 %; 1S/2F (10 + 6 + 10) / 69 =
        # 37.68 %.
        "three_year": {"pupils": 23, "pct_1f": 95.65, "pct_1s2f": 37.68},
        # Mean of three times 30.61; band [30,31) has the observed value 45.5.
        "school_weighting": 30.61,
        "signal_value_1f": 85.0,
        "signal_value_1s2f": 45.5,
        "signal_value_1s2f_source": "shipped_table",
        "signal_value_1s2f_status": "observed",
        # 95.65 > 85: above; 37.68 < 45.5: below (the open data say boven/onder).
        "verdict_1f": "above",
        "verdict_1s2f": "below",
        "equal_1f": False,
        "equal_1s2f": False,
        "reason": "",
        "ambitions": {},
    }


def test_it_prints_the_outcomes_as_a_dutch_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    set_up_school("00AV", "30.61", tmp_path)
    capsys.readouterr()

    assert run_koers("outcomes", "00AV") == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Eindresultaten School 00AV (00AV00)"
    assert lines[2].split() == ["2022-2023", "8", "100,00", "41,67"]
    assert lines[5].split() == ["drie", "jaar", "23", "95,65", "37,68"]
    assert lines[7].split() == ["oordeel", "boven", "onder"]


def test_it_gives_no_1s2f_verdict_for_a_band_without_a_value(tmp_path: Path) -> None:
    # Band [33,34) has no shipped signal value.
    set_up_school("33AB", "33.2", tmp_path)

    payload = outcomes("33AB")

    assert payload["school_weighting"] == 33.2
    assert payload["signal_value_1s2f"] is None
    assert payload["verdict_1s2f"] is None
    assert payload["verdict_1f"] == "above"
    assert "[33,34)" in payload["reason"]


def test_it_judges_with_the_signal_value_the_school_entered(tmp_path: Path) -> None:
    set_up_school("33AB", "33.2", tmp_path)

    code = run_koers(
        "school",
        "set-weighting",
        "33AB",
        "2024-2025",
        "33.2",
        "--signal-value-1s2f",
        "40",
    )

    assert code == 0
    payload = outcomes("33AB")
    # 37.68 is below the entered 40.
    assert payload["signal_value_1s2f"] == 40.0
    assert payload["signal_value_1s2f_source"] == "school"
    assert payload["verdict_1s2f"] == "below"
    assert payload["reason"] == ""


def test_it_explains_that_there_are_no_results_yet() -> None:
    assert run_koers("school", "add", "44CD", "--name", "Leeg") == 0

    payload = outcomes("44CD")

    assert payload["years"] == []
    assert payload["three_year"] == {"pupils": 0, "pct_1f": None, "pct_1s2f": None}
    assert payload["verdict_1f"] is None
    assert payload["reason"]


def test_it_pools_only_the_last_three_school_years(tmp_path: Path) -> None:
    set_up_school("12AB", "30.61", tmp_path)
    # A cohort of 2014-2015 (all at 1F) lies eight years before the last one: the
    # Inspectie's three years are 2022-2023 to 2024-2025 only.
    old = [message(f"eck-2014-{n}", 2014, AT_1F) for n in range(1, 4)]
    path = tmp_path / "doorstroomtoets_2014.json"
    path.write_text(json.dumps(old), encoding="utf-8")
    assert run_koers("import", "--school", "12AB", str(path)) == 0

    result = outcomes("12AB")

    # Unchanged from the worked example: 23 pupils, 95.65 and 37.68.
    assert [year["school_year"] for year in result["years"]] == [
        "2022-2023",
        "2023-2024",
        "2024-2025",
    ]
    assert result["three_year"] == {"pupils": 23, "pct_1f": 95.65, "pct_1s2f": 37.68}
