"""Instruments, test results, transition-test results, norm tables and imports.

Scores are only ever compared within one instrument (supplier, name, generation):
a Cito 2.0 and a 3.0 score are different scales. Comparison across instruments goes
through the supplier-neutral index stored with each result.
"""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from koers.lib.analysis.index import IndexSource
from koers.lib.records import Period, ReferenceLevel, Subject
from koers.schools.models import Pupil, School, SchoolYear


class SubjectChoice(models.TextChoices):
    MATH = Subject.MATH.value, _("Rekenen")
    READING_COMPREHENSION = Subject.READING_COMPREHENSION.value, _("Begrijpend lezen")
    SPELLING = Subject.SPELLING.value, _("Spelling")
    TECHNICAL_READING = Subject.TECHNICAL_READING.value, _("Technisch lezen")
    VOCABULARY = Subject.VOCABULARY.value, _("Woordenschat")
    LANGUAGE = Subject.LANGUAGE.value, _("Taalverzorging")
    OTHER = Subject.OTHER.value, _("Overig")


class PeriodChoice(models.TextChoices):
    BEGIN = Period.BEGIN.value, _("Begin")
    MIDDLE = Period.MIDDLE.value, _("Midden")
    END = Period.END.value, _("Eind")


class ReferenceLevelChoice(models.TextChoices):
    BELOW_1F = ReferenceLevel.BELOW_1F.value, _("onder 1F")
    F1 = ReferenceLevel.F1.value, "1F"
    S1 = ReferenceLevel.S1.value, "1S"
    F2 = ReferenceLevel.F2.value, "2F"
    S2 = ReferenceLevel.S2.value, "2S"
    F3 = ReferenceLevel.F3.value, "3F"


class IndexSourceChoice(models.TextChoices):
    PERCENTILE = IndexSource.PERCENTILE.value, _("geleverd percentiel")
    NORM_TABLE = IndexSource.NORM_TABLE.value, _("normtabel")
    LEVEL_BAND = IndexSource.LEVEL_BAND.value, _("niveau (grof)")


class ImportBatch(models.Model):
    school = models.ForeignKey(
        School, models.CASCADE, null=True, blank=True, related_name="import_batches"
    )
    file_name = models.CharField(_("bestandsnaam"), max_length=255)
    checksum = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    format = models.CharField(_("formaat"), max_length=40)
    imported_by = models.CharField(_("geïmporteerd door"), max_length=150)
    imported_at = models.DateTimeField(_("geïmporteerd op"), auto_now_add=True)
    counts = models.JSONField(_("aantallen"), default=dict)
    report = models.JSONField(_("verslag"), default=dict)
    # What the batch created and what the rows it changed held before: see
    # koers.results.undo. Decimals and dates are kept as text.
    undo_log = models.JSONField(
        _("gegevens om ongedaan te maken"), default=dict, encoder=DjangoJSONEncoder
    )
    undone_at = models.DateTimeField(_("ongedaan gemaakt op"), null=True, blank=True)
    undone_by = models.CharField(_("ongedaan gemaakt door"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.imported_at:%Y-%m-%d %H:%M})"


