"""The authorisation matrix, tried on every page: each URL pattern of the
resolver, for every role, with objects of the user's own school, of another
group of that school, and of another school (security.md AUTHZ-1, AUTHZ-2,
AUTHZ-3, AUTHZ-5, AUTH-1; goals G1 to G3).

What a role should get follows from the permission each view declares
(`@requires`) and the SOLL matrix in `koers.schools.roles`; a short table at the
end states the key cases by hand, so that the matrix cannot merely agree with
itself. The world is built once per module (two boards, each with two schools of
two groups this year and one of each earlier year) and every test is rolled back.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
import time_machine
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpResponse, HttpResponseBase
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from pytest_django import DjangoDbBlocker

from koers.analysis import reports
from koers.cycle.models import (
    Action,
    Decision,
    GroupDeviation,
    Meeting,
    ProfessionalDevelopmentPlan,
    PupilDecision,
    TwentyWeekRecord,
)
from koers.cycle.tests.factories import cycle_school, meeting_after_m24
from koers.imports.models import ImportJob
from koers.results.models import ImportBatch, Instrument, TransitionTestResult
from koers.schools.access import VIEW_ATTRIBUTE
from koers.schools.models import (
    Board,
    BoardMembership,
    Enrolment,
    Group,
    Pupil,
    Role,
    School,
    SchoolMembership,
    SchoolWeighting,
    SchoolYear,
    Teacher,
)
from koers.schools.roles import (
    BOARD_PERMISSIONS,
    MATRIX,
    WITHOUT_PUPIL_DATA,
    Permission,
    Reach,
)
from koers.tests.accounts import make_user, sign_in
from koers.tests.helpers import add_result, dump_database, table_names

# Within school year 2024-2025, where the cycle factory puts its groups: the
# teacher's groups of this year (5A) and last year (4A) are in reach.
IN_SCHOOL_YEAR = dt.datetime(2025, 3, 3, 12, tzinfo=dt.UTC)
THIS_YEAR = 2024

# Patterns the matrix leaves out, each with its reason. allauth's pages (login,
# logout, password reset, the second factor) must open without a finished
# sign-in, and what they do is tried through the real forms in test_sign_in.
# Static files are served by WhiteNoise, outside the URLconf.
ALLOWLISTED_MODULES = ("allauth.",)

MD5_ONLY = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- the URL patterns ------------------------------------------------------------


@dataclass(frozen=True)
class UrlSpec:
    name: str
    route: str
    view: Callable[..., HttpResponse]
    kwargs: tuple[str, ...]
    defaults: dict[str, Any]

    @property
    def label(self) -> str:
        kind = self.defaults.get("kind")
        return f"{self.name}[{kind}]" if kind else self.name

    @property
    def declared(self) -> tuple[Permission, Permission | None] | None:
        value: tuple[Permission, Permission | None] | None = getattr(
            self.view, VIEW_ATTRIBUTE, None
        )
        return value


def walk(
    patterns: list[URLPattern | URLResolver], route: str = "", namespace: str = ""
) -> Iterator[UrlSpec]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = (
                    f"{namespace}:{pattern.namespace}"
                    if namespace
                    else (pattern.namespace)
                )
            yield from walk(pattern.url_patterns, route + str(pattern.pattern), inner)
            continue
        name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
        yield UrlSpec(
            name=name,
            route=route + str(pattern.pattern),
            view=pattern.callback,
            kwargs=tuple(pattern.pattern.regex.groupindex),
            defaults=dict(pattern.default_args),
        )


def all_url_specs() -> list[UrlSpec]:
    return list(walk(get_resolver().url_patterns))


def allowlisted(spec: UrlSpec) -> bool:
    return spec.view.__module__.startswith(ALLOWLISTED_MODULES)


URL_SPECS = [spec for spec in all_url_specs() if not allowlisted(spec)]


# Views that check the method inside, out of reach of `accepted_methods`: the
# page for removing a record hands over to a POST-only function.
METHODS_CHECKED_INSIDE = {"cycle:record-delete": frozenset({"POST"})}


def accepted_methods(view: Callable[..., Any]) -> tuple[frozenset[str] | None, bool]:
    """The methods a view answers (None: all), and whether that check comes
    before the login check of `requires` (then an anonymous POST to a GET-only
    view gets 405 rather than the login page)."""
    before_login = True
    current: Any = view
    while current is not None:
        code = getattr(current, "__code__", None)
        if code is not None:
            if code.co_qualname.startswith("requires."):
                before_login = False
            if "request_method_list" in code.co_freevars:
                cell = current.__closure__[
                    code.co_freevars.index("request_method_list")
                ]
                return frozenset(cell.cell_contents), before_login
        current = getattr(current, "__wrapped__", None)
    return None, False


# --- the world -------------------------------------------------------------------


@dataclass
class SchoolWorld:
    school: School
    group: Group
    other_group: Group
    pupil: Pupil
    other_pupil: Pupil
    meeting: Meeting
    action: Action
    records: dict[str, TwentyWeekRecord]
    job: ImportJob
    batch: ImportBatch
    colleague: User
    membership: SchoolMembership
    last_year_group: Group
    old_group: Group
    # Persistently low in spelling at the meeting's measurement.
    flagged_pupil: Pupil


class Persona(StrEnum):
    ANONYMOUS = "anonymous"
    PASSWORD_ONLY = "password-only"
    NO_FACTOR = "no-factor"
    TEACHER = "teacher"
    SUPPORT = "support"
    DIRECTOR = "director"
    ADMIN = "admin"
    PRIVACY = "privacy"
    BOARD = "board"


SCHOOL_ROLES = {
    Persona.TEACHER: Role.TEACHER,
    Persona.SUPPORT: Role.SUPPORT,
    Persona.DIRECTOR: Role.DIRECTOR,
    Persona.ADMIN: Role.ADMIN,
    Persona.PRIVACY: Role.PRIVACY,
}


@dataclass
class World:
    schools: dict[str, SchoolWorld]
    boards: dict[str, Board]
    sessions: dict[Persona, str]
    users: dict[Persona, User]


def twenty_weeks(school: School, meeting: Meeting) -> dict[str, Any]:
    return {
        "school": school,
        "meeting": meeting,
        "starts_on": dt.date(2025, 2, 20),
        "ends_on": dt.date(2025, 7, 10),
        "evaluate_year": meeting.school_year,
        "evaluate_period": "E",
    }


def meeting_records(
    school: School, meeting: Meeting, group: Group, pupil: Pupil
) -> dict[str, TwentyWeekRecord]:
    plan = ProfessionalDevelopmentPlan.objects.create(
        **twenty_weeks(school, meeting),
        subject="rekenen",
        metric="p80",
        population="group",
        gap_year=meeting.school_year,
        gap_period="M",
        target=40,
        value_at_start=34,
        n_at_start=5,
        goal="p80 rekenen naar 40",
        activities="studiedag",
        owner="directeur",
        success_criterion="p80 ten minste 40",
    )
    deviation = GroupDeviation.objects.create(
        **twenty_weeks(school, meeting),
        group=group,
        subject="rekenen",
        plan=school.education_plans.get(),
        element="time",
        from_text="300 minuten",
        to_text="360 minuten",
        reason="p80 onder de ambitie",
        figures={"school_year": THIS_YEAR, "period": "M", "subjects": []},
        expected_effect="meer groei",
    )
    decision = PupilDecision.objects.create(
        **twenty_weeks(school, meeting),
        pupil=pupil,
        subject="rekenen",
        kind="arrangement",
        reason="meer instructie",
        flag={"school_year": THIS_YEAR, "period": "M"},
    )
    return {"aanpak": plan, "afwijking": deviation, "leerlingbesluit": decision}


def leaver(school: School, brin: str, year: SchoolYear) -> None:
    """A pupil who left after group 8 last year, with a doorstroomtoets result:
    the school's end results."""
    group = Group.objects.create(school=school, school_year=year, name="8A")
    pupil = Pupil.objects.create(school=school, key=f"{brin}-8", surname="Acht")
    Enrolment.objects.create(pupil=pupil, group=group, grade="8")
    TransitionTestResult.objects.create(
        pupil=pupil,
        school_year=year,
        supplier="Cito",
        level_reading="2F",
        level_language="2F",
        level_math="1S",
    )


