"""Every URL pattern of Koers with arguments that point at real objects, for the
tests that try each page: headers, CSRF and methods (koers.tests.test_hardening).

The world is the cycle's hand-made school (`koers.cycle.tests.factories`) with an
open schoolbespreking holding one record of each kind, an action, an upload, an
import, a weighting, and its board. A URL whose argument has no value here fails
the tests that use it, so that a new page cannot go unchecked.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

from koers.cycle.models import (
    Action,
    GroupDeviation,
    Meeting,
    ProfessionalDevelopmentPlan,
    PupilDecision,
)
from koers.cycle.tests.factories import cycle_school, meeting_after_m24
from koers.imports.models import ImportJob, JobStatus
from koers.results.models import ImportBatch
from koers.schools.access import VIEW_ATTRIBUTE
from koers.schools.models import Board, BoardMembership, Role, SchoolWeighting
from koers.schools.roles import BOARD_PERMISSIONS, MATRIX, Permission
from koers.tests.accounts import make_user, sign_in

ROUTE_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
REGEX_ARGUMENT = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


@dataclass(frozen=True)
class Endpoint:
    name: str
    segments: tuple[URLPattern | URLResolver, ...]
    view: Callable[..., HttpResponse]

    @property
    def route(self) -> str:
        return "".join(str(segment.pattern) for segment in self.segments)

    @property
    def permission(self) -> Permission | None:
        declared = getattr(self.view, VIEW_ATTRIBUTE, None)
        return declared[0] if declared else None

    def path(self, values: dict[str, Any]) -> str:
        """The URL with each argument filled in; KeyError names a missing one."""
        parts = []
        for segment in self.segments:
            pattern = segment.pattern
            if isinstance(pattern, RoutePattern):
                text = ROUTE_ARGUMENT.sub(
                    lambda m: str(values[m["name"]]), str(pattern)
                )
            else:
                assert isinstance(pattern, RegexPattern)
                text = REGEX_ARGUMENT.sub(
                    lambda m: str(values[m["name"]]), str(pattern)
                ).strip("^$")
            parts.append(text)
        return "/" + "".join(parts)


def walk(
    patterns: list[URLPattern | URLResolver],
    segments: tuple[URLPattern | URLResolver, ...] = (),
    namespace: str = "",
) -> Iterator[Endpoint]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}".strip(":")
            yield from walk(pattern.url_patterns, (*segments, pattern), inner)
        else:
            name = f"{namespace}:{pattern.name}".strip(":")
            yield Endpoint(name, (*segments, pattern), pattern.callback)


def endpoints() -> list[Endpoint]:
    return list(walk(get_resolver().url_patterns))


def accepted_methods(view: Callable[..., Any]) -> frozenset[str] | None:
    """The methods a view accepts through Django's `require_http_methods` family
    (None: every method), read from the decorator's closure."""
    current: Any = view
    while current is not None:
        code = getattr(current, "__code__", None)
        if code is not None and "request_method_list" in code.co_freevars:
            cell = current.__closure__[code.co_freevars.index("request_method_list")]
            return frozenset(cell.cell_contents)
        current = getattr(current, "__wrapped__", None)
    return None


QUERIES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "cycle:development-plan-new": lambda values: {
        "vak": "rekenen",
        "maat": "p80",
        "populatie": "school_3_8",
    },
    "cycle:deviation-new": lambda values: {
        "groep": values["group_id"],
        "vak": "rekenen",
    },
    "cycle:pupil-decision-new": lambda values: {
        "leerling": values["flagged_pupil_id"],
        "vak": "spelling",
    },
}


