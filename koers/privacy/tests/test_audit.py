"""The audit trail: every read of pupil data leaves exactly one complete event, no
event or log line holds a pupil's name or notes, and only the school's own
applicatiebeheerder and privacy officer can search it, without changing it."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from time_machine import TimeMachineFixture

from koers.cycle.models import (
    Action,
    Decision,
    EducationPlan,
    GroupDeviation,
    Meeting,
    ProfessionalDevelopmentPlan,
    PupilDecision,
    SchoolAgreement,
)
from koers.privacy import audit
from koers.privacy import audit_search as search
from koers.results.models import (
    ImportBatch,
    ReferenceLevelChoice,
    SubjectChoice,
    TransitionTestResult,
)
from koers.schools.access import VIEW_ATTRIBUTE
from koers.schools.models import Pupil, Role, SchoolWeighting, Teacher
from koers.schools.roles import Permission
from koers.tests.accounts import make_user, sign_in
from koers.tests.helpers import run_koers, small_school

pytestmark = pytest.mark.django_db

IN_2024_2025 = dt.datetime(2025, 3, 3, 12, tzinfo=dt.UTC)
CANARY_FIRST = "Quirinella"
CANARY_LAST = "Kanariepiet"
CANARY_NOTE = "Vertrouwelijk-Xyzzy"
CANARIES = (CANARY_FIRST, CANARY_LAST, CANARY_NOTE)


@dataclass(frozen=True)
class Route:
    name: str
    route: str
    permission: Permission
    defaults: dict[str, Any]


def walk(
    patterns: list[URLPattern | URLResolver], prefix: str = "", namespace: str = ""
) -> Iterator[Route]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            full = f"{namespace}:{inner}" if namespace and inner else namespace or inner
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), full)
            continue
        declared = getattr(pattern.callback, VIEW_ATTRIBUTE, None)
        if declared is None or not pattern.name:
            continue
        yield Route(
            f"{namespace}:{pattern.name}",
            prefix + str(pattern.pattern),
            declared[0],
            dict(pattern.default_args),
        )


ROUTES = list(walk(get_resolver().url_patterns))
READS = [
    route
    for route in ROUTES
    if route.permission in audit.READ_PERMISSIONS or route.name in audit.PUPIL_FORMS
]
# The role that holds each read permission over the whole school.
READER = {
    Permission.VIEW_SCHOOL: Role.SUPPORT,
    Permission.VIEW_GROUP: Role.SUPPORT,
    Permission.VIEW_PUPIL: Role.SUPPORT,
    Permission.EDIT_CYCLE: Role.SUPPORT,
    Permission.PUPIL_RIGHTS: Role.ADMIN,
    Permission.AUDIT: Role.PRIVACY,
}


@pytest.fixture
def world(time_machine: TimeMachineFixture) -> dict[str, Any]:
    """The small school with a canary pupil, a meeting that decided one of each
    20-week record, an onderwijsplan and a member per role."""
    time_machine.move_to(IN_2024_2025)
    built = small_school()
    school, year, group = built["school"], built["year"], built["group"]
    anna = built["anna"]
    anna.preferred_name, anna.surname = CANARY_FIRST, CANARY_LAST
    anna.save()

    plan = EducationPlan.objects.create(school=school, school_year=year, number=1)
    agreement = SchoolAgreement.objects.create(plan=plan, title="Instructie")
    meeting = Meeting.objects.create(
        school=school,
        school_year=year,
        after_period="M",
        held_on=dt.date(2025, 2, 10),
        notes=f"Besproken: {CANARY_FIRST} {CANARY_NOTE}",
    )
    Decision.objects.create(meeting=meeting, text=f"{CANARY_LAST} extra lezen")
    action = Action.objects.create(
        meeting=meeting,
        description="Toetsen nakijken",
        owner="IB",
        due_on=dt.date(2025, 3, 1),
    )
    period = {
        "school": school,
        "meeting": meeting,
        "starts_on": dt.date(2025, 2, 10),
        "ends_on": dt.date(2025, 6, 30),
        "evaluate_year": year,
        "evaluate_period": "E",
    }
    development = ProfessionalDevelopmentPlan.objects.create(
        **period,
        subject="rekenen",
        metric="p80",
        population="school_3_8",
        gap_year=year,
        gap_period="M",
        target=Decimal("30.00"),
        value_at_start=Decimal("20.00"),
        n_at_start=2,
        goal="Beter rekenen",
        activities="Studiedag",
        owner="Team",
        success_criterion="P80 boven 30",
    )
    development.agreements.add(agreement)
    deviation = GroupDeviation.objects.create(
        **period,
        group=group,
        subject="rekenen",
        plan=plan,
        element="time",
        from_text="60 minuten",
        to_text="90 minuten",
        reason=f"{CANARY_LAST} en anderen",
        expected_effect="Groei",
        figures={"school_year": 2024, "period": "M", "subjects": []},
    )
    deviation.pupils.add(anna)
    TransitionTestResult.objects.create(
        pupil=built["bram"],
        school_year=year,
        supplier="Cito",
        level_reading=ReferenceLevelChoice.F2,
        level_language=ReferenceLevelChoice.F1,
        level_math=ReferenceLevelChoice.F1,
    )
    decision = PupilDecision.objects.create(
        **period,
        pupil=anna,
        # Not rekenen: the form for a new rekenen decision stays open.
        subject=SubjectChoice.SPELLING,
        kind="adaptation",
        reason=f"{CANARY_NOTE}: leest traag",
        flag={
            "rule": "persistently_low",
            "rule_label": "Blijvend laag",
            "explanation": "Drie keer onder index 10",
            "moment": "M5",
            "school_year": 2024,
            "period": "M",
            "index": 7.0,
        },
    )
    teacher = Teacher.objects.create(school=school, key="T1", surname="Jansen")
    teacher.groups.add(group)
    users = {
        role: make_user(f"user-{role.value}", school, role=role, teacher=teacher)
        for role in Role
    }
    # Setting up wrote change events; the tests count from here.
    return {
        **built,
        "plan": plan,
        "meeting": meeting,
        "action": action,
        "development": development,
        "deviation": deviation,
        "decision": decision,
        "users": users,
    }


ARGUMENT = re.compile(r"<(?:(\w+):)?(\w+)>")
RECORD_PAGES = {
    "cycle:development-plan": "aanpak",
    "cycle:deviation": "afwijking",
    "cycle:pupil-decision": "leerlingbesluit",
}
QUERIES = {
    "cycle:deviation-new": "?groep={group}&vak=rekenen",
    "cycle:pupil-decision-new": "?leerling={pupil}&vak=rekenen",
}


def url_of(
    route: Route, world: dict[str, Any], fmt: str = "csv", strict: bool = True
) -> str:
    """The route's URL for the world's objects. Strict: every argument must be
    known, so that a new read page cannot slip past the tests; otherwise an
    unknown id is one that does not exist."""
    kind = route.defaults.get("kind") or RECORD_PAGES.get(route.name, "aanpak")
    values: dict[str, Any] = {
        "school_id": world["school"].pk,
        "group_id": world["group"].pk,
        "pupil_id": world["anna"].pk,
        "meeting_id": world["meeting"].pk,
        "record_id": world[RECORD_WORLD_KEYS[kind]].pk,
        "action_id": world["action"].pk,
        "subject": "rekenen",
        "fmt": fmt,
        "year": 2024,
        "number": 1,
        "start_year": 2024,
    }
    kwargs: dict[str, Any] = {}
    for converter, name in ARGUMENT.findall(route.route):
        if name not in values:
            assert not strict, f"no fixture value for {name} in {route.route}"
            values[name] = 999_999 if converter == "int" else "x"
        kwargs[name] = values[name]
    url = reverse(route.name, kwargs={**kwargs, **route.defaults})
    query = QUERIES.get(route.name, "")
    return url + query.format(group=world["group"].pk, pupil=world["anna"].pk)


RECORD_WORLD_KEYS = {
    "aanpak": "development",
    "afwijking": "deviation",
    "leerlingbesluit": "decision",
}


def client_for(route: Route, world: dict[str, Any]) -> tuple[Client, User]:
    user = world["users"][READER[route.permission]]
    return sign_in(user), user


def read_cases() -> list[tuple[Route, str]]:
    return [
        (route, fmt)
        for route in READS
        for fmt in (("csv", "xlsx") if "<str:fmt>" in route.route else ("csv",))
    ]


@pytest.mark.parametrize(
    ("route", "fmt"),
    read_cases(),
    ids=[f"{route.name}-{fmt}" for route, fmt in read_cases()],
)
def test_every_read_of_pupil_data_leaves_exactly_one_complete_event(
    world: dict[str, Any], route: Route, fmt: str
) -> None:
    client, user = client_for(route, world)
    before = set(LogEntry.objects.values_list("pk", flat=True))

    response = client.get(url_of(route, world, fmt))

    assert response.status_code == 200, (route.name, response.get("Location"))
    new = LogEntry.objects.exclude(pk__in=before)
    assert new.count() == 1
    entry = new.get()
    data = entry.additional_data
    assert entry.action == LogEntry.Action.ACCESS
    assert entry.actor_id == user.pk
    assert entry.timestamp.utcoffset() == dt.timedelta(0)
    assert entry.remote_addr == "127.0.0.1"
    assert entry.content_type_id is not None and entry.object_id is not None
    assert data["page"] == route.name
    assert data["school"] == world["school"].pk
    assert data["role"] == READER[route.permission].value
    assert data["status"] == 200
    if response["Content-Type"] == "application/pdf":
        assert data["kind"] == audit.PRINT
    elif "attachment" in response.get("Content-Disposition", ""):
        assert data["kind"] == audit.EXPORT
    else:
        assert data["kind"] == audit.VIEW


def test_it_records_the_pupil_a_page_or_record_is_about(
    world: dict[str, Any],
) -> None:
    client = sign_in(world["users"][Role.SUPPORT])
    anna = world["anna"]

    client.get(reverse("analysis:pupil-overview", args=[anna.pk]))
    client.get(reverse("cycle:pupil-decision", args=[world["decision"].pk]))
    client.get(reverse("analysis:group-overview", args=[world["group"].pk]))

    reads = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).order_by("pk")
    about = [
        (e.additional_data.get("pupil"), e.additional_data.get("group")) for e in reads
    ]
    assert about == [(anna.pk, None), (anna.pk, None), (None, world["group"].pk)]
    assert reads[0].object_repr == f"schools.pupil {anna.pk}"


def test_every_page_that_shows_a_pupil_name_leaves_an_event(
    world: dict[str, Any],
) -> None:
    """Also the pages that declare no read permission: a form of the cycle that
    lists pupils must be in `audit.PUPIL_FORMS`."""
    client = sign_in(world["users"][Role.SUPPORT])

    unrecorded = []
    for route in ROUTES:
        if route.permission is Permission.AUDIT:
            continue
        before = LogEntry.objects.count()
        response = client.get(url_of(route, world, strict=False))
        shows_name = CANARY_LAST.encode() in response.getvalue()
        if shows_name and LogEntry.objects.count() != before + 1:
            unrecorded.append(route.name)

    assert unrecorded == []


def test_a_failed_or_refused_read_leaves_no_event(world: dict[str, Any]) -> None:
    teacher = sign_in(world["users"][Role.TEACHER])
    admin = sign_in(world["users"][Role.ADMIN])

    responses = [
        teacher.get(reverse("analysis:school-overview", args=[world["school"].pk])),
        admin.get(reverse("analysis:pupil-overview", args=[world["anna"].pk])),
        Client().get(reverse("analysis:pupil-overview", args=[world["anna"].pk])),
    ]

    assert [r.status_code for r in responses] == [404, 404, 302]
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def all_columns_text() -> str:
    return "\n".join(str(row) for row in LogEntry.objects.values_list())


def test_no_canary_reaches_an_event_a_log_line_or_the_audit_page(
    world: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="koers")
    caplog.set_level(logging.DEBUG, logger="auditlog")
    support = sign_in(world["users"][Role.SUPPORT])
    officer = sign_in(world["users"][Role.PRIVACY])

    for route, fmt in read_cases():
        client, _user = client_for(route, world)
        client.get(url_of(route, world, fmt))
    decision = world["decision"]
    edited = support.post(
        reverse(
            "cycle:record-edit",
            kwargs={"kind": "leerlingbesluit", "record_id": decision.pk},
        ),
        {
            **plain_fields(decision),
            "reason": f"{CANARY_FIRST} {CANARY_LAST} {CANARY_NOTE}",
        },
    )
    minutes = support.post(
        reverse("cycle:meeting-minutes", args=[world["meeting"].pk]),
        {"held_on": "2025-02-10", "participants": CANARY_FIRST, "notes": CANARY_NOTE},
    )
    page = officer.get(reverse("audit:log", args=[world["school"].pk]))
    download = officer.get(reverse("audit:log-csv", args=[world["school"].pk]))
    csv_text = download.content.decode("utf-8-sig")

    assert (edited.status_code, minutes.status_code) == (302, 302)
    stored = all_columns_text()
    assert LogEntry.objects.filter(action=LogEntry.Action.UPDATE).exists()
    for canary in CANARIES:
        assert canary not in stored
        assert canary not in caplog.text
        assert canary not in page.content.decode()
        assert canary not in csv_text


def plain_fields(decision: PupilDecision) -> dict[str, str]:
    return {
        "starts_on": decision.starts_on.isoformat(),
        "ends_on": decision.ends_on.isoformat(),
        "kind": decision.kind,
        "tier": decision.tier,
    }


# The audit page -------------------------------------------------------------------


def test_only_the_schools_administrator_and_privacy_officer_open_the_trail(
    world: dict[str, Any],
) -> None:
    url = reverse("audit:log", args=[world["school"].pk])

    statuses = {
        role: sign_in(user).get(url).status_code
        for role, user in world["users"].items()
    }

    assert statuses == {
        Role.TEACHER: 404,
        Role.SUPPORT: 404,
        Role.DIRECTOR: 404,
        Role.ADMIN: 200,
        Role.PRIVACY: 200,
    }


def test_it_shows_no_entry_of_another_school(world: dict[str, Any]) -> None:
    other = small_school("22BB", "Andermans school")
    stranger = make_user("ib-elders", other["school"])
    sign_in(stranger).get(reverse("analysis:pupil-overview", args=[other["anna"].pk]))
    sign_in(world["users"][Role.SUPPORT]).get(
        reverse("analysis:pupil-overview", args=[world["anna"].pk])
    )
    officer = sign_in(world["users"][Role.PRIVACY])

    page = officer.get(reverse("audit:log", args=[world["school"].pk]))
    download = officer.get(reverse("audit:log-csv", args=[world["school"].pk]))
    foreign = officer.get(reverse("audit:log", args=[other["school"].pk]))

    text = page.content.decode() + download.content.decode()
    assert "user-support" in text and "ib-elders" not in text
    assert f"{other['anna'].pk} ({other['anna'].key})" not in text
    assert foreign.status_code == 404


def test_it_finds_who_viewed_a_pupil_by_leerlingnummer(world: dict[str, Any]) -> None:
    anna, bram = world["anna"], world["bram"]
    support = sign_in(world["users"][Role.SUPPORT])
    support.get(reverse("analysis:pupil-overview", args=[anna.pk]))
    support.get(reverse("analysis:pupil-overview", args=[bram.pk]))
    support.get(reverse("analysis:school-overview", args=[world["school"].pk]))
    officer = sign_in(world["users"][Role.PRIVACY])

    found = officer.get(
        reverse("audit:log", args=[world["school"].pk]),
        {"leerlingnummer": bram.key, "actie": audit.VIEW},
    )
    unknown = officer.get(
        reverse("audit:log", args=[world["school"].pk]), {"leerlingnummer": "nope"}
    )

    rows = found.context["rows"]
    assert [row.pupil for row in rows] == [f"{bram.pk} ({bram.key})"]
    assert rows[0].user == "user-support" and rows[0].kind == "bekeken"
    assert found.context["page"].paginator.count == 1
    assert unknown.context["page"].paginator.count == 0


def test_the_csv_neutralises_formulas(world: dict[str, Any]) -> None:
    sneaky = make_user("=HYPERLINK(1)", world["school"], role=Role.SUPPORT)
    sign_in(sneaky).get(reverse("analysis:pupil-overview", args=[world["anna"].pk]))

    download = sign_in(world["users"][Role.PRIVACY]).get(
        reverse("audit:log-csv", args=[world["school"].pk])
    )

    lines = download.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Tijd (UTC);Gebruiker;Rol;Actie")
    assert next(line for line in lines if "HYPERLINK" in line).split(";")[1] == (
        "'=HYPERLINK(1)"
    )
    assert "attachment" in download["Content-Disposition"]


def test_the_breach_scope_is_exactly_the_pupils_the_user_saw(
    world: dict[str, Any], time_machine: TimeMachineFixture
) -> None:
    school = world["school"]
    cas = Pupil.objects.create(school=school, key="11AA-3", surname="Cas")
    user = world["users"][Role.SUPPORT]
    other = sign_in(world["users"][Role.DIRECTOR])

    time_machine.move_to(dt.datetime(2025, 3, 1, 10, tzinfo=dt.UTC))
    sign_in(user).get(reverse("analysis:pupil-overview", args=[cas.pk]))
    time_machine.move_to(dt.datetime(2025, 3, 5, 10, tzinfo=dt.UTC))
    client = sign_in(user)
    client.get(reverse("analysis:pupil-overview", args=[world["bram"].pk]))
    # 4A (2023-2024) held Anna alone.
    client.get(reverse("analysis:group-overview", args=[world["previous_group"].pk]))
    client.get(reverse("analysis:school-overview", args=[school.pk]))
    other.get(reverse("analysis:pupil-overview", args=[cas.pk]))

    scope = search.breach_scope(
        school, user.pk, dt.date(2025, 3, 3), dt.date(2025, 3, 31)
    )
    page = sign_in(world["users"][Role.PRIVACY]).get(
        reverse("audit:log", args=[school.pk]),
        {"gebruiker": user.pk, "van": "2025-03-03", "tot": "2025-03-31"},
    )

    assert scope.direct == {world["bram"].pk}
    assert scope.by_group == {world["previous_group"].pk: {world["anna"].pk}}
    assert scope.pupil_ids == {world["anna"].pk, world["bram"].pk}
    assert scope.school_pages == {"analysis:school-overview"}
    assert [line[0] for line in page.context["scope"]["pupils"]] == [
        str(pk) for pk in sorted(scope.pupil_ids)
    ]


# Read-only ----------------------------------------------------------------------


def entry_snapshot() -> dict[int, tuple[Any, ...]]:
    return {row[0]: row for row in LogEntry.objects.order_by("pk").values_list()}


def test_no_url_changes_or_removes_an_entry(world: dict[str, Any]) -> None:
    support = sign_in(world["users"][Role.SUPPORT])
    support.get(reverse("analysis:pupil-overview", args=[world["anna"].pk]))
    before = entry_snapshot()
    clients = [sign_in(world["users"][role]) for role in (Role.PRIVACY, Role.ADMIN)]
    clients.append(support)

    for route in ROUTES:
        # Erasing a pupil pseudonymises the entries about them (koers.privacy
        # retention): that is the one sanctioned rewrite.
        if route.name.startswith("rights:"):
            continue
        url = url_of(route, world, strict=False)
        for client in clients:
            client.post(url, {"pk": "1", "action": "delete", "object_repr": "x"})

    after = entry_snapshot()
    assert {pk: after[pk] for pk in before} == before
    assert not any(
        route.name.startswith("audit:") and route.permission is not Permission.AUDIT
        for route in ROUTES
    )


@pytest.mark.parametrize("name", ["audit:log", "audit:log-csv", "audit:scope-csv"])
def test_the_audit_pages_refuse_every_change(world: dict[str, Any], name: str) -> None:
    officer = sign_in(world["users"][Role.PRIVACY])
    url = reverse(name, args=[world["school"].pk])

    statuses = {officer.post(url).status_code, officer.delete(url).status_code}

    assert statuses == {405}


def test_no_url_is_served_by_auditlog() -> None:
    def callbacks(patterns: list[URLPattern | URLResolver]) -> Iterator[str]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from callbacks(pattern.url_patterns)
            else:
                yield pattern.callback.__module__

    assert not [m for m in callbacks(get_resolver().url_patterns) if "auditlog" in m]


# Changes, imports and undos -----------------------------------------------------------


def test_a_plan_change_is_recorded_with_its_text_masked(world: dict[str, Any]) -> None:
    decision = world["decision"]
    support = sign_in(world["users"][Role.SUPPORT])

    support.post(
        reverse(
            "cycle:record-edit",
            kwargs={"kind": "leerlingbesluit", "record_id": decision.pk},
        ),
        {**plain_fields(decision), "reason": f"{CANARY_LAST} gaat vooruit"},
    )
    SchoolWeighting.objects.create(
        school=world["school"], school_year=world["year"], value=Decimal("29.50")
    )

    update = LogEntry.objects.get(
        action=LogEntry.Action.UPDATE,
        object_id=decision.pk,
        content_type__model="pupildecision",
    )
    weighting = LogEntry.objects.get(content_type__model="schoolweighting")
    assert update.changes == {"reason": ["***", "***"]}
    assert update.actor_id == world["users"][Role.SUPPORT].pk
    assert update.object_repr == f"cycle.pupildecision {decision.pk}"
    assert update.additional_data == {
        "kind": "change",
        "school": world["school"].pk,
        "pupil": world["anna"].pk,
    }
    assert weighting.changes["value"] == ["None", "29.50"]


def test_a_deviations_pupils_are_recorded_as_ids(world: dict[str, Any]) -> None:
    deviation = world["deviation"]

    deviation.pupils.add(world["bram"])

    entry = LogEntry.objects.filter(content_type__model="groupdeviation").latest("pk")
    assert entry.changes == {
        "pupils": {"type": "m2m", "operation": "add", "objects": [world["bram"].pk]}
    }


def test_a_password_change_keeps_no_hash(world: dict[str, Any]) -> None:
    user = world["users"][Role.TEACHER]

    user.set_password("een-ander-lang-wachtwoord")
    user.save()

    entry = LogEntry.objects.filter(content_type__model="user").latest("pk")
    assert entry.changes == {"password": ["***", "***"]}


ROSTER = b"""<?xml version="1.0" encoding="UTF-8"?>
<EDEX>
  <school>
    <schooljaar>2024-2025</schooljaar>
    <brincode>11AA</brincode>
    <dependancecode>00</dependancecode>
  </school>
  <groepen><groep key="G6"><naam>6B</naam><jaargroep>6</jaargroep></groep></groepen>
  <leerlingen>
    <leerling key="9001">
      <achternaam>Kanariepiet</achternaam>
      <roepnaam>Quirinella</roepnaam>
      <geboortedatum>2014-02-03</geboortedatum>
      <jaargroep>6</jaargroep>
      <groep key="G6"/>
    </leerling>
  </leerlingen>