def build_school(code: str, brin: str, board: Board) -> SchoolWorld:
    """A cycle school (5A this year, 4A last year, plan version 1) with a second
    group this year, a group of two years back, a meeting with every kind of
    record, an upload, an import, a weighting and a colleague's account."""
    made = cycle_school(brin)
    school = made.school
    school.board = board
    school.save(update_fields=["board"])

    other_group = Group.objects.create(school=school, school_year=made.year, name="6B")
    other_pupil = Pupil.objects.create(school=school, key=f"{brin}-7", surname="Zes")
    Enrolment.objects.create(pupil=other_pupil, group=other_group, grade="6")
    math = Instrument.objects.get(name="Rekenen-Wiskunde")
    add_result(other_pupil, math, made.year, dt.date(2025, 1, 20), 45.0, "M", "6")
    old_year, _ = SchoolYear.objects.get_or_create(start_year=THIS_YEAR - 2)
    old_group = Group.objects.create(school=school, school_year=old_year, name="3A")
    last_year_group = Group.objects.get(school=school, name="4A")
    pupil = made.pupils["P1"]
    leaver(school, brin, last_year_group.school_year)

    meeting = meeting_after_m24(school)
    Decision.objects.create(meeting=meeting, text="Het rekenaanbod herzien")
    action = Action.objects.create(
        meeting=meeting,
        description="Klassenbezoeken plannen",
        owner="directeur",
        due_on=dt.date(2025, 4, 1),
    )
    records = meeting_records(school, meeting, made.group, pupil)

    job = ImportJob.objects.create(school=school)
    batch = ImportBatch.objects.create(
        school=school,
        file_name="resultaten.csv",
        checksum="0" * 64,
        format="esis",
        imported_by="ib-er",
    )
    SchoolWeighting.objects.create(
        school=school, school_year=made.year, value=Decimal("30.00")
    )
    colleague = make_user(f"collega-{code}", school)

    return SchoolWorld(
        school=school,
        group=made.group,
        other_group=other_group,
        pupil=pupil,
        other_pupil=other_pupil,
        meeting=meeting,
        action=action,
        records=records,
        job=job,
        batch=batch,
        colleague=colleague,
        membership=colleague.school_memberships.get(),
        last_year_group=last_year_group,
        old_group=old_group,
        flagged_pupil=made.pupils["P6"],
    )


