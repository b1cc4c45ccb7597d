"""`koers ambitions load BRIN FILE` with CSV and TOML files."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from koers.analysis.models import Ambition, FlagRuleSetting
from koers.analysis.services import rules_for
from koers.tests.helpers import dump_database, make_school, run_koers

pytestmark = pytest.mark.django_db

CSV = """subject;metric;population;target;school_year
rekenen;p80;school_3_8;20;
spelling;pct_1f;group;90,5;2024-2025
;end_pct_1f;school_3_8;95;
"""

TOML = """
[[ambition]]
subject = "begrijpend_lezen"
metric = "p20"
population = "school_6_8"
target = 75
rationale = "Sterke lezers uitdagen"

[flag_rules.sharp_drop]
enabled = true
min_drop = 25

[flag_rules.off_course]
enabled = false

[flag_rules.persistently_low]
threshold = 15
"""


def test_it_loads_ambitions_from_a_csv_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    school = make_school("11AA")
    path = tmp_path / "ambities.csv"
    path.write_text(CSV, encoding="utf-8")

    assert run_koers("ambitions", "load", "11AA", str(path)) == 0

    rows = {
        (a.subject, a.metric, a.population): (a.target, a.school_year_id is not None)
        for a in Ambition.objects.filter(school=school)
    }
    assert rows == {
        ("rekenen", "p80", "school_3_8"): (Decimal(20), False),
        ("spelling", "pct_1f", "group"): (Decimal("90.5"), True),
        # An end-of-school metric has no subject.
        ("", "end_pct_1f", "school_3_8"): (Decimal(95), False),
    }
    assert "3 ambities geladen" in capsys.readouterr().out
    # A CSV file holds no flag rules.
    assert FlagRuleSetting.objects.count() == 0


def test_it_loads_ambitions_and_flag_rules_from_toml(tmp_path: Path) -> None:
    school = make_school("11AA")
    old = tmp_path / "oud.csv"
    old.write_text(CSV, encoding="utf-8")
    run_koers("ambitions", "load", "11AA", str(old))
    path = tmp_path / "ambities.toml"
    path.write_text(TOML, encoding="utf-8")

    assert run_koers("ambitions", "load", "11AA", str(path)) == 0

    # The file replaces the three CSV ambitions.
    ambition = Ambition.objects.get(school=school)
    assert (ambition.subject, ambition.metric, ambition.target) == (
        "begrijpend_lezen",
        "p20",
        Decimal(75),
    )
    assert ambition.rationale == "Sterke lezers uitdagen"
    rules = {
        rule.rule: rule.parameters
        for rule in FlagRuleSetting.objects.filter(school=school)
    }
    assert rules == {
        "sharp_drop": {"enabled": True, "min_drop": 25},
        "off_course": {"enabled": False},
        "persistently_low": {"threshold": 15},
    }
    # A section without `enabled` keeps the rule's default: persistently_low is
    # on by default, sharp_drop off unless the school switches it on.
    enabled = {rule.name: rule.enabled for rule in rules_for(school)}
    assert enabled["persistently_low"] is True
    assert enabled["sharp_drop"] is True
    assert enabled["off_course"] is False
    assert enabled["persistent_decline"] is False


def test_it_rejects_an_unknown_metric_and_names_the_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_school("11AA")
    good = tmp_path / "goed.csv"
    good.write_text(CSV, encoding="utf-8")
    run_koers("ambitions", "load", "11AA", str(good))
    before = dump_database()
    bad = tmp_path / "fout.csv"
    bad.write_text(CSV + "rekenen;p50;school_3_8;40;\n", encoding="utf-8")

    assert run_koers("ambitions", "load", "11AA", str(bad)) == 1

    # Header on line 1, three ambitions on lines 2-4: the bad one is line 5.
    err = capsys.readouterr().err
    assert "rij 5" in err
    assert "p50" in err
    assert dump_database() == before


def test_it_rejects_a_p80_target_above_the_p20_target(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_school("11AA")
    before = dump_database()
    bad = tmp_path / "omgedraaid.csv"
    bad.write_text(
        "subject;metric;population;target\n"
        "spelling;p80;group;90\n"
        "spelling;p20;group;10\n",
        encoding="utf-8",
    )

    assert run_koers("ambitions", "load", "11AA", str(bad)) == 1

    err = capsys.readouterr().err
    assert "het doel voor p80 (90) is hoger dan het doel voor p20 (10)" in err
    assert dump_database() == before


def test_it_rejects_an_unknown_flag_rule_and_replaces_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_school("11AA")
    good = tmp_path / "goed.toml"
    good.write_text(TOML, encoding="utf-8")
    run_koers("ambitions", "load", "11AA", str(good))
    before = dump_database()
    bad = tmp_path / "fout.toml"
    bad.write_text(
        TOML + "\n[flag_rules.maanstand]\nenabled = true\n", encoding="utf-8"
    )

    assert run_koers("ambitions", "load", "11AA", str(bad)) == 1

    assert "maanstand" in capsys.readouterr().err
    assert dump_database() == before


def test_it_exits_2_for_a_missing_file_or_school(tmp_path: Path) -> None:
    make_school("11AA")
    path = tmp_path / "ambities.csv"
    path.write_text(CSV, encoding="utf-8")

    assert run_koers("ambitions", "load", "11AA", str(tmp_path / "weg.csv")) == 2
    assert run_koers("ambitions", "load", "22BB", str(path)) == 2
    assert Ambition.objects.count() == 0


def test_it_puts_the_rules_back_to_default_with_a_toml_without_rules(
    tmp_path: Path,
) -> None:
    school = make_school("11AA")
    first = tmp_path / "eerst.toml"
    first.write_text(TOML, encoding="utf-8")
    run_koers("ambitions", "load", "11AA", str(first))
    again = tmp_path / "opnieuw.toml"
    again.write_text(TOML.split("[flag_rules.sharp_drop]")[0], encoding="utf-8")

    assert run_koers("ambitions", "load", "11AA", str(again)) == 0

    assert not FlagRuleSetting.objects.filter(school=school).exists()
    enabled = {rule.name: rule.enabled for rule in rules_for(school)}
    assert enabled["sharp_drop"] is False


def test_it_keeps_the_ambitions_when_a_toml_only_sets_rules(tmp_path: Path) -> None:
    school = make_school("11AA")
    path = tmp_path / "ambities.csv"
    path.write_text(CSV, encoding="utf-8")
    run_koers("ambitions", "load", "11AA", str(path))
    rules = tmp_path / "regels.toml"
    rules.write_text("[flag_rules.sharp_drop]\nenabled = true\n", encoding="utf-8")

    assert run_koers("ambitions", "load", "11AA", str(rules)) == 0

    assert Ambition.objects.filter(school=school).count() == 3


def test_it_rejects_the_same_ambition_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_school("11AA")
    path = tmp_path / "dubbel.csv"
    path.write_text(
        "subject;metric;population;target\n"
        "rekenen;p80;school_3_8;20\n"
        "rekenen;p80;school_3_8;30\n",
        encoding="utf-8",
    )

    assert run_koers("ambitions", "load", "11AA", str(path)) == 1

    assert "rij 3: dezelfde ambitie als rij 2" in capsys.readouterr().err
