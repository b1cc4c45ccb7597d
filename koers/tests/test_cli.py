"""`koers.cli.main`: the console entry point around Django's commands."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from koers.cli import KOERS_COMMANDS
from koers.tests.helpers import run_koers


def test_it_lists_every_command_when_asked_for_help(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_koers("--help") == 0

    out = capsys.readouterr().out
    for name in KOERS_COMMANDS:
        assert f"  {name} " in out
    assert "manage" in out


def test_it_shows_the_usage_and_exits_2_without_a_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_koers() == 2

    assert "Gebruik: koers COMMANDO" in capsys.readouterr().out


def test_it_refuses_an_unknown_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_koers("bestaatniet") == 2

    assert "onbekend commando 'bestaatniet'" in capsys.readouterr().err


def test_it_maps_every_koers_command_to_a_django_command() -> None:
    from django.core.management import get_commands

    commands = get_commands()
    for name, (django_name, _) in KOERS_COMMANDS.items():
        assert django_name in commands, name
    assert KOERS_COMMANDS["import"][0] == "import_files"


@pytest.mark.django_db
def test_it_names_itself_koers_in_the_help_of_a_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_koers("stats", "--help") == 0

    assert capsys.readouterr().out.startswith("usage: koers stats")


def test_it_names_a_bad_setting_in_one_line(tmp_path: Path) -> None:
    # Settings are read once per process, so this runs koers in a fresh one.
    environment = {
        **os.environ,
        "KOERS_DATA_DIR": str(tmp_path),
        "KOERS_MAX_IMPORT_BYTES": "veel",
    }
    environment.pop("DJANGO_SETTINGS_MODULE", None)

    finished = subprocess.run(
        [sys.executable, "-c", "from koers.cli import main; main(['stats'])"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )

    assert finished.returncode == 2
    assert finished.stderr.startswith("koers: de instellingen kloppen niet:")
    assert "KOERS_MAX_IMPORT_BYTES" in finished.stderr
    assert "Traceback" not in finished.stderr
