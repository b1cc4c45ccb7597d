"""Fixtures of the import pages: a school with a member, files built in the test,
uploads in a temporary folder and tasks that run at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from koers.schools.models import School
from koers.tests.accounts import make_user, sign_in
from koers.tests.helpers import make_school

IMMEDIATE = "django.tasks.backends.immediate.ImmediateBackend"

ROSTER = b"""<?xml version="1.0" encoding="UTF-8"?>
<EDEX>
  <school>
    <schooljaar>2024-2025</schooljaar>
    <brincode>11AA</brincode>
    <dependancecode>00</dependancecode>
  </school>
  <groepen>
    <groep key="G5"><naam>5C</naam><jaargroep>5</jaargroep></groep>
  </groepen>
  <leerlingen>
    <leerling key="9001">
      <achternaam>Appel</achternaam>
      <roepnaam>Anna</roepnaam>
      <geboortedatum>2015-02-03</geboortedatum>
      <jaargroep>5</jaargroep>
      <groep key="G5"/>
    </leerling>
    <leerling key="9002">
      <achternaam>Boom</achternaam>
      <roepnaam>Bram</roepnaam>
      <geboortedatum>2015-04-05</geboortedatum>
      <jaargroep>5</jaargroep>
      <groep key="G5"/>
    </leerling>
  </leerlingen>
</EDEX>
"""

HEADER = "Leerlingnummer;Toets;Afnamedatum;Ruwe score;Percentiel;Niveau I-V\n"


def results_csv(*rows: str) -> bytes:
    return (HEADER + "".join(f"{row}\n" for row in rows)).encode()


RESULTS = results_csv(
    "9001;Rekenen-Wiskunde;20-01-2025;30;40;III",
    "9002;Rekenen-Wiskunde;21-01-2025;35;60;II",
)


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture(autouse=True)
def immediate_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": IMMEDIATE}}


@pytest.fixture(autouse=True)
def upload_dir(settings: Any, tmp_path: Path) -> Path:
    folder = tmp_path / "uploads"
    settings.KOERS_UPLOAD_DIR = folder
    return folder


@pytest.fixture
def school(db: None) -> School:
    return make_school("11AA", "OBS De Proef")


@pytest.fixture
def other_school(db: None) -> School:
    return make_school("22BB", "Andermans school")


@pytest.fixture
def member(school: School) -> User:
    return make_user("ib-er", school)


@pytest.fixture
def staff(member: User) -> Client:
    return sign_in(member)
