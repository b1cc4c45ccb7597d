"""Input files for the importer tests, and the shared sample files beside the repo."""

from __future__ import annotations

import os
from pathlib import Path

FILES_DIR = Path(__file__).parent
# The team's reference folder `shared/` (sample files in the real formats, the
# Inspectie's worked examples) sits beside the repository, in development and in
# CI alike; KOERS_SHARED_DIR points elsewhere when a clone lives on its own.
SHARED_DIR = Path(
    os.environ.get("KOERS_SHARED_DIR") or Path(__file__).parents[4].parent / "shared"
)
SAMPLES_DIR = SHARED_DIR / "samples"
NORMS_DIR = SHARED_DIR / "domain" / "norms"


def sample(name: str) -> bytes:
    return (SAMPLES_DIR / name).read_bytes()


def own_file(name: str) -> bytes:
    return (FILES_DIR / name).read_bytes()
