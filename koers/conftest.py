"""Fixtures shared by the Django-layer tests.

The demo school is generated once per session (files only, a small `DemoSpec`);
`loaded_demo` imports it once per test module inside a transaction that is rolled
back when the module is done, so other modules start from an empty database.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from pytest_django import DjangoDbBlocker

from koers.lib.demo import FORMAT_NORMS, DemoManifest, DemoSpec, generate_school
from koers.results.norms import load_norm_table
from koers.schools.models import School

SMALL_DEMO = DemoSpec(pupils=80, years=2, brin="88KW", school_name="OBS Klein Demo")
SKIPPED_FORMATS = {FORMAT_NORMS, "readme"}


@dataclass(frozen=True)
class LoadedDemo:
    manifest: DemoManifest
    school: School


class ModuleRollback(Exception):
    """Ends the module-wide transaction of `loaded_demo`."""


@pytest.fixture(autouse=True)
def fast_password_hasher(settings: Any) -> None:
    """Logins in tests need no slow key derivation."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def demo_manifest(tmp_path_factory: pytest.TempPathFactory) -> DemoManifest:
    folder: Path = tmp_path_factory.mktemp("demo")
    return generate_school(folder, SMALL_DEMO)


def load_demo(manifest: DemoManifest) -> School:
    call_command(
        "school",
        "add",
        SMALL_DEMO.brin,
        name=SMALL_DEMO.school_name,
        stdout=io.StringIO(),
    )
    for norms in manifest.files_of(FORMAT_NORMS):
        load_norm_table(norms.path.read_bytes())
    exports = [str(f.path) for f in manifest.files if f.format not in SKIPPED_FORMATS]
    call_command("import_files", *exports, school=SMALL_DEMO.brin, stdout=io.StringIO())
    return School.objects.get(brin=SMALL_DEMO.brin)


@pytest.fixture(scope="module")
def loaded_demo(
    django_db_setup: None,
    django_db_blocker: DjangoDbBlocker,
    demo_manifest: DemoManifest,
) -> Iterator[LoadedDemo]:
    """The small demo school in the database for every test of one module. Tests
    using it must also use `db`; their own changes are rolled back per test."""
    with django_db_blocker.unblock():
        try:
            with transaction.atomic():
                school = load_demo(demo_manifest)
                yield LoadedDemo(demo_manifest, school)
                raise ModuleRollback
        except ModuleRollback:
            pass
