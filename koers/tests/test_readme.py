"""Every `koers` command is documented in the README."""

from __future__ import annotations

import re
from pathlib import Path

from koers.cli import KOERS_COMMANDS

README = Path(__file__).resolve().parents[2] / "README.md"


def test_it_documents_every_koers_command_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")

    missing = [
        name
        for name in [*KOERS_COMMANDS, "manage"]
        if not re.search(rf"\bkoers {re.escape(name)}\b", text)
    ]
    assert missing == []
