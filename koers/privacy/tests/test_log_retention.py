"""The logs are kept for a year, finished tasks for thirty days, and `koers purge`
removes what is older (the retention the data inventory promises)."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt, AccessLog
from django.contrib.contenttypes.models import ContentType
from django_tasks_db.models import DBTaskResult
from time_machine import TimeMachineFixture

from koers.privacy.log_retention import months_before, prune_logs
from koers.schools.models import School
from koers.tests.helpers import make_school, run_koers

pytestmark = pytest.mark.django_db

START = dt.datetime(2025, 3, 31, 12, tzinfo=dt.UTC)


def noon(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 12, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (noon(2026, 3, 31), 12, noon(2025, 3, 31)),
        (noon(2025, 3, 31), 1, noon(2025, 2, 28)),
        (noon(2024, 3, 31), 1, noon(2024, 2, 29)),
        (noon(2025, 1, 15), 13, noon(2023, 12, 15)),
    ],
)
def test_months_before_counts_calendar_months(
    moment: dt.datetime, months: int, expected: dt.datetime
) -> None:
    assert months_before(moment, months) == expected


def seed(school: School) -> None:
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(School),
        object_pk=str(school.pk),
        object_id=school.pk,
        object_repr=f"schools.school {school.pk}",
        action=LogEntry.Action.ACCESS,
    )
    AccessAttempt.objects.create(
        username="iemand", ip_address="192.0.2.1", user_agent="", failures_since_start=1
    )
    AccessLog.objects.create(username="iemand", ip_address="192.0.2.1", user_agent="")


def test_purge_removes_logs_after_a_year_and_tasks_after_thirty_days(
    time_machine: TimeMachineFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    time_machine.move_to(START, tick=False)
    school = make_school()
    seed(school)
    task = DBTaskResult.objects.create(
        status="SUCCESSFUL",
        task_path="koers.imports.tasks.run_import_job",
        args_kwargs={"args": [], "kwargs": {}},
        queue_name="default",
        backend_name="default",
        finished_at=START,
    )

    # 30 days later the task is due, the logs are not.
    time_machine.move_to(START + dt.timedelta(days=30, seconds=1), tick=False)
    assert prune_logs()["achtergrondtaken"] == 1
    assert not DBTaskResult.objects.filter(pk=task.pk).exists()
    assert LogEntry.objects.count() == 1

    # On 31 March 2026 the entries of 31 March 2025 are exactly a year old: kept.
    time_machine.move_to(dt.datetime(2026, 3, 31, 12, tzinfo=dt.UTC), tick=False)
    assert run_koers("purge", "--dry-run") == 0
    assert "geen zou verwijderen" in capsys.readouterr().out
    assert LogEntry.objects.count() == 1

    time_machine.move_to(dt.datetime(2026, 3, 31, 12, 1, tzinfo=dt.UTC), tick=False)
    assert run_koers("purge") == 0

    out = capsys.readouterr().out
    assert "1 logboekregels, 1 inlogpogingen, 1 inlogregistraties verwijderd" in out
    assert not LogEntry.objects.filter(object_repr=f"schools.school {school.pk}")
    assert not AccessAttempt.objects.exists()
    assert not AccessLog.objects.exists()
