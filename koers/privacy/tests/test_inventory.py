"""The data inventory (security.md MIN-3) and the absence of special categories
and BSNs from the models (MIN-4, MIN-1).

MIN-1's import side is tested where the importers are: a BSN element or column
is dropped and counted (`koers/lib/tests/test_importers_edexml.py`
`test_no_bsn_value_reaches_a_record`, `test_importers_parnassys.py`
`test_excel_pupil_list_with_numeric_ids`, `test_importers_oso.py`), the header
names that count as BSN are in `koers/lib/tests/test_values.py`
`test_bsn_fields`, and `koers/results/tests/test_import_service.py`
`test_it_drops_every_bsn_and_says_so` searches the whole database after an
EDEXML import. This module adds the same database search for a CSV import.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models
from django.test import override_settings
from django.test.utils import isolate_apps
from django.utils import translation

from koers.privacy import inventory
from koers.privacy.inventory import (
    INVENTORY,
    PERSON_MODELS,
    Category,
    Retention,
    Sensitivity,
    field_entries,
    stale_entries,
    stored_models,
    unclassified_fields,
)
from koers.privacy.relations import pupil_relations
from koers.results.services import import_file
from koers.schools.models import Pupil
from koers.tests.helpers import all_text, dump_database, make_school, run_koers

DOCUMENT = Path(__file__).resolve().parents[3] / "docs" / "privacy-inventory.md"


def inventory_output(*arguments: str) -> str:
    out = io.StringIO()
    call_command("inventory", *arguments, stdout=out)
    return out.getvalue()


def classification_of(label: str, field_name: str) -> inventory.Classification:
    return INVENTORY[label].fields[field_name]


# --- MIN-3: every field classified -------------------------------------------


def test_it_classifies_every_field_of_every_installed_model() -> None:
    # On failure: add the named fields to koers/privacy/inventory.py, then
    # regenerate docs/privacy-inventory.md (see its first lines).
    assert unclassified_fields() == []


def test_it_classifies_no_field_that_is_not_stored() -> None:
    assert stale_entries() == []
    installed = {model._meta.label for model in stored_models()}
    assert set(INVENTORY) - installed == set()


def test_it_finds_the_tables_of_the_libraries_and_of_many_to_many_fields() -> None:
    labels = {model._meta.label for model in stored_models()}

    assert {
        "auth.User",
        "auth.User_groups",
        "sessions.Session",
        "account.EmailAddress",
        "mfa.Authenticator",
        "axes.AccessAttempt",
        "axes.AccessLog",
        "auditlog.LogEntry",
        "django_tasks_database.DBTaskResult",
        "schools.Teacher_groups",
        "cycle.GroupDeviation_pupils",
        "privacy.PurgeRecord",
    } <= labels


def test_it_reports_a_field_added_to_a_model_until_it_is_classified(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with isolate_apps("koers.privacy") as registry:

        class CounsellingNote(models.Model):
            text = models.TextField()

            class Meta:
                app_label = "privacy"

            def __str__(self) -> str:
                return str(self.pk)

        monkeypatch.setattr(inventory, "apps", registry)
        assert unclassified_fields() == [
            "privacy.CounsellingNote.id",
            "privacy.CounsellingNote.text",
        ]

        monkeypatch.setitem(
            inventory.INVENTORY,
            "privacy.CounsellingNote",
            inventory.classify(
                "privacy.CounsellingNote",
                ("id", inventory.ROW_ID),
                ("text", inventory.PUPIL_NOTE),
            ),
        )
        assert unclassified_fields() == []


def test_it_reports_a_field_whose_classification_was_removed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pupil = INVENTORY["schools.Pupil"]
    fields = {k: v for k, v in pupil.fields.items() if k != "birth_date"}
    changed = {
        **INVENTORY,
        "schools.Pupil": inventory.ModelInventory(pupil.label, fields),
    }
    monkeypatch.setattr(inventory, "INVENTORY", changed)

    assert unclassified_fields() == ["schools.Pupil.birth_date"]


def test_it_refuses_to_classify_a_field_twice() -> None:
    with pytest.raises(ValueError, match=r"schools\.Pupil\.surname"):
        inventory.classify(
            "schools.Pupil",
            ("surname", inventory.PUPIL_NAME),
            ("prefix surname", inventory.PUPIL_NAME),
        )


def test_it_never_calls_a_link_to_a_person_no_personal_data() -> None:
    links = [
        entry
        for entry in field_entries()
        if entry.field.is_relation
        and entry.field.related_model is not None
        and entry.field.related_model._meta.label in PERSON_MODELS
    ]

    # 13 links to an account (memberships, authors, MFA, audit actor, ...), 5 to
    # a pupil and 2 to a teacher when this was written.
    assert len(links) >= 20
    assert [entry.name for entry in links if not entry.classified.is_personal] == []


def test_it_keeps_every_link_to_a_pupil_for_the_term_the_purge_applies() -> None:
    # The purge removes or unlinks each of these when the dossier term ends
    # (koers.privacy.relations); the inventory must promise the same term.
    relations = pupil_relations()
    retained = []
    for relation in relations:
        model = relation.model
        name = relation.field_name
        if relation.many_to_many:
            # The link is a row of the table behind the many-to-many field.
            many = model._meta.get_field(name)
            assert isinstance(many, models.ManyToManyField)
            through = many.remote_field.through
            assert through is not None
            model = through
            name = next(f.name for f in model._meta.fields if f.related_model is Pupil)
        retained.append(classification_of(model._meta.label, name).retention)

    assert {relation.key for relation in relations} >= {
        "schools.enrolment.pupil",
        "results.testresult.pupil",
        "results.transitiontestresult.pupil",
        "cycle.pupildecision.pupil",
        "cycle.groupdeviation.pupils",
    }
    assert set(retained) == {Retention.DOSSIER}


def test_it_keeps_all_personal_fields_of_a_pupil_for_the_dossier_term() -> None:
    personal = {
        name: classification.retention
        for name, classification in INVENTORY["schools.Pupil"].fields.items()
        if classification.is_personal
    }

    assert set(personal) == {
        "id",
        "key",
        "eck_id",
        "surname",
        "prefix",
        "preferred_name",
        "given_names",
        "initials",
        "birth_date",
        "entry_date",
        "exit_date",
    }
    assert set(personal.values()) == {Retention.DOSSIER}


@pytest.mark.parametrize(
    ("label", "field_name", "category", "sensitivity"),
    [
        ("auth.User", "password", Category.ACCOUNT, Sensitivity.HIGH),
        ("mfa.Authenticator", "data", Category.ACCOUNT, Sensitivity.HIGH),
        ("auth.User", "email", Category.CONTACT, Sensitivity.LOW),
        ("schools.Pupil", "surname", Category.IDENTIFICATION, Sensitivity.MEDIUM),
        (
            "results.TestResult",
            "ability_score",
            Category.SCHOOL_RESULT,
            Sensitivity.MEDIUM,
        ),
        ("cycle.PupilDecision", "reason", Category.FREE_TEXT, Sensitivity.HIGH),
        ("cycle.Meeting", "notes", Category.FREE_TEXT, Sensitivity.HIGH),
        ("auditlog.LogEntry", "remote_addr", Category.LOG, Sensitivity.MEDIUM),
        ("schools.School", "brin", Category.NONE, Sensitivity.LOW),
    ],
)
def test_it_classifies_key_fields_as_decided(
    label: str, field_name: str, category: Category, sensitivity: Sensitivity
) -> None:
    classification = classification_of(label, field_name)

    assert (classification.category, classification.sensitivity) == (
        category,
        sensitivity,
    )


def test_it_classifies_a_shared_field_per_model() -> None:
    # Both inherit `evaluation_note` from the 20-week record; about a pupil it
    # is dossier text, about the team's plan it is not.
    about_pupil = classification_of("cycle.PupilDecision", "evaluation_note")
    about_team = classification_of(
        "cycle.ProfessionalDevelopmentPlan", "evaluation_note"
    )

    assert (about_pupil.sensitivity, about_pupil.retention) == (
        Sensitivity.HIGH,
        Retention.DOSSIER,
    )
    assert (about_team.sensitivity, about_team.retention) == (
        Sensitivity.LOW,
        Retention.SCHOOL,
    )


def test_it_gives_every_field_a_dutch_meaning() -> None:
    # A field without verbose_name gets its name with spaces ("school year"),
    # which is English; such a field needs a meaning in the inventory.
    with translation.override("nl"):
        english = [
            entry.name
            for entry in field_entries()
            if entry.meaning == entry.field.name.replace("_", " ")
            and entry.meaning not in {"school", "status", "moment"}
        ]

    assert english == []


# --- the document and the command ----------------------------------------------


@override_settings(KOERS_RETENTION_YEARS=2)
def test_the_committed_document_equals_the_generated_inventory() -> None:
    # On failure: koers inventory > docs/privacy-inventory.md
    assert DOCUMENT.read_text(encoding="utf-8") == inventory_output()


@override_settings(KOERS_RETENTION_YEARS=2)
def test_it_prints_one_row_per_field_under_its_model() -> None:
    text = inventory_output()

    assert text.startswith("# Gegevensinventaris van Koers\n")
    assert "koers inventory > docs/privacy-inventory.md" in text
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert len(rows) == len(list(field_entries()))
    pupil = text.index("### leerling (`schools.Pupil`)")
    row = (
        "| `birth_date` | geboortedatum | identificatie | leeftijd; een leerling "
        "zonder nummer herkennen bij een import | 2 jaar na vertrek van de "
        "leerling | midden |"
    )
    assert text.index(row) > pupil
    assert "### aanmeldlogboek (`axes.AccessLog`)" in text
    assert "## Auditlogboek (`auditlog`)" in text


@override_settings(KOERS_RETENTION_YEARS=3)
def test_it_states_the_retention_term_that_is_configured() -> None:
    text = inventory_output()

    assert "| 3 jaar na vertrek van de leerling |" in text
    assert "2 jaar na vertrek" not in text


def test_it_counts_the_fields_per_category_in_the_overview() -> None:
    text = inventory_output()

    contact = sum(
        1 for entry in field_entries() if entry.classified.category == Category.CONTACT
    )
    # auth.User.email and account.EmailAddress.email.
    assert contact == 2
    assert "| contact | 2 |" in text


def test_it_prints_the_inventory_as_json() -> None:
    rows = json.loads(inventory_output("--format", "json"))

    assert len(rows) == len(list(field_entries()))
    assert {
        "model": "cycle.PupilDecision",
        "field": "reason",
        "meaning": "waarom",
        "category": "vrije_tekst",
        "purpose": "toelichting bij een besluit over de leerling; geen bijzondere "
        "gegevens",
        "retention": "dossier",
        "sensitivity": "hoog",
    } in rows


def test_it_refuses_to_print_an_incomplete_inventory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    changed = {k: v for k, v in INVENTORY.items() if k != "sessions.Session"}
    monkeypatch.setattr(inventory, "INVENTORY", changed)

    with pytest.raises(CommandError) as raised:
        inventory_output()

    assert raised.value.returncode == 1
    assert "sessions.Session.session_data" in str(raised.value)


@pytest.mark.django_db
def test_it_is_a_koers_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_koers("inventory", "--help") == 0

    assert capsys.readouterr().out.startswith("usage: koers inventory")


# --- MIN-4 and MIN-1: no special categories, no BSN ------------------------------

# Words that would name a special category (AVG art. 9) or a national number.
# Long words are searched inside names ("geboorteland" in "geboortelandcode"),
# short ones only as a whole word ("bsn", not "subsnapshot").
SPECIAL_WORDS = (
    "religie",
    "religion",
    "geloof",
    "godsdienst",
    "levensbeschouw",
    "etnici",
    "etnisch",
    "ethnic",
    "afkomst",
    "herkomst",
    "nationaliteit",
    "nationality",
    "geboorteland",
    "countryofbirth",
    "birthcountry",
    "diagnos",
    "medisch",
    "medical",
    "medicati",
    "gezondheid",
    "health",
    "ziekte",
    "handicap",
    "allergie",
    "dyslex",
    "autism",
    "seksue",
    "sexual",
    "politiek",
    "political",
    "vakbond",
    "genetisch",
    "genetic",
    "biometri",
    "strafrecht",
    "criminal",
    "burgerservicenummer",
    "citizenservice",
    "sofinummer",
    "socialsecurity",
    "onderwijsnummer",
    "persoonsgebonden",
)
SPECIAL_TOKENS = frozenset({"bsn", "sofi", "pgn", "ssn", "adhd"})

# A field for a special category that has a documented legal basis, as
# "label.field": "the basis". There is none.
DOCUMENTED_BASIS: dict[str, str] = {}


def special_terms(text: str) -> list[str]:
    lowered = text.lower()
    squashed = re.sub(r"[^a-z0-9]", "", lowered)
    tokens = set(re.split(r"[^a-z0-9]+", lowered))
    return [word for word in SPECIAL_WORDS if word in squashed] + sorted(
        tokens & SPECIAL_TOKENS
    )


def names_of_fields(
    model_list: Iterable[type[models.Model]],
) -> list[tuple[str, str]]:
    """(label.field, text) for every name a model and its fields go by."""
    names: dict[tuple[str, str], None] = {}
    for model in model_list:
        meta = model._meta
        names[meta.label, str(meta.model_name)] = None
        names[meta.label, str(meta.verbose_name)] = None
        for field in meta.get_fields(include_hidden=True):
            if field.auto_created and not field.concrete:
                continue
            label = f"{meta.label}.{field.name}"
            names[label, field.name] = None
            verbose = getattr(field, "verbose_name", None)
            if verbose is not None:
                names[label, str(verbose)] = None
    return list(names)


def special_category_fields(model_list: Iterable[type[models.Model]]) -> list[str]:
    found = []
    for label, text in names_of_fields(model_list):
        if label not in DOCUMENTED_BASIS and special_terms(text):
            found.append(f"{label} ({text})")
    return found


@pytest.mark.parametrize(
    "name",
    [
        "bsn",
        "BSN",
        "pupil_bsn",
        "Burgerservicenummer",
        "sofinummer",
        "pgn",
        "religion",
        "geloofsovertuiging",
        "nationaliteit",
        "geboorteland",
        "land_van_herkomst",
        "etniciteit",
        "diagnose",
        "medische_gegevens",
        "gezondheidssituatie",
        "dyslexieverklaring",
    ],
)
def test_it_recognises_a_special_category_name(name: str) -> None:
    assert special_terms(name) != []


@pytest.mark.parametrize(
    "name",
    ["birth_date", "geboortedatum", "subject", "surname", "ability_score", "notes"],
)
def test_it_lets_an_ordinary_name_pass(name: str) -> None:
    assert special_terms(name) == []


def test_no_model_has_a_field_for_a_special_category_or_a_bsn() -> None:
    with translation.override("nl"):
        dutch = special_category_fields(stored_models())
    with translation.override("en"):
        english = special_category_fields(stored_models())

    assert dutch == []
    assert english == []


def test_it_finds_a_bsn_field_on_a_new_model() -> None:
    with isolate_apps("koers.privacy"):

        class Registration(models.Model):
            citizen_number = models.CharField("BSN", max_length=9)
            religion = models.CharField(max_length=40)

            class Meta:
                app_label = "privacy"

            def __str__(self) -> str:
                return str(self.pk)

        found = special_category_fields([Registration])

    assert found == [
        "privacy.Registration.citizen_number (BSN)",
        "privacy.Registration.religion (religion)",
    ]


@pytest.mark.django_db
def test_a_csv_with_a_bsn_column_leaves_no_bsn_in_the_database() -> None:
    school = make_school()
    # 123456782 passes the eleven test: 9*1+8*2+7*3+6*4+5*5+4*6+3*7+2*8-1*2 = 154,
    # and 154 = 14 * 11.
    data = (
        b"Leerlingnummer;Achternaam;Roepnaam;Huidige groep;BSN\n"
        b"501;Jansen;Sem;5A;123456782\n"
    )

    summary = import_file("leerlingen.csv", data, school=school)

    assert summary.notes == [
        "1 BSN-waarde (BSN of onderwijsnummer) is genegeerd en niet opgeslagen."
    ]
    assert Pupil.objects.get(key="501").surname == "Jansen"
    assert "123456782" not in all_text(dump_database())
