"""The start page: what needs attention now, and filters that follow the user."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from koers.analysis.models import Ambition
from koers.imports.models import ImportJob, JobStatus
from koers.results.models import ImportBatch, Instrument
from koers.tests.helpers import add_result, make_school, member_of, small_school

pytestmark = pytest.mark.django_db


def start_url(school_id: int) -> str:
    return reverse("analysis:school-start", args=[school_id])


def test_the_start_page_needs_a_login_and_the_own_school() -> None:
    data = small_school()

    assert Client().get(start_url(data["school"].pk)).status_code == 302
    other = member_of(make_school("22BB", "Andere school"))
    assert other.get(start_url(data["school"].pk)).status_code == 404


def test_it_lists_the_group_that_misses_an_ambition_and_its_flagged_pupils() -> None:
    data = small_school()
    # Group 5A at M5: Anna 7 and Bram 60. The p80 of two pupils is the second
    # highest index, 7: against a target of 10 that is 3 points short.
    Ambition.objects.create(
        school=data["school"],
        subject="rekenen",
        metric="p80",
        population="school_3_8",
        target=Decimal(10),
    )
    ImportBatch.objects.create(
        school=data["school"],
        file_name="resultaten.csv",
        checksum="0" * 64,
        format="esis-results",
        imported_by="ib-er",
        counts={"results_created": 4},
    )
    client = member_of(data["school"])

    page = client.get(start_url(data["school"].pk)).content.decode()

    assert "Groep 5A" in page
    assert "p80 ✗ \N{MINUS SIGN}3" in page
    # Anna's indexes 5, 6 and 7 set off `persistently_low`.
    assert "1 leerling dit schooljaar." in page
    assert "resultaten.csv" in page


def test_without_results_it_says_where_to_begin() -> None:
    school = make_school("33CC", "Lege school")

    page = member_of(school).get(start_url(school.pk)).content.decode()

    assert "nog geen resultaten geïmporteerd" in page
    assert "Nog geen imports." in page


def test_a_chosen_moment_and_subject_follow_the_user_to_the_group() -> None:
    data = small_school()
    math = Instrument.objects.get(name="Rekenen-Wiskunde")
    # An E result too, so that without a choice the group would show E, the latest.
    add_result(data["bram"], math, data["year"], dt.date(2025, 6, 10), 62.0, "E", "5")
    client = member_of(data["school"])
    school_url = reverse("analysis:school-overview", args=[data["school"].pk])
    group_url = reverse("analysis:group-overview", args=[data["group"].pk])
    assert client.get(group_url).context["period"].value == "E"

    client.get(school_url, {"jaar": "2024", "moment": "M", "vak": "rekenen"})
    group = client.get(group_url)
    school = client.get(school_url)

    assert group.context["period"].value == "M"
    assert group.context["subject"] == "rekenen"
    assert (school.context["year"], school.context["period"].value) == (2024, "M")
    assert school.context["subject"] == "rekenen"
    # A choice in the query string wins over the remembered one.
    assert client.get(group_url, {"moment": "E"}).context["period"].value == "E"


def test_it_lists_the_imports_that_wait() -> None:
    data = small_school()
    waiting = ImportJob.objects.create(
        school=data["school"], files=[{"name": "a.csv"}, {"name": "b.xml"}]
    )
    ImportJob.objects.create(
        school=data["school"], files=[{"name": "c.csv"}], status=JobStatus.DONE
    )
    client = member_of(data["school"])

    page = client.get(start_url(data["school"].pk)).content.decode()

    assert "Imports die wachten" in page
    assert reverse("imports:job", args=[data["school"].pk, waiting.pk]) in page
    assert "2 bestanden" in page
    assert "te controleren" in page