def session_key(client: Client) -> str:
    return str(client.cookies[settings.SESSION_COOKIE_NAME].value)


def password_only(user: User) -> str:
    """A session that passed the password and no second factor."""
    client = Client()
    client.force_login(user)
    assert AUTHENTICATION_METHODS_SESSION_KEY not in client.session
    return session_key(client)


def build_world() -> World:
    boards = {name: Board.objects.create(name=f"Bestuur {name}") for name in "AB"}
    schools = {
        "A1": build_school("A1", "11AA", boards["A"]),
        "A2": build_school("A2", "12AA", boards["A"]),
        "B1": build_school("B1", "21BB", boards["B"]),
        "B2": build_school("B2", "22BB", boards["B"]),
    }
    home = schools["A1"]

    teacher = Teacher.objects.create(school=home.school, key="T1", surname="Jansen")
    teacher.groups.add(home.group, home.last_year_group, home.old_group)
    users: dict[Persona, User] = {}
    for persona, role in SCHOOL_ROLES.items():
        users[persona] = make_user(
            str(persona),
            home.school,
            role=role,
            teacher=teacher if role == Role.TEACHER else None,
        )
    users[Persona.BOARD] = make_user("bestuur")
    BoardMembership.objects.create(user=users[Persona.BOARD], board=boards["A"])
    # Both would reach the whole school with their second factor.
    users[Persona.PASSWORD_ONLY] = make_user("alleen-wachtwoord", home.school)
    users[Persona.NO_FACTOR] = make_user("zonder-app", home.school, second_factor=False)

    sessions = {
        persona: session_key(sign_in(users[persona]))
        for persona in (*SCHOOL_ROLES, Persona.BOARD)
    }
    sessions[Persona.PASSWORD_ONLY] = password_only(users[Persona.PASSWORD_ONLY])
    sessions[Persona.NO_FACTOR] = password_only(users[Persona.NO_FACTOR])
    return World(schools, boards, sessions, users)