class Instrument(models.Model):
    supplier = models.CharField(_("leverancier"), max_length=100)
    subject = models.CharField(_("vak"), max_length=30, choices=SubjectChoice.choices)
    name = models.CharField(_("toets"), max_length=255)
    generation = models.CharField(_("versie of generatie"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("toets")
        verbose_name_plural = _("toetsen")
        ordering = ["subject", "name", "generation"]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "name", "generation"], name="instrument_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.generation}".strip()


class TestResult(models.Model):
    """One test taken by one pupil, with every score the supplier delivered."""

    pupil = models.ForeignKey(Pupil, models.CASCADE, related_name="results")
    instrument = models.ForeignKey(Instrument, models.PROTECT, related_name="results")
    school_year = models.ForeignKey(SchoolYear, models.PROTECT, related_name="+")
    period = models.CharField(
        _("moment"), max_length=1, choices=PeriodChoice.choices, blank=True
    )
    moment_grade = models.CharField(_("niveau van de toets"), max_length=2, blank=True)
    grade_at_test = models.CharField(
        _("jaargroep bij afname"), max_length=2, blank=True
    )
    test_version = models.CharField(_("toetsversie"), max_length=100, blank=True)
    administered_on = models.DateField(_("afnamedatum"))
    raw_score = models.DecimalField(
        _("ruwe score"), max_digits=9, decimal_places=3, null=True, blank=True
    )
    ability_score = models.DecimalField(
        _("vaardigheidsscore"), max_digits=9, decimal_places=3, null=True, blank=True
    )
    scale = models.CharField(_("schaal"), max_length=40, blank=True)
    level_iv = models.CharField(_("niveau I-V"), max_length=4, blank=True)
    level_ae = models.CharField(_("niveau A-E"), max_length=2, blank=True)
    percentile = models.DecimalField(
        _("percentiel"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    dle = models.IntegerField(_("DLE"), null=True, blank=True)
    didactic_age = models.IntegerField(_("DL"), null=True, blank=True)
    functioning_level = models.CharField(
        _("functioneringsniveau"), max_length=10, blank=True
    )
    reference_level = models.CharField(
        _("referentieniveau"),
        max_length=3,
        choices=ReferenceLevelChoice.choices,
        blank=True,
    )
    norm_label = models.CharField(_("norm"), max_length=100, blank=True)
    derived = models.JSONField(_("afgeleide scores"), default=list)
    index_value = models.FloatField(_("index"), null=True, blank=True)
    index_source = models.CharField(
        _("bron van de index"),
        max_length=12,
        choices=IndexSourceChoice.choices,
        blank=True,
    )
    index_coarse = models.BooleanField(_("grove index"), default=False)
    import_batch = models.ForeignKey(
        ImportBatch, models.CASCADE, null=True, blank=True, related_name="results"
    )

    class Meta:
        verbose_name = _("toetsresultaat")
        verbose_name_plural = _("toetsresultaten")
        ordering = ["administered_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "instrument", "test_version", "administered_on"],
                name="result_natural_key",
            )
        ]
        indexes = [models.Index(fields=["school_year", "instrument"])]

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.instrument_id} {self.administered_on}"

    @property
    def moment(self) -> str:
        return f"{self.period}{self.moment_grade}"


class TransitionTestResult(models.Model):
    """A groep-8 doorstroomtoets result: the reference level reached per domain."""

    pupil = models.ForeignKey(Pupil, models.CASCADE, related_name="transition_results")
    school_year = models.ForeignKey(SchoolYear, models.PROTECT, related_name="+")
    supplier = models.CharField(_("leverancier"), max_length=100)
    administered_on = models.DateField(_("afnamedatum"), null=True, blank=True)
    level_reading = models.CharField(
        _("lezen"), max_length=3, choices=ReferenceLevelChoice.choices, blank=True
    )
    level_language = models.CharField(
        _("taalverzorging"),
        max_length=3,
        choices=ReferenceLevelChoice.choices,
        blank=True,
    )
    level_math = models.CharField(
        _("rekenen"), max_length=3, choices=ReferenceLevelChoice.choices, blank=True
    )
    exempt = models.BooleanField(_("ontheffing"), default=False)
    advice = models.CharField(_("toetsadvies"), max_length=100, blank=True)
    import_batch = models.ForeignKey(
        ImportBatch, models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("doorstroomtoetsresultaat")
        verbose_name_plural = _("doorstroomtoetsresultaten")
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "school_year"], name="transition_pupil_year_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.school_year}"


class NormRow(models.Model):
    """A national mean and SD for one instrument at one moment, entered by a school
    or board from the supplier's manual. Koers ships none: they are not public."""

    instrument = models.CharField(_("toets"), max_length=255)
    generation = models.CharField(_("versie of generatie"), max_length=100)
    norm_version = models.CharField(_("normversie"), max_length=100)
    moment = models.CharField(_("moment"), max_length=3)
    population = models.CharField(_("populatie"), max_length=20)
    national_mean = models.FloatField(_("landelijk gemiddelde"))
    national_sd = models.FloatField(_("landelijke standaardafwijking"))
    sem = models.FloatField(_("meetfout"), null=True, blank=True)
    source = models.CharField(_("bron"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("normregel")
        verbose_name_plural = _("normtabel")
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "generation", "moment", "population"],
                name="norm_row_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.generation} {self.moment}"
