"""The deletion ledger: which pupils were purged, pseudonymously, and why."""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from koers.schools.models import School


class PurgeReason(models.TextChoices):
    RETENTION = "retention", _("bewaartermijn verstreken")
    REQUEST = "request", _("verzoek tot verwijdering")


class PurgeRecord(models.Model):
    """One purged pupil. The same entry also goes to the ledger file outside the
    database (`KOERS_PURGE_LEDGER`): a restored back-up brings back this table as
    it was, the file is what `koers purge --replay` reads."""

    pupil_key = models.CharField(_("pseudoniem van de leerling"), max_length=64)
    school = models.ForeignKey(
        School, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    school_code = models.CharField(_("BRIN en vestiging"), max_length=6)
    purged_at = models.DateTimeField(_("verwijderd op"))
    reason = models.CharField(_("reden"), max_length=10, choices=PurgeReason.choices)
    counts = models.JSONField(
        _("verwijderde gegevens"), default=dict, encoder=DjangoJSONEncoder
    )
    replayed = models.BooleanField(_("opnieuw toegepast na herstel"), default=False)

    class Meta:
        verbose_name = _("verwijderde leerling")
        verbose_name_plural = _("verwijderde leerlingen")
        ordering = ["-purged_at", "-pk"]
        indexes = [models.Index(fields=["pupil_key"])]

    def __str__(self) -> str:
        return f"{self.pupil_key} {self.purged_at:%Y-%m-%d} {self.reason}"