</EDEX>
"""


def test_an_import_on_the_command_line_is_recorded_without_its_contents(
    world: dict[str, Any], tmp_path: Path
) -> None:
    roster = tmp_path / "leerlingen.xml"
    roster.write_bytes(ROSTER)

    dry = run_koers("import", str(roster), "--dry-run")
    real = run_koers("import", str(roster), "--user", "beheer")

    entry = LogEntry.objects.get(additional_data__kind=audit.IMPORT)
    batch = ImportBatch.objects.get()
    assert (dry, real) == (0, 0)
    assert entry.content_type.model == "importbatch" and entry.object_id == batch.pk
    assert entry.additional_data["school"] == world["school"].pk
    assert entry.additional_data["operator"] == "beheer"
    assert entry.additional_data["counts"]["pupils_created"] == 1
    assert not any(canary in all_columns_text() for canary in CANARIES)


def test_an_import_and_its_undo_in_the_browser_are_recorded(
    world: dict[str, Any], settings: Any, tmp_path: Path
) -> None:
    settings.TASKS = {
        "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}
    }
    settings.KOERS_UPLOAD_DIR = tmp_path / "uploads"
    school = world["school"]
    user = world["users"][Role.SUPPORT]
    client = sign_in(user)
    client.post(
        reverse("imports:upload", args=[school.pk]),
        {"uploads": [SimpleUploadedFile("leerlingen.xml", ROSTER)]},
    )
    job = school.import_jobs.get()

    client.post(reverse("imports:confirm", args=[school.pk, job.pk]))
    batch = ImportBatch.objects.get()
    client.post(reverse("imports:undo", args=[school.pk, batch.pk]))

    imported = LogEntry.objects.get(additional_data__kind=audit.IMPORT)
    undone = LogEntry.objects.get(additional_data__kind=audit.UNDO)
    assert (imported.object_id, undone.object_id) == (job.pk, batch.pk)
    assert imported.actor_id == undone.actor_id == user.pk
    assert imported.additional_data["files"] == 1
    assert imported.additional_data["counts"]["pupils_created"] == 1
    assert undone.additional_data["counts"]["pupils_removed"] == 1
    assert undone.additional_data["role"] == Role.SUPPORT.value
    assert undone.remote_addr == "127.0.0.1"
    assert not any(canary in all_columns_text() for canary in CANARIES)


def test_the_start_page_links_the_trail_for_those_who_may_search_it(
    world: dict[str, Any],
) -> None:
    url = reverse("audit:log", args=[world["school"].pk])

    pages = {
        role: sign_in(world["users"][role]).get(reverse("analysis:home"), follow=True)
        for role in (Role.PRIVACY, Role.ADMIN, Role.SUPPORT)
    }

    assert url in pages[Role.PRIVACY].content.decode()
    assert url in pages[Role.ADMIN].content.decode()
    assert url not in pages[Role.SUPPORT].content.decode()


# --- fixes after the first test round ------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"leerling": "99999999999999999999"},
        {"leerling": "abc"},
        {"gebruiker": "424242"},
        {"van": "morgen"},
    ],
)
def test_a_wrong_filter_shows_an_error_and_no_entries(
    world: dict[str, Any], query: dict[str, str]
) -> None:
    support = sign_in(world["users"][Role.SUPPORT])
    support.get(reverse("analysis:pupil-overview", args=[world["anna"].pk]))
    officer = sign_in(world["users"][Role.PRIVACY])
    school = world["school"].pk

    page = officer.get(reverse("audit:log", args=[school]), query)
    download = officer.get(reverse("audit:log-csv", args=[school]), query)
    scope = officer.get(reverse("audit:scope-csv", args=[school]), query)

    assert page.status_code == 200
    assert page.context["form"].errors
    assert "Controleer de zoekvelden." in page.content.decode()
    assert page.context["rows"] == []
    assert page.context["page"].paginator.count == 0
    assert (download.status_code, scope.status_code) == (400, 400)
    assert "Controleer de zoekvelden." in download.content.decode()


def test_a_user_of_another_school_is_no_filter(world: dict[str, Any]) -> None:
    other = small_school(brin="22BB")
    stranger = make_user("elders", other["school"], role=Role.SUPPORT)
    officer = sign_in(world["users"][Role.PRIVACY])

    page = officer.get(
        reverse("audit:log", args=[world["school"].pk]), {"gebruiker": stranger.pk}
    )

    assert "gebruiker" in page.context["form"].errors
    assert page.context["rows"] == []


def logged_names() -> set[str]:
    """Every page name an event can carry: each view that `requires` a
    permission (whatever it records), and the command line's import."""
    return {route.name for route in ROUTES} | {"cli:import"}


