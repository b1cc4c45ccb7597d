"""The ledger file: one JSON line per purged pupil, outside the database.

A restored back-up of the database brings its own ledger table back as it was
on the day of the back-up, without the purges since. This file is written next
to the database but not inside it, only ever appended to, and is what
`koers purge --replay` reads to purge those pupils again.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LedgerLine:
    pupil_key: str
    school_id: int | None
    school_code: str
    purged_at: str
    reason: str
    counts: dict[str, int] = field(default_factory=dict)


def ledger_path() -> Path:
    return Path(settings.KOERS_PURGE_LEDGER)


def append(line: LedgerLine, path: Path | None = None) -> None:
    """Write one line and make sure it is on disk before the purge commits."""
    target = path or ledger_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(asdict(line), sort_keys=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def read(path: Path | None = None) -> list[LedgerLine]:
    """Every line of the ledger; a line that is not a purge (a half-written last
    line after a crash) is skipped with a warning, never guessed at."""
    source = path or ledger_path()
    if not source.exists():
        return []
    lines = []
    with source.open(encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            line = _parse(text)
            if line is None:
                logger.warning("ledger line skipped path=%s line=%d", source, number)
                continue
            lines.append(line)
    return lines


def _parse(text: str) -> LedgerLine | None:
    try:
        data: Any = json.loads(text)
        return LedgerLine(
            pupil_key=str(data["pupil_key"]),
            school_id=data.get("school_id"),
            school_code=str(data.get("school_code", "")),
            purged_at=str(data["purged_at"]),
            reason=str(data["reason"]),
            counts=dict(data.get("counts", {})),
        )
    except (ValueError, KeyError, TypeError):
        return None
