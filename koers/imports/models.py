"""An upload from the browser, from its preview to the background import."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from koers.schools.models import School


class JobStatus(models.TextChoices):
    PREVIEW = "preview", _("te controleren")
    QUEUED = "queued", _("wacht op verwerking")
    RUNNING = "running", _("bezig met importeren")
    DONE = "done", _("klaar")
    FAILED = "failed", _("mislukt")
    CANCELLED = "cancelled", _("geannuleerd")


FINISHED = frozenset({JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED})


class ImportJob(models.Model):
    """The files of one upload. `files` holds per file its name as uploaded, the
    generated name it is stored under and the detected format; `preview` the
    dry-run report per file, `summaries` the report of the real import."""

    school = models.ForeignKey(School, models.CASCADE, related_name="import_jobs")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("geüpload op"), auto_now_add=True)
    finished_at = models.DateTimeField(_("klaar op"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.PREVIEW
    )
    files = models.JSONField(_("bestanden"), default=list)
    preview = models.JSONField(_("proefimport"), default=list)
    summaries = models.JSONField(_("verslag"), default=list)
    files_done = models.PositiveIntegerField(_("bestanden klaar"), default=0)
    current_file = models.CharField(_("bezig met"), max_length=255, blank=True)
    error = models.TextField(_("fout"), blank=True)
    task_id = models.CharField(_("taak"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("import uit de browser")
        verbose_name_plural = _("imports uit de browser")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.school_id} {self.created_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def files_total(self) -> int:
        return len(self.files)

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED
