"""`koers.results.matching`: ECK-iD first, then the LAS key, then a name plus birth
date only when exactly one pupil has them."""

from __future__ import annotations

import datetime as dt

import pytest

from koers.lib.records import PupilRecord, PupilRef
from koers.results.matching import PupilIndex, apply_pupil_record
from koers.results.models import TestResult as Result
from koers.results.services import import_file
from koers.schools.models import Pupil
from koers.tests.helpers import OSO, make_school, sample_bytes

pytestmark = pytest.mark.django_db

BIRTH = dt.date(2014, 5, 6)


def test_it_matches_on_eck_id_before_the_key() -> None:
    school = make_school()
    by_eck = Pupil.objects.create(school=school, eck_id="E-1", key="K-1")
    by_key = Pupil.objects.create(school=school, key="K-2")
    index = PupilIndex.load(school)

    # The ECK-iD points at one pupil and the key at another: the ECK-iD wins.
    assert index.find(PupilRef(eck_id="E-1", key="K-2")) == by_eck
    assert index.find(PupilRef(key="K-2")) == by_key
    # An unknown ECK-iD falls through to the key.
    assert index.find(PupilRef(eck_id="E-9", key="K-2")) == by_key


def test_it_matches_a_unique_name_and_birth_date() -> None:
    school = make_school()
    celik = Pupil.objects.create(
        school=school, key="1", surname="Çelik", birth_date=BIRTH
    )
    index = PupilIndex.load(school)

    # Accents and case do not matter.
    assert index.find(PupilRef(surname="celik", birth_date=BIRTH)) == celik
    # Another birth date, or a name alone, never matches.
    assert index.find(PupilRef(surname="Çelik", birth_date=dt.date(2014, 5, 7))) is None
    assert index.find(PupilRef(surname="Çelik")) is None


def test_it_refuses_an_ambiguous_name_and_birth_date_match() -> None:
    school = make_school()
    Pupil.objects.create(school=school, key="1", surname="Jansen", birth_date=BIRTH)
    Pupil.objects.create(school=school, key="2", surname="Jansen", birth_date=BIRTH)
    index = PupilIndex.load(school)

    assert index.find(PupilRef(surname="Jansen", birth_date=BIRTH)) is None


def test_it_treats_an_unknown_identifier_as_a_new_pupil_even_with_a_known_name() -> (
    None
):
    school = make_school()
    Pupil.objects.create(school=school, key="1", surname="Jansen", birth_date=BIRTH)
    index = PupilIndex.load(school)

    assert index.find(PupilRef(key="99", surname="Jansen", birth_date=BIRTH)) is None


def test_it_only_looks_within_one_school() -> None:
    school = make_school("11AA")
    other = make_school("22BB", "Andere school")
    Pupil.objects.create(school=other, eck_id="E-1", key="K-1")

    assert PupilIndex.load(school).find(PupilRef(eck_id="E-1")) is None


def test_it_never_erases_known_values_with_empty_ones() -> None:
    school = make_school()
    pupil = Pupil.objects.create(
        school=school, key="1", surname="Jansen", birth_date=BIRTH
    )

    changed = apply_pupil_record(
        pupil, PupilRecord(ref=PupilRef(key="1"), surname="", preferred_name="Sem")
    )

    assert changed
    assert (pupil.surname, pupil.birth_date, pupil.preferred_name) == (
        "Jansen",
        BIRTH,
        "Sem",
    )
    assert not apply_pupil_record(pupil, PupilRecord(ref=PupilRef(key="1")))


def test_it_attaches_results_by_key_during_an_import() -> None:
    school = make_school()
    known = Pupil.objects.create(school=school, key="501", surname="Jansen")
    table = (
        b"Leerlingnummer;Toets;Afnamedatum;Ruwe score;Percentiel\n"
        b"501;Rekenen-Wiskunde;20-01-2025;30;40\n"
        b"502;Rekenen-Wiskunde;20-01-2025;35;60\n"
    )

    summary = import_file("resultaten.csv", table)

    # 501 is known; 502 is a new pupil with only a key.
    assert summary.counts["pupils_created"] == 1
    assert Result.objects.get(percentile=40).pupil == known
    assert Pupil.objects.get(key="502").school == school


def test_it_attaches_oso_results_by_a_unique_name_and_birth_date() -> None:
    school = make_school()
    noor = Pupil.objects.create(
        school=school, key="77", surname="Voorbeeld", birth_date=dt.date(2003, 3, 17)
    )

    summary = import_file(OSO, sample_bytes(OSO), school=school)

    # The OSO pupil carries no key or ECK-iD, only surname Voorbeeld and birth date
    # 2003-03-17, which match the one known pupil.
    assert summary.counts["pupils_created"] == 0
    assert Pupil.objects.count() == 1
    assert Result.objects.filter(pupil=noor).count() == 5


def test_it_creates_a_new_pupil_when_the_name_and_birth_date_are_ambiguous() -> None:
    school = make_school()
    for key in ("77", "78"):
        Pupil.objects.create(
            school=school, key=key, surname="Voorbeeld", birth_date=dt.date(2003, 3, 17)
        )

    summary = import_file(OSO, sample_bytes(OSO), school=school)

    # Two candidates: neither is chosen, so the dossier's pupil is a new one.
    assert summary.counts["pupils_created"] == 1
    assert Result.objects.filter(pupil__key__in=["77", "78"]).count() == 0
