"""The pupil-rights pages: find a pupil, export everything about them (JSON and
PDF), correct their name or birth date, delete them."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from koers.privacy.models import PurgeReason, PurgeRecord
from koers.privacy.pseudonyms import pupil_pseudonym
from koers.privacy.relations import pupil_relations
from koers.privacy.tests.conftest import CANARIES, CANARY_NAME
from koers.results.models import TestResult
from koers.schools.models import Pupil, Role, School
from koers.tests.accounts import make_user, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(world: dict[str, Any]) -> Client:
    return sign_in(make_user("beheer", world["school"], role=Role.ADMIN))


def url(name: str, world: dict[str, Any], pupil: Pupil | None = None) -> str:
    school = world["school"].pk
    if name == "search":
        return reverse("rights:search", args=[school])
    return reverse(f"rights:{name}", args=[school, (pupil or world["canary"]).pk])


def pupil_entries(pupil: Pupil) -> Any:
    pupil_type = ContentType.objects.get_for_model(Pupil)
    return LogEntry.objects.filter(content_type=pupil_type, object_pk=str(pupil.pk))


# --- who may -----------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [Role.TEACHER, Role.SUPPORT, Role.DIRECTOR, Role.PRIVACY]
)
@pytest.mark.parametrize(
    "name", ["search", "pupil", "export-json", "export-pdf", "correct", "delete"]
)
def test_only_the_applicatiebeheerder_reaches_the_pages(
    world: dict[str, Any], role: Role, name: str
) -> None:
    client = sign_in(make_user("iemand", world["school"], role=role))

    assert client.get(url(name, world)).status_code == 404


def test_a_deletion_by_another_role_changes_nothing(world: dict[str, Any]) -> None:
    client = sign_in(make_user("directie", world["school"], role=Role.DIRECTOR))

    response = client.post(url("delete", world))

    assert response.status_code == 404
    assert Pupil.objects.filter(pk=world["canary"].pk).exists()


def test_it_asks_for_a_login_first(world: dict[str, Any]) -> None:
    response = Client().get(url("pupil", world))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_another_schools_pupil_is_not_found(
    world: dict[str, Any], admin: Client
) -> None:
    other = School.objects.create(brin="22BB", name="De Ander")
    stranger = Pupil.objects.create(school=other, key="22BB-1", surname=CANARY_NAME)

    assert admin.get(url("pupil", world, stranger)).status_code == 404
    assert admin.get(url("export-json", world, stranger)).status_code == 404
    assert admin.post(url("delete", world, stranger)).status_code == 404
    assert Pupil.objects.filter(pk=stranger.pk).exists()
    page = admin.get(url("search", world), {"q": CANARY_NAME}).content.decode()
    assert "22BB-1" not in page


def test_a_wrong_method_is_refused(world: dict[str, Any], admin: Client) -> None:
    assert admin.post(url("export-json", world)).status_code == 405
    assert admin.put(url("delete", world)).status_code == 405


# --- finding a pupil ------------------------------------------------------------


def test_it_finds_a_pupil_by_leerlingnummer_or_by_name(
    world: dict[str, Any], admin: Client
) -> None:
    by_key = admin.get(url("search", world), {"q": "11AA-9"}).content.decode()
    by_name = admin.get(url("search", world), {"q": "zwaan kanarie"}).content.decode()
    nothing = admin.get(url("search", world), {"q": "Onbekend"}).content.decode()

    link = url("pupil", world)
    assert link in by_key
    assert link in by_name
    # "11AA-9" is the canary's number only; Anna (11AA-1) is not listed.
    assert url("pupil", world, world["anna"]) not in by_key
    assert "Geen leerling gevonden" in nothing


# --- the export ---------------------------------------------------------------


def test_the_json_export_holds_every_model_related_to_a_pupil(
    world: dict[str, Any], admin: Client
) -> None:
    response = admin.get(url("export-json", world))

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert str(world["canary"].pk) in response["Content-Disposition"]
    assert CANARY_NAME not in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["pupil"]["surname"] == CANARY_NAME
    relations = {relation.key for relation in pupil_relations()}
    # A canary for every relation: a new model without one fails here.
    assert set(CANARIES) == relations
    assert set(data["related"]) == relations
    for key, canary in CANARIES.items():
        assert canary in json.dumps(data["related"][key]), key


def test_the_export_lists_who_looked_at_the_pupil(
    world: dict[str, Any], admin: Client
) -> None:
    admin.get(url("pupil", world))

    data = json.loads(admin.get(url("export-json", world)).content)

    actors = [entry["actor"] for entry in data["audit_log"]]
    # The fixture's view without an account, the page just opened, and the
    # decision's and deviation's changes.
    assert "beheer" in actors
    kinds = [entry["details"].get("kind") for entry in data["audit_log"]]
    assert "view" in kinds


def test_an_export_is_one_audit_event(world: dict[str, Any], admin: Client) -> None:
    before = pupil_entries(world["canary"]).count()

    admin.get(url("export-json", world))

    entries = pupil_entries(world["canary"]).order_by("-pk")
    assert entries.count() == before + 1
    newest = entries.first()
    assert newest is not None
    assert newest.action == LogEntry.Action.ACCESS
    assert newest.additional_data["kind"] == "export"
    assert newest.actor.username == "beheer"


def test_the_pdf_export_is_confidential_and_complete(
    world: dict[str, Any], admin: Client
) -> None:
    response = admin.get(url("export-pdf", world))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Vertrouwelijk" in text
    assert CANARY_NAME in text
    for key, canary in CANARIES.items():
        assert canary in text, key
    kinds = pupil_entries(world["canary"]).values_list("additional_data", flat=True)
    assert "print" in [data.get("kind") for data in kinds]


# --- correction -------------------------------------------------------------------


def test_a_correction_changes_the_name_and_logs_which_fields(
    world: dict[str, Any], admin: Client
) -> None:
    canary = world["canary"]
    form = {
        "surname": "Kanarie",
        "prefix": "",
        "preferred_name": "Zwaantje",
        "given_names": "Zwaantje",
        "initials": "",
        "birth_date": "2014-02-04",
    }

    response = admin.post(url("correct", world), form)

    assert response.status_code == 302
    canary.refresh_from_db()
    assert (canary.surname, str(canary.birth_date)) == ("Kanarie", "2014-02-04")
    entry = pupil_entries(canary).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor.username == "beheer"
    assert entry.additional_data["fields"] == ["birth_date", "surname"]
    stored = json.dumps([entry.changes, entry.additional_data, entry.object_repr])
    assert CANARY_NAME not in stored
    assert "Kanarie" not in stored


def test_a_wrong_birth_date_changes_nothing(
    world: dict[str, Any], admin: Client
) -> None:
    form = {"surname": "Anders", "birth_date": "31-02-2014"}

    response = admin.post(url("correct", world), form)

    assert response.status_code == 200
    world["canary"].refresh_from_db()
    assert world["canary"].surname == CANARY_NAME


# --- deletion -------------------------------------------------------------------


def test_the_confirmation_shows_what_goes(world: dict[str, Any], admin: Client) -> None:
    page = admin.get(url("delete", world)).content.decode()

    assert "toetsresultaten" in page
    assert "leerlingbesluiten" in page
    assert "afwijkingen van het onderwijsplan (alleen de koppeling)" in page
    assert Pupil.objects.filter(pk=world["canary"].pk).exists()


def test_a_deletion_purges_the_pupil_and_enters_the_ledger(
    world: dict[str, Any], admin: Client, ledger_file: Path
) -> None:
    canary = world["canary"]

    response = admin.post(url("delete", world))

    assert response.status_code == 302
    assert response["Location"] == url("search", world)
    assert not Pupil.objects.filter(pk=canary.pk).exists()
    assert not TestResult.objects.filter(pupil_id=canary.pk).exists()
    record = PurgeRecord.objects.get()
    assert record.reason == PurgeReason.REQUEST
    assert record.pupil_key == pupil_pseudonym(canary.pk)
    line = json.loads(ledger_file.read_text())
    assert (line["pupil_key"], line["reason"]) == (record.pupil_key, "request")
    event = LogEntry.objects.get(additional_data__event="purge")
    assert event.actor.username == "beheer"
    assert event.additional_data["reason"] == "request"


# --- fixes after the first test round ------------------------------------------


def form_values(page: str) -> dict[str, str]:
    """The values the correction form shows, as a browser would send them back."""
    return dict(re.findall(r'<input type="\w+" name="(\w+)" value="([^"]*)"', page))


def test_saving_the_correction_form_unchanged_keeps_the_birth_date(
    world: dict[str, Any], admin: Client
) -> None:
    canary = world["canary"]
    page = admin.get(url("correct", world)).content.decode()
    values = form_values(page)

    # An <input type=date> only shows an ISO date; "03-02-2014" would be empty.
    assert values["birth_date"] == "2014-02-03"
    values["preferred_name"] = "Zwaan"
    response = admin.post(url("correct", world), values)

    assert response.status_code == 302
    canary.refresh_from_db()
    assert (canary.preferred_name, canary.birth_date) == (
        "Zwaan",
        dt.date(2014, 2, 3),
    )


def search_event(world: dict[str, Any]) -> Any:
    school_type = ContentType.objects.get_for_model(School)
    return LogEntry.objects.filter(
        content_type=school_type,
        object_pk=str(world["school"].pk),
        additional_data__page="rights:search",
    ).latest("pk")


def test_a_search_records_what_it_listed_but_never_the_query(
    world: dict[str, Any], admin: Client
) -> None:
    anna, bram, canary = world["anna"], world["bram"], world["canary"]
    # "an" is in Anna's and in the canary's names (Zwaantje), not in Bram's.
    expected = sorted(
        pupil.pk for pupil in (anna, bram, canary) if "an" in pupil.display_name.lower()
    )

    page = admin.get(url("search", world), {"q": "an"}).content.decode()

    event = search_event(world)
    assert event.additional_data["results"] == len(expected)
    assert sorted(event.additional_data["pupil_ids"]) == expected
    assert '"an"' not in json.dumps(event.additional_data)
    assert url("pupil", world) in page


def test_a_search_needs_two_characters_or_a_whole_leerlingnummer(
    world: dict[str, Any], admin: Client
) -> None:
    Pupil.objects.filter(pk=world["bram"].pk).update(key="7")

    short = admin.get(url("search", world), {"q": "a"})
    by_key = admin.get(url("search", world), {"q": "7"})

    assert short.context["pupils"] == []
    assert "Typ ten minste 2 tekens" in short.content.decode()
    assert [pupil.pk for pupil in by_key.context["pupils"]] == [world["bram"].pk]
    assert search_event(world).additional_data["pupil_ids"] == [world["bram"].pk]


def test_the_export_lists_group_pages_and_reports_that_showed_the_pupil(
    world: dict[str, Any], admin: Client
) -> None:
    teacher = sign_in(make_user("juf", world["school"], role=Role.SUPPORT))
    group = world["canary_group"]
    teacher.get(reverse("analysis:group-overview", args=[group.pk]))
    teacher.get(reverse("analysis:cohort", args=[group.pk]))
    teacher.get(reverse("analysis:group-report", args=[group.pk]))
    # A group the canary was never in is no read of the canary.
    teacher.get(reverse("analysis:group-overview", args=[world["group"].pk]))

    data = json.loads(admin.get(url("export-json", world)).content)

    pages = [
        entry["details"].get("page")
        for entry in data["audit_log"]
        if entry["actor"] == "juf"
    ]
    assert pages == [
        "analysis:group-overview",
        "analysis:cohort",
        "analysis:group-report",
    ]
    assert all(
        entry["details"].get("group") == group.pk
        for entry in data["audit_log"]
        if entry["actor"] == "juf"
    )


def test_the_pdf_speaks_dutch(world: dict[str, Any], admin: Client) -> None:
    result = world["result"]
    TestResult.objects.filter(pk=result.pk).update(
        index_value=87.123456789012345, index_coarse=False, derived=[]
    )
    admin.get(url("pupil", world))

    response = admin.get(url("export-pdf", world))

    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    lines = text.splitlines()
    assert "grove index nee" in text
    assert "87,1" in text and "87,12" not in text
    assert "afgeleide scores \u2013" in text
    assert "school year" not in text
    assert "schooljaar" in text and "leerling" in text and "groep" in text
    for english in ("pupil", "group", "access", "view", "False", "[]"):
        assert not any(english in line.split() for line in lines), english
    assert "bekeken" in text
    assert "leerlingrechten: leerling" in text


def test_the_deletion_page_warns_that_the_next_import_brings_the_pupil_back(
    world: dict[str, Any], admin: Client
) -> None:
    page = admin.get(url("delete", world)).content.decode()

    assert "komt de leerling met de volgende import van de leerlingen terug" in page
    assert "Verwijder de leerling daarom ook in het LAS" in page