@dataclass
class World:
    values: dict[str, Any]
    # The same argument name points at a different record per URL prefix.
    records: dict[str, int]
    users: dict[str, User]

    def values_for(self, endpoint: Endpoint) -> dict[str, Any]:
        prefix = endpoint.route.split("/", 1)[0]
        record = self.records.get(prefix)
        return {**self.values, "record_id": record} if record else self.values

    def url_for(self, endpoint: Endpoint) -> str:
        """The path, and the query string a page needs to open (the pages that
        start a record are opened from a signal on the meeting's page)."""
        path = endpoint.path(self.values_for(endpoint))
        query = QUERIES.get(endpoint.name)
        return f"{path}?{urlencode(query(self.values))}" if query else path

    def persona_for(self, endpoint: Endpoint) -> str:
        """The persona whose role carries the view's permission: the intern
        begeleider for the school's pages and allauth's, the applicatiebeheerder
        for accounts, the audit trail and pupil rights, board staff for the board."""
        permission = endpoint.permission
        if permission is None or permission in MATRIX[Role.SUPPORT].permissions:
            return "support"
        if permission in MATRIX[Role.ADMIN].permissions:
            return "admin"
        assert permission in BOARD_PERMISSIONS, permission
        return "board"

    def client(self, persona: str, csrf: bool = False) -> Client:
        return sign_in(self.users[persona], Client(enforce_csrf_checks=csrf))


def twenty_weeks(meeting: Meeting) -> dict[str, Any]:
    return {
        "school": meeting.school,
        "meeting": meeting,
        "starts_on": dt.date(2025, 2, 20),
        "ends_on": dt.date(2025, 7, 10),
        "evaluate_year": meeting.school_year,
        "evaluate_period": "E",
    }


def records_of(meeting: Meeting, made: Any) -> dict[str, int]:
    plan = ProfessionalDevelopmentPlan.objects.create(
        **twenty_weeks(meeting),
        subject="rekenen",
        metric="p80",
        population="school_3_8",
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
        **twenty_weeks(meeting),
        group=made.group,
        subject="rekenen",
        plan=made.plan,
        element="time",
        from_text="300 minuten",
        to_text="360 minuten",
        reason="p80 onder de ambitie",
        figures={"school_year": 2024, "period": "M", "subjects": []},
        expected_effect="meer groei",
    )
    decision = PupilDecision.objects.create(
        **twenty_weeks(meeting),
        pupil=made.pupils["P1"],
        subject="rekenen",
        kind="arrangement",
        reason="meer instructie",
        flag={"school_year": 2024, "period": "M"},
    )
    return {
        "aanpak": plan.pk,
        "afwijking": deviation.pk,
        "leerlingbesluit": decision.pk,
    }


def build_world() -> World:
    made = cycle_school()
    school = made.school
    board = Board.objects.create(name="Stichting De Proef")
    school.board = board
    school.save(update_fields=["board"])

    meeting = meeting_after_m24(school)
    action = Action.objects.create(
        meeting=meeting,
        description="Klassenbezoeken plannen",
        owner="directeur",
        due_on=dt.date(2025, 4, 1),
    )
    job = ImportJob.objects.create(school=school, status=JobStatus.QUEUED)
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

    users = {
        "support": make_user("ib-er", school),
        "admin": make_user("beheerder", school, role=Role.ADMIN),
        "board": make_user("bestuur"),
    }
    BoardMembership.objects.create(user=users["board"], board=board)

    values = {
        "school_id": school.pk,
        "group_id": made.group.pk,
        "pupil_id": made.pupils["P1"].pk,
        "flagged_pupil_id": made.pupils["P6"].pk,
        "board_id": board.pk,
        "meeting_id": meeting.pk,
        "action_id": action.pk,
        "job_id": job.pk,
        "batch_id": batch.pk,
        "start_year": made.year.start_year,
        "year": made.year.start_year,
        "number": made.plan.number,
        "subject": "rekenen",
        "fmt": "csv",
        "membership_id": users["support"].school_memberships.get().pk,
        "user_id": users["support"].pk,
        # allauth's e-mail and reset links: a key that is not valid answers with
        # allauth's own page that says so.
        "key": "onbekend",
        "uidb36": "0",
    }
    return World(values, records_of(meeting, made), users)