class ModuleRollback(Exception):
    """Ends the module-wide transaction of `world`."""


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[World]:
    """Built once for the module, inside a transaction rolled back at its end;
    tests use `db` as well, so each test's own changes are rolled back too."""
    traveller = time_machine.travel(IN_SCHOOL_YEAR, tick=True)
    traveller.start()
    try:
        with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=MD5_ONLY):
            try:
                with transaction.atomic():
                    yield build_world()
                    raise ModuleRollback
            except ModuleRollback:
                pass
    finally:
        traveller.stop()


@pytest.fixture(autouse=True)
def no_pdf_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Who may print is decided before anything is printed: the matrix renders
    a print's HTML but leaves out WeasyPrint's layout, which took most of its
    time. The prints themselves are tested with their views."""
    monkeypatch.setattr(
        reports, "render_pdf_from_html", lambda html: b"%PDF-1.7 matrix\n"
    )


def client_of(world: World, persona: Persona) -> Client:
    client = Client()
    if persona is not Persona.ANONYMOUS:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[persona]
    return client


# --- URL arguments ---------------------------------------------------------------


class Scope(StrEnum):
    """What an argument points at, which decides who reaches it."""

    SCHOOL = "school"
    GROUP = "group"
    PUPIL = "pupil"
    BOARD = "board"
    VALUE = "value"


@dataclass(frozen=True)
class Place:
    """Where the objects of one request come from."""

    at: SchoolWorld
    board: Board
    # The other group of the school this year (and its pupil): not the teacher's.
    sibling: bool
    record_kind: str | None


# The kind of record behind `record_id` on the pages that have no `kind` argument.
RECORD_KIND_BY_NAME = {
    "cycle:development-plan": "aanpak",
    "cycle:deviation": "afwijking",
    "cycle:pupil-decision": "leerlingbesluit",
}


def record_id(place: Place) -> int:
    if place.record_kind is None:
        pytest.fail("a URL takes record_id but names no kind: add it to RECORD_KIND")
    return int(place.at.records[place.record_kind].pk)


def group_of(place: Place) -> Group:
    return place.at.other_group if place.sibling else place.at.group


def pupil_of(place: Place) -> Pupil:
    return place.at.other_pupil if place.sibling else place.at.pupil


# Every URL argument the matrix knows: what it points at and its value in a
# place. Values (a plan's number, a school year, a format) are the same in every
# school, so that another school's page exists and only its owner differs.
KWARGS: dict[str, tuple[Scope, Callable[[Place], object]]] = {
    "school_id": (Scope.SCHOOL, lambda place: place.at.school.pk),
    "group_id": (Scope.GROUP, lambda place: group_of(place).pk),
    "pupil_id": (Scope.PUPIL, lambda place: pupil_of(place).pk),
    "board_id": (Scope.BOARD, lambda place: place.board.pk),
    "meeting_id": (Scope.SCHOOL, lambda place: place.at.meeting.pk),
    "action_id": (Scope.SCHOOL, lambda place: place.at.action.pk),
    "record_id": (Scope.SCHOOL, record_id),
    "job_id": (Scope.SCHOOL, lambda place: place.at.job.pk),
    "batch_id": (Scope.SCHOOL, lambda place: place.at.batch.pk),
    "user_id": (Scope.SCHOOL, lambda place: place.at.colleague.pk),
    "membership_id": (Scope.SCHOOL, lambda place: place.at.membership.pk),
    "number": (Scope.VALUE, lambda place: 1),
    "start_year": (Scope.VALUE, lambda place: THIS_YEAR),
    "year": (Scope.VALUE, lambda place: THIS_YEAR),
    "subject": (Scope.VALUE, lambda place: "rekenen"),
    "fmt": (Scope.VALUE, lambda place: "csv"),
}


def missing_kwargs(spec: UrlSpec) -> list[str]:
    return [name for name in spec.kwargs if name not in KWARGS]


def scopes_of(spec: UrlSpec) -> set[Scope]:
    known = (KWARGS[name][0] for name in spec.kwargs if name in KWARGS)
    return set(known) - {Scope.VALUE}


class Variant(StrEnum):
    OWN = "own"
    # Another group (or its pupil) of the user's own school.
    SIBLING = "sibling"
    # Every id of another school of the same board (and the other board).
    FOREIGN = "foreign"
    # The user's own school in the path, another school's object after it.
    MIXED = "mixed"


# Pages that show nothing without a query, and what they are asked about; True
# where the query names objects by id, so it is tried with another school's.
QUERIES: dict[str, tuple[Callable[[Place], dict[str, object]], bool]] = {
    "cycle:development-plan-new": (
        lambda place: {"vak": "rekenen", "maat": "p80", "populatie": "school_3_8"},
        False,
    ),
    "cycle:deviation-new": (
        lambda place: {"groep": place.at.group.pk, "vak": "rekenen"},
        True,
    ),
    "cycle:pupil-decision-new": (
        lambda place: {"leerling": place.at.flagged_pupil.pk, "vak": "spelling"},
        True,
    ),
}


def path_objects(spec: UrlSpec) -> list[str]:
    """The arguments after the school that point at objects."""
    return [
        name
        for name in spec.kwargs
        if name != "school_id" and KWARGS[name][0] is not Scope.VALUE
    ]


def variants_of(spec: UrlSpec) -> list[Variant]:
    scopes = scopes_of(spec)
    found = [Variant.OWN]
    if scopes & {Scope.GROUP, Scope.PUPIL}:
        found.append(Variant.SIBLING)
    if scopes:
        found.append(Variant.FOREIGN)
    query_ids = QUERIES.get(spec.name, (None, False))[1]
    if ("school_id" in spec.kwargs and path_objects(spec)) or query_ids:
        found.append(Variant.MIXED)
    return found


def url_of(world: World, spec: UrlSpec, variant: Variant) -> str:
    missing = missing_kwargs(spec)
    if missing:
        pytest.fail(
            f"URL pattern {spec.label} ({spec.route}) takes {', '.join(missing)}, "
            "for which test_matrix has no fixture: add an entry to KWARGS that "
            "points it at an object of the world"
        )
    kind = spec.defaults.get("kind") or RECORD_KIND_BY_NAME.get(spec.name)
    own = Place(world.schools["A1"], world.boards["A"], False, kind)
    foreign = Place(world.schools["A2"], world.boards["B"], False, kind)
    places = {
        Variant.OWN: own,
        Variant.SIBLING: Place(own.at, own.board, True, kind),
        Variant.FOREIGN: foreign,
    }
    # Mixed: the own school in the path with another school's objects after it,
    # or, without a school in the path, the own objects with another school's
    # ids in the query.
    mixed_path = "school_id" in spec.kwargs and bool(path_objects(spec))
    path_place = places.get(variant, foreign if mixed_path else own)
    query_place = places.get(variant, foreign)

    kwargs = {name: KWARGS[name][1](path_place) for name in spec.kwargs}
    if variant is Variant.MIXED and mixed_path:
        kwargs["school_id"] = own.at.school.pk
    url = reverse(spec.name, kwargs={**kwargs, **spec.defaults})
    if spec.name in QUERIES:
        url += "?" + urlencode(QUERIES[spec.name][0](query_place))
    return url


# --- what each role should get ---------------------------------------------------


class Outcome(StrEnum):
    ALLOWED = "allowed"
    NOT_FOUND = "404"
    # A role that may read an object but not change it: 403, or 404 as for any
    # object out of reach.
    READ_ONLY = "403 or 404"
    LOGIN = "login page"
    FACTOR_SETUP = "second-factor set-up"
    METHOD = "405"


# Changes that hold for every school of the installation, beyond any school's
# roles: with more than one school only a superuser loads a norm table; the
# schools see what it covers.
INSTALLATION_WIDE = {("schoolsettings:norms", "POST")}


def reaches(
    persona: Persona, permission: Permission, spec: UrlSpec, variant: Variant
) -> bool:
    """Whether the SOLL matrix lets the persona at the objects of a request."""
    scopes = scopes_of(spec)
    if persona is Persona.BOARD:
        if permission not in BOARD_PERMISSIONS or scopes - {Scope.BOARD}:
            return False
        return variant is Variant.OWN

    grant = MATRIX[SCHOOL_ROLES[persona]]
    if permission not in grant.permissions or Scope.BOARD in scopes:
        return False
    if not scopes:
        return True
    if variant in (Variant.FOREIGN, Variant.MIXED):
        return False
    if grant.reach is Reach.SCHOOL or permission in WITHOUT_PUPIL_DATA:
        return True
    # Own groups only: a group or pupil of them, nothing school-wide.
    return scopes <= {Scope.GROUP, Scope.PUPIL} and variant is Variant.OWN


def expected(persona: Persona, method: str, spec: UrlSpec, variant: Variant) -> Outcome:
    methods, before_login = accepted_methods(spec.view)
    if spec.name in METHODS_CHECKED_INSIDE:
        methods = METHODS_CHECKED_INSIDE[spec.name]
    wrong_method = methods is not None and method not in methods
    if persona is Persona.ANONYMOUS:
        return Outcome.METHOD if wrong_method and before_login else Outcome.LOGIN
    # The middleware stops these before any view.
    if persona is Persona.PASSWORD_ONLY:
        return Outcome.LOGIN
    if persona is Persona.NO_FACTOR:
        return Outcome.FACTOR_SETUP
    if wrong_method:
        return Outcome.METHOD

    declared = spec.declared
    assert declared is not None, f"{spec.label} declares no permission"
    read, write = declared
    needed = write if method == "POST" and write is not None else read
    if reaches(persona, needed, spec, variant):
        if (spec.name, method) in INSTALLATION_WIDE:
            return Outcome.READ_ONLY
        return Outcome.ALLOWED
    if needed is not read and reaches(persona, read, spec, variant):
        return Outcome.READ_ONLY
    return Outcome.NOT_FOUND


def koers_page(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return not match.func.__module__.startswith(ALLOWLISTED_MODULES)


def outcome_of(response: HttpResponseBase, method: str) -> str:
    """The response in the terms of `Outcome`, or a description of it."""
    status = response.status_code
    if 200 <= status < 300:
        return Outcome.ALLOWED
    if status == 404:
        return Outcome.NOT_FOUND
    if status == 405:
        return Outcome.METHOD
    # A POST without fields reached its form, which refused it (409: the form
    # of a plan version that lacks the version it was opened on).
    if status in (400, 409) and method == "POST":
        return Outcome.ALLOWED
    if status in (301, 302, 303):
        location = urlsplit(response["Location"])
        if location.netloc:
            return f"redirect off-site to {response['Location']}"
        if location.path == reverse("account_login"):
            return Outcome.LOGIN
        if location.path == reverse("mfa_activate_totp"):
            return Outcome.FACTOR_SETUP
        # A page that sends on to another of Koers's (the home page to the one
        # school of a user; a form to the page it changed).
        if koers_page(location.path):
            return Outcome.ALLOWED
        return f"redirect to {location.path}"
    return f"status {status}"


def matches(outcome: str, wanted: Outcome) -> bool:
    if wanted is Outcome.READ_ONLY:
        return outcome == Outcome.NOT_FOUND or outcome == "status 403"
    return outcome == wanted


# Tables that change on a refused request by design: the audit trail records
# refusals (LOG-4), django-axes records failed logins.
def unchanging_tables() -> list[str]:
    return [
        name for name in table_names() if not name.startswith(("auditlog_", "axes_"))
    ]


def data_dump() -> dict[str, list[tuple[Any, ...]]]:
    kept = set(unchanging_tables())
    return dump_database(exclude=[n for n in table_names() if n not in kept])


# --- the matrix ------------------------------------------------------------------

PERSONAS = list(Persona)


@pytest.mark.parametrize("persona", PERSONAS, ids=str)
@pytest.mark.parametrize("spec", URL_SPECS, ids=lambda spec: spec.label)
def test_every_role_gets_what_the_matrix_grants(
    world: World, db: None, spec: UrlSpec, persona: Persona
) -> None:
    if missing_kwargs(spec):
        url_of(world, spec, Variant.OWN)
    client = client_of(world, persona)
    requests = [
        (
            method,
            variant,
            url_of(world, spec, variant),
            expected(persona, method, spec, variant),
        )
        for method, variant in itertools.product(("GET", "POST"), variants_of(spec))
    ]
    # Refused writes first, between two dumps of every table; the writes that
    # are allowed change data, so they come last.
    refused = [r for r in requests if r[0] == "POST" and r[3] != Outcome.ALLOWED]
    allowed = [r for r in requests if r[0] == "POST" and r[3] == Outcome.ALLOWED]
    reads = [r for r in requests if r[0] == "GET"]

    wrong: list[str] = []

    def send(method: str, variant: Variant, url: str, wanted: Outcome) -> None:
        call = client.get if method == "GET" else client.post
        got = outcome_of(call(url), method)
        if not matches(got, wanted):
            wrong.append(f"{method} {url} ({variant}): wanted {wanted}, got {got}")

    for request in reads:
        send(*request)

    before = data_dump()
    for request in refused:
        send(*request)
    after = data_dump()

    for request in allowed:
        send(*request)

    changed = [table for table in before if before[table] != after.get(table)]
    assert wrong == [], "\n".join(wrong)
    assert changed == [], f"a refused POST changed {changed}"


# --- declarations ----------------------------------------------------------------


def test_every_url_pattern_declares_a_permission() -> None:
    undeclared = [
        f"{spec.label} ({spec.route})"
        for spec in URL_SPECS
        if not (spec.declared and isinstance(spec.declared[0], Permission))
    ]

    assert undeclared == []


def test_every_permission_is_declared_by_a_view() -> None:
    declared = {
        permission
        for spec in URL_SPECS
        for permission in (spec.declared or ())
        if permission is not None
    }

    assert set(Permission) - declared == set()


def test_every_url_argument_has_a_fixture() -> None:
    missing = {spec.label: missing_kwargs(spec) for spec in URL_SPECS}

    assert {label: names for label, names in missing.items() if names} == {}


def test_a_url_argument_without_a_fixture_fails_with_its_name(
    world: World, db: None
) -> None:
    spec = UrlSpec(
        name="audit:entry",
        route="logboek/<int:entry_id>/",
        view=URL_SPECS[0].view,
        kwargs=("entry_id",),
        defaults={},
    )

    with pytest.raises(pytest.fail.Exception, match="takes entry_id"):
        url_of(world, spec, Variant.OWN)


# The sign-in pages a visitor reaches without signing in (security.md AUTHZ-1,
# G3): logging in, asking for and using a reset link, and the closed sign-up;
# besides them three of allauth's pages with a fixed text only (an inactive
# account, an e-mail check that Koers never sends, its link).
PUBLIC_PAGES = {
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_inactive",
    "account_email_verification_sent",
    "account_confirm_email",
}
# What an allauth address needs to resolve: a made-up key or link.
ALLAUTH_KWARGS = {"key": "ongeldig", "uidb36": "1"}


def test_anonymous_visitors_reach_only_the_public_sign_in_pages(db: None) -> None:
    client = Client()
    reached = set()

    for spec in all_url_specs():
        if not allowlisted(spec):
            continue
        kwargs = {name: ALLAUTH_KWARGS[name] for name in spec.kwargs}
        if 200 <= client.get(reverse(spec.name, kwargs=kwargs)).status_code < 300:
            reached.add(spec.name)

    assert reached <= PUBLIC_PAGES
    assert {"account_login", "account_reset_password"} <= reached


def test_only_allauth_pages_are_left_out_of_the_matrix() -> None:
    left_out = {spec.view.__module__.split(".")[0] for spec in all_url_specs()} - {
        spec.view.__module__.split(".")[0] for spec in URL_SPECS
    }

    assert left_out == {"allauth"}
    assert len(URL_SPECS) >= 70


# --- by hand ---------------------------------------------------------------------

# Statuses worked out from the role descriptions in security.md, not from the
# matrix code: a teacher opens their own groups of this year and last and
# nothing school-wide; the board sees its own board's page and no pupil; the
# applicatiebeheerder reaches settings and no pupil; the privacy officer no
# pupil data at all.
BY_HAND: list[tuple[Persona, str, str, int | str]] = [
    (Persona.TEACHER, "analysis:group-overview", "group 5A", 200),
    (Persona.TEACHER, "analysis:group-overview", "group 4A last year", 200),
    (Persona.TEACHER, "analysis:group-overview", "group 3A two years back", 404),
    (Persona.TEACHER, "analysis:group-overview", "group 6B", 404),
    (Persona.TEACHER, "analysis:group-overview", "group 5A of A2", 404),
    (Persona.TEACHER, "analysis:pupil-overview", "pupil of 5A", 200),
    (Persona.TEACHER, "analysis:pupil-overview", "pupil of 6B", 404),
    (Persona.TEACHER, "analysis:school-overview", "school A1", 404),
    (Persona.TEACHER, "imports:upload", "school A1", 404),
    (Persona.TEACHER, "cycle:plan", "school A1", 200),
    (Persona.TEACHER, "cycle:plan", "school A2", 404),
    (Persona.SUPPORT, "analysis:school-overview", "school A1", 200),
    (Persona.SUPPORT, "analysis:school-overview", "school A2", 404),
    (Persona.SUPPORT, "analysis:pupil-overview", "pupil of 6B", 200),
    (Persona.SUPPORT, "analysis:pupil-overview", "pupil of 5A of B1", 404),
    (Persona.SUPPORT, "cycle:board", "board A", 404),
    (Persona.DIRECTOR, "analysis:group-overview", "group 6B", 200),
    (Persona.DIRECTOR, "schoolsettings:index", "school A2", 404),
    (Persona.BOARD, "cycle:board", "board A", 200),
    (Persona.BOARD, "cycle:board", "board B", 404),
    (Persona.BOARD, "analysis:school-overview", "school A1", 404),
    (Persona.BOARD, "analysis:pupil-overview", "pupil of 5A", 404),
    (Persona.ADMIN, "schoolsettings:index", "school A1", 200),
    (Persona.ADMIN, "analysis:pupil-overview", "pupil of 5A", 404),
    (Persona.ADMIN, "analysis:group-overview", "group 5A", 404),
    (Persona.ADMIN, "analysis:school-overview", "school A1", 404),
    (Persona.PRIVACY, "analysis:home", "", 200),
    (Persona.PRIVACY, "analysis:pupil-overview", "pupil of 5A", 404),
    (Persona.PRIVACY, "schoolsettings:index", "school A1", 404),
    (Persona.ANONYMOUS, "analysis:home", "", "login"),
    (Persona.PASSWORD_ONLY, "analysis:pupil-overview", "pupil of 5A", "login"),
    (Persona.NO_FACTOR, "analysis:pupil-overview", "pupil of 5A", "set-up"),
]


def by_hand_target(world: World, key: str) -> list[int]:
    a1, a2, b1 = (world.schools[code] for code in ("A1", "A2", "B1"))
    targets = {
        "": [],
        "school A1": [a1.school.pk],
        "school A2": [a2.school.pk],
        "group 5A": [a1.group.pk],
        "group 4A last year": [a1.last_year_group.pk],
        "group 3A two years back": [a1.old_group.pk],
        "group 6B": [a1.other_group.pk],
        "group 5A of A2": [a2.group.pk],
        "pupil of 5A": [a1.pupil.pk],
        "pupil of 6B": [a1.other_pupil.pk],
        "pupil of 5A of B1": [b1.pupil.pk],
        "board A": [world.boards["A"].pk],
        "board B": [world.boards["B"].pk],
    }
    return targets[key]


@pytest.mark.parametrize(
    ("persona", "name", "target", "status"),
    BY_HAND,
    ids=[f"{p}-{n}-{t}" for p, n, t, _ in BY_HAND],
)
def test_key_pages_answer_as_worked_out_by_hand(
    world: World, db: None, persona: Persona, name: str, target: str, status: int | str
) -> None:
    response = client_of(world, persona).get(
        reverse(name, args=by_hand_target(world, target))
    )

    if status == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    elif status == "set-up":
        assert (response.status_code, response["Location"]) == (
            302,
            reverse("mfa_activate_totp"),
        )
    else:
        assert response.status_code == status


def test_the_world_has_two_boards_of_two_schools_of_two_groups(
    world: World, db: None
) -> None:
    this_year = Group.objects.filter(school_year__start_year=THIS_YEAR)

    assert Board.objects.count() == 2
    assert all(board.schools.count() == 2 for board in Board.objects.all())
    assert {
        school.groups.filter(pk__in=this_year).count()
        for school in (world.schools[code].school for code in world.schools)
    } == {2}
    # One persona per role of the matrix, plus board staff.
    assert set(SCHOOL_ROLES.values()) == set(MATRIX)
