"""`koers demo --no-serve`: the whole demo school, from files to a working login."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from koers.analysis.models import Ambition, FlagRuleSetting
from koers.lib.demo import DemoSpec
from koers.results.models import TestResult as Result
from koers.results.models import TransitionTestResult
from koers.schools.models import Enrolment, School
from koers.tests.accounts import sign_in
from koers.tests.helpers import dump_database, run_koers

pytestmark = pytest.mark.django_db

SPEC = DemoSpec()
# Deleted and written again on every run (new ids, a new password salt): compared
# by content below instead.
REWRITTEN = [
    "auth_user",
    LogEntry._meta.db_table,
    Ambition._meta.db_table,
    FlagRuleSetting._meta.db_table,
]


def stats() -> dict[str, int]:
    out = io.StringIO()
    call_command("stats", format="json", stdout=out)
    result: dict[str, int] = json.loads(out.getvalue())
    return result


def settings_of(school: School) -> set[tuple[Any, ...]]:
    ambitions = {
        (a.subject, a.metric, a.population, a.target)
        for a in Ambition.objects.filter(school=school)
    }
    rules = {
        (r.rule, json.dumps(r.parameters, sort_keys=True))
        for r in FlagRuleSetting.objects.filter(school=school)
    }
    return ambitions | rules


def test_it_builds_the_demo_school_and_running_it_again_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = (
        "demo",
        "--no-serve",
        "--dir",
        str(tmp_path),
        "--password",
        "geheim-demo-wachtwoord",
    )

    assert run_koers(*argv) == 0

    school = School.objects.get(brin=SPEC.brin)
    assert school.name == "OBS De Koerswijzer"
    out = capsys.readouterr().out
    assert "als 'demo' met wachtwoord 'geheim-demo-wachtwoord'" in out
    # About 250 pupils per school year (the spec's `pupils`), in three years.
    years = SPEC.school_years
    assert years == (2023, 2024, 2025)
    for year in years:
        placed = (
            Enrolment.objects.filter(
                group__school=school, group__school_year__start_year=year
            )
            .values("pupil")
            .distinct()
            .count()
        )
        assert 200 <= placed <= 300, (year, placed)
    result_years = set(
        Result.objects.filter(pupil__school=school).values_list(
            "school_year__start_year", flat=True
        )
    )
    assert set(years) <= result_years
    transition_years = set(
        TransitionTestResult.objects.filter(pupil__school=school).values_list(
            "school_year__start_year", flat=True
        )
    )
    assert transition_years == set(years)
    counts = stats()
    assert counts["schools"] == 1
    assert counts["boards"] == 1
    assert counts["results"] > 1000
    assert counts["transition_results"] > 0
    # Every result has an index: the demo norm table covers every moment.
    assert not Result.objects.filter(index_value__isnull=True).exists()

    demo = User.objects.get(username="demo")
    assert demo.check_password("geheim-demo-wachtwoord")
    client = sign_in(demo)
    page = client.get(reverse("analysis:school-overview", args=[school.pk]))
    assert page.status_code == 200
    assert "OBS De Koerswijzer" in page.content.decode()

    before = dump_database(exclude=REWRITTEN)
    settings_before = settings_of(school)
    last_event = LogEntry.objects.order_by("pk").last()

    assert run_koers(*argv) == 0

    assert dump_database(exclude=REWRITTEN) == before
    # The audit trail records what the demo rewrites: the password, ambitions, rules.
    new_events = LogEntry.objects.filter(pk__gt=last_event.pk if last_event else 0)
    assert {event.content_type.model for event in new_events} <= {
        "user",
        "ambition",
        "flagrulesetting",
    }
    assert settings_of(school) == settings_before
    assert stats() == counts
    assert User.objects.get(username="demo").check_password("geheim-demo-wachtwoord")
