"""Input files for the importer tests, and the shared sample files beside the repo."""

from __future__ import annotations

from pathlib import Path

FILES_DIR = Path(__file__).parent
# CI checks the repository out next to a `shared/` folder, exactly like development.
SAMPLES_DIR = Path(__file__).parents[4].parent / "shared" / "samples"


def sample(name: str) -> bytes:
    return (SAMPLES_DIR / name).read_bytes()


def own_file(name: str) -> bytes:
    return (FILES_DIR / name).read_bytes()
