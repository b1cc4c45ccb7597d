"""How long the logs are kept: the audit trail and the login records for
`KOERS_LOG_RETENTION_MONTHS` (12 by default, long enough to answer a question
about last school year), the queue of background tasks for
`KOERS_TASK_RETENTION_DAYS` (30) after they finished (security.md LOG-8).
`koers purge` applies this after the pupils; the data inventory promises it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from auditlog.models import LogEntry
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LogCutoffs:
    logs: dt.datetime
    tasks: dt.datetime


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day `months` calendar months earlier (the last day of a shorter
    month: 31 March minus one month is 28 or 29 February)."""
    years, month_index = divmod(moment.month - 1 - months, 12)
    year, month = moment.year + years, month_index + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def cutoffs(now: dt.datetime | None = None) -> LogCutoffs:
    now = now or timezone.now()
    return LogCutoffs(
        logs=months_before(now, settings.KOERS_LOG_RETENTION_MONTHS),
        tasks=now - dt.timedelta(days=settings.KOERS_TASK_RETENTION_DAYS),
    )


def expired(now: dt.datetime | None = None) -> dict[str, QuerySet[Any]]:
    """Per kind of record, the rows past their time (finished tasks only: a task
    still waiting or running is never removed)."""
    limits = cutoffs(now)
    return {
        "logboekregels": LogEntry.objects.filter(timestamp__lt=limits.logs),
        "inlogpogingen": AccessAttempt.objects.filter(attempt_time__lt=limits.logs),
        "mislukte inlogpogingen": AccessFailureLog.objects.filter(
            attempt_time__lt=limits.logs
        ),
        "inlogregistraties": AccessLog.objects.filter(attempt_time__lt=limits.logs),
        "achtergrondtaken": DBTaskResult.objects.filter(
            finished_at__isnull=False, finished_at__lt=limits.tasks
        ),
    }


def count_expired(now: dt.datetime | None = None) -> dict[str, int]:
    return {label: rows.count() for label, rows in expired(now).items()}


@transaction.atomic
def prune_logs(now: dt.datetime | None = None) -> dict[str, int]:
    removed = {}
    for label, rows in expired(now).items():
        removed[label] = rows.count()
        rows.delete()
    logger.info("logs pruned %s", " ".join(f"{k}={v}" for k, v in removed.items() if v))
    return removed