def test_every_page_an_event_can_name_has_a_dutch_label() -> None:
    from koers.privacy.audit_pages import PAGE_LABELS, page_label

    missing = sorted(logged_names() - set(PAGE_LABELS))

    assert missing == []
    assert page_label("analysis:pupil-export") == "export van de leerling"
    assert page_label("iets:nieuws") == "iets:nieuws"


def test_the_log_shows_page_names_in_dutch(world: dict[str, Any]) -> None:
    support = sign_in(world["users"][Role.SUPPORT])
    support.get(reverse("analysis:pupil-overview", args=[world["anna"].pk]))
    officer = sign_in(world["users"][Role.PRIVACY])

    page = officer.get(reverse("audit:log", args=[world["school"].pk]))
    download = officer.get(reverse("audit:log-csv", args=[world["school"].pk]))

    assert "leerlingoverzicht" in [row.page for row in page.context["rows"]]
    assert "analysis:pupil-overview" not in page.content.decode()
    assert "leerlingoverzicht" in download.content.decode()


def test_purges_show_their_reason_and_who_did_them(world: dict[str, Any]) -> None:
    from koers.privacy.models import PurgeReason
    from koers.privacy.purge import purge_pupil

    admin = make_user("beheer", world["school"], role=Role.ADMIN)
    purge_pupil(world["anna"].pk, PurgeReason.RETENTION)
    purge_pupil(world["bram"].pk, PurgeReason.REQUEST, actor=admin)
    officer = sign_in(world["users"][Role.PRIVACY])

    rows = officer.get(
        reverse("audit:log", args=[world["school"].pk]),
        {"actie": ""},
    ).context["rows"]

    purges = {(row.kind, row.user) for row in rows if row.kind.startswith("verw")}
    # The purges themselves, and the rows they took with them (Anna's
    # decision) by Koers.
    assert purges == {
        ("verwijderd (verzoek)", "beheer"),
        ("verwijderd (bewaartermijn)", "Koers (opschoning)"),
    }
    assert PupilDecision.objects.count() == 0
    assert ("verwijderd", "onbekend") not in {(row.kind, row.user) for row in rows}
