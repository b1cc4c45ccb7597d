"""One meeting in preparation per measurement, one pupil decision per pupil and
subject in a meeting.

Before this, a double click could make twins. They are merged first: the records,
decisions and actions of a later twin move to the first meeting, and a pupil
decision recorded twice in one meeting keeps its first version (a later copy with
other content stays, without its meeting, so nothing written is lost).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import migrations, models

RECORD_MODELS = ("ProfessionalDevelopmentPlan", "GroupDeviation", "PupilDecision")
DECISION_FIELDS = ("kind", "tier", "reason", "starts_on", "ends_on")


def merge_twins(apps: Any, schema_editor: Any) -> None:
    meeting_model = apps.get_model("cycle", "Meeting")
    kept: dict[tuple[int, int, str], Any] = {}
    for meeting in meeting_model.objects.filter(closed_at__isnull=True).order_by("pk"):
        key = (meeting.school_id, meeting.school_year_id, meeting.after_period)
        if key not in kept:
            kept[key] = meeting
            continue
        merge_into(apps, meeting, kept[key])

    remove_twin_decisions(apps)


def merge_into(apps: Any, twin: Any, first: Any) -> None:
    for name in RECORD_MODELS:
        model = apps.get_model("cycle", name)
        model.objects.filter(meeting=twin).update(meeting=first)
        model.objects.filter(evaluated_in=twin).update(evaluated_in=first)
    for name in ("Decision", "Action"):
        apps.get_model("cycle", name).objects.filter(meeting=twin).update(
            meeting=first
        )
    for field in ("participants", "notes"):
        extra = getattr(twin, field)
        if extra and extra not in getattr(first, field):
            setattr(first, field, "\n".join(filter(None, [getattr(first, field), extra])))
    first.save(update_fields=["participants", "notes"])
    twin.delete()


def remove_twin_decisions(apps: Any) -> None:
    decision_model = apps.get_model("cycle", "PupilDecision")
    first: dict[tuple[int, int, str], Any] = {}
    for decision in decision_model.objects.filter(meeting__isnull=False).order_by("pk"):
        key = (decision.meeting_id, decision.pupil_id, decision.subject)
        if key not in first:
            first[key] = decision
        elif all(
            getattr(decision, f) == getattr(first[key], f) for f in DECISION_FIELDS
        ):
            decision.delete()
        else:
            decision.meeting = None
            decision.save(update_fields=["meeting"])


class Migration(migrations.Migration):
    dependencies = [
        ("cycle", "0001_initial"),
        ("schools", "0002_roles"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(merge_twins, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="meeting",
            constraint=models.UniqueConstraint(
                condition=models.Q(("closed_at__isnull", True)),
                fields=("school", "school_year", "after_period"),
                name="meeting_one_open_per_measurement",
            ),
        ),
        migrations.AddConstraint(
            model_name="pupildecision",
            constraint=models.UniqueConstraint(
                fields=("meeting", "pupil", "subject"),
                name="pupil_decision_once_per_meeting",
            ),
        ),
    ]
