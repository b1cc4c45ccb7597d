"""The groepsplanloos cycle: the school's offer, its meetings and its 20-week plans.

A school writes its regular offer once, in a versioned onderwijsplan. Twice a year
a schoolbespreking looks at the school, its groups and its pupils; what it decides
to do differently for the next 20 weeks is recorded as a professionalisation plan
(school), a deviation (group) or a decision (pupil). Each of those is evaluated at
the next measurement. Every record type names the Inspectie standards it serves,
so the year's accountability file can be put together from the records alone.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from koers.analysis.models import MetricChoice, PopulationChoice
from koers.results.models import PeriodChoice, SubjectChoice
from koers.schools.models import Group, Pupil, School, SchoolYear


class Standard(models.TextChoices):
    """Standards of the Inspectie's Onderzoekskader that a record serves.

    The codes follow the framework's quality areas (method.md §7): the offer,
    monitoring of development, didactic practice, extra support, results, and
    quality assurance and ambition.
    """

    OP1 = "OP1", _("OP1 Aanbod")
    OP2 = "OP2", _("OP2 Zicht op ontwikkeling")
    OP3 = "OP3", _("OP3 Didactisch handelen")
    OP4 = "OP4", _("OP4 (Extra) ondersteuning")
    OR1 = "OR1", _("OR1 Resultaten")
    KA = "KA", _("KA Kwaliteitszorg en ambitie")


class Tier(models.TextChoices):
    BASIC = "basic", _("basis")
    INTENSIVE = "intensive", _("intensief")
    ENRICHED = "enriched", _("verdiept")


class Outcome(models.TextChoices):
    EFFECTIVE = "effective", _("effectief")
    PARTLY = "partly", _("deels effectief")
    NOT_EFFECTIVE = "not_effective", _("niet effectief")


class EducationPlan(models.Model):
    """One version of the school's onderwijsplan.

    A version is frozen once a deviation refers to it, a professionalisation plan
    names one of its agreements, or a newer version exists: a deviation says
    "different from this plan", so the plan it points to must keep saying what
    it said.
    """

    standards: ClassVar[tuple[Standard, ...]] = (Standard.OP1, Standard.OP3)

    school = models.ForeignKey(School, models.CASCADE, related_name="education_plans")
    school_year = models.ForeignKey(SchoolYear, models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(_("versie"))
    based_on = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    summary = models.TextField(_("wat is er veranderd en waarom"), blank=True)
    created_at = models.DateTimeField(_("gemaakt op"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("onderwijsplan")
        verbose_name_plural = _("onderwijsplannen")
        ordering = ["school", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "number"], name="education_plan_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.school} onderwijsplan v{self.number}"

    @property
    def frozen(self) -> bool:
        return (
            self.deviations.exists()
            or self.agreements.filter(development_plans__isnull=False).exists()
            or EducationPlan.objects.filter(
                school_id=self.school_id, number__gt=self.number
            ).exists()
        )


class PlanSubject(models.Model):
    """The regular offer for one subject: goals, methods, time and instruction."""

    plan = models.ForeignKey(EducationPlan, models.CASCADE, related_name="subjects")
    subject = models.CharField(_("vak"), max_length=30, choices=SubjectChoice.choices)
    learning_line = models.TextField(_("doelen en leerlijn"), blank=True)
    methods = models.TextField(_("methoden en materialen"), blank=True)
    minutes_per_week = models.PositiveIntegerField(
        _("minuten per week"), null=True, blank=True
    )
    instruction_model = models.TextField(_("instructiemodel"), blank=True)

    class Meta:
        verbose_name = _("vak in het onderwijsplan")
        verbose_name_plural = _("vakken in het onderwijsplan")
        ordering = ["plan", "subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "subject"], name="plan_subject_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.subject}"


class Arrangement(models.Model):
    """A tier of the offer of one subject: who enters it and what differs."""

    plan_subject = models.ForeignKey(
        PlanSubject, models.CASCADE, related_name="arrangements"
    )
    tier = models.CharField(_("arrangement"), max_length=10, choices=Tier.choices)
    entry_criteria = models.TextField(_("wie, op grond waarvan"), blank=True)
    index_from = models.DecimalField(
        _("vanaf index"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    index_below = models.DecimalField(
        _("tot index"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    instruction = models.TextField(_("instructie"), blank=True)
    time = models.TextField(_("tijd"), blank=True)
    materials = models.TextField(_("materialen"), blank=True)
    compacting_enriching = models.TextField(_("compacten en verrijken"), blank=True)

    class Meta:
        verbose_name = _("arrangement")
        verbose_name_plural = _("arrangementen")
        ordering = ["plan_subject", "tier"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan_subject", "tier"], name="arrangement_unique_tier"
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan_subject} {self.tier}"


class SchoolAgreement(models.Model):
    """An agreement on pedagogical-didactic practice that holds in every group."""

    plan = models.ForeignKey(EducationPlan, models.CASCADE, related_name="agreements")
    title = models.CharField(_("afspraak"), max_length=200)
    text = models.TextField(_("uitwerking"), blank=True)
    position = models.PositiveIntegerField(_("volgorde"), default=0)

    class Meta:
        verbose_name = _("schoolafspraak")
        verbose_name_plural = _("schoolafspraken")
        ordering = ["plan", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class MeetingKind(models.TextChoices):
    SCHOOL_REVIEW = "school_review", _("schoolbespreking")


class Meeting(models.Model):
    """A schoolbespreking after a measurement (M or E) of a school year.

    It opens a 20-week period that closes at the next measurement. Until it is
    closed its pack is computed from the current data; closing stores the pack as
    it was, so the minutes keep showing the figures the meeting looked at.
    """

    standards: ClassVar[tuple[Standard, ...]] = (Standard.KA, Standard.OP2)

    school = models.ForeignKey(School, models.CASCADE, related_name="meetings")
    kind = models.CharField(
        _("soort"),
        max_length=20,
        choices=MeetingKind.choices,
        default=MeetingKind.SCHOOL_REVIEW,
    )
    # The measurement the meeting looks back on. A meeting in September looks at
    # the June results in the new school year's groups.
    school_year = models.ForeignKey(
        SchoolYear,
        models.PROTECT,
        related_name="+",
        verbose_name=_("schooljaar van de meting"),
    )
    after_period = models.CharField(
        _("na de meting"), max_length=1, choices=PeriodChoice.choices
    )
    held_on = models.DateField(_("datum"))
    participants = models.TextField(_("aanwezig"), blank=True)
    notes = models.TextField(_("verslag"), blank=True)
    pack = models.JSONField(_("voorbereiding zoals besproken"), null=True, blank=True)
    closed_at = models.DateTimeField(_("vastgesteld op"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("schoolbespreking")
        verbose_name_plural = _("schoolbesprekingen")
        ordering = ["school", "-held_on", "-pk"]
        # One meeting in preparation per measurement: a second click on the
        # button that prepares one must not make a twin.
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year", "after_period"],
                condition=models.Q(closed_at__isnull=True),
                name="meeting_one_open_per_measurement",
            )
        ]

    def __str__(self) -> str:
        return f"{self.school} schoolbespreking {self.held_on:%d-%m-%Y}"


class Decision(models.Model):
    """A decision of a meeting that is not a plan, deviation or pupil decision,
    such as a proposal to change the onderwijsplan."""

    standards: ClassVar[tuple[Standard, ...]] = (Standard.KA,)

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="decisions")
    text = models.TextField(_("besluit"))

    class Meta:
        verbose_name = _("besluit")
        verbose_name_plural = _("besluiten")
        ordering = ["meeting", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class Action(models.Model):
    standards: ClassVar[tuple[Standard, ...]] = (Standard.KA,)

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="actions")
    description = models.TextField(_("actie"))
    owner = models.CharField(_("wie"), max_length=200)
    due_on = models.DateField(_("uiterlijk"))
    done_on = models.DateField(_("gedaan op"), null=True, blank=True)

    class Meta:
        verbose_name = _("actie")
        verbose_name_plural = _("acties")
        ordering = ["meeting", "due_on", "pk"]

    def __str__(self) -> str:
        return self.description[:60]


class TwentyWeekRecord(models.Model):
    """What a school does differently for one period, and how that turned out.

    The period starts at the meeting that decided it and is evaluated at the next
    measurement (`evaluate_year`, `evaluate_period`). `evidence` holds the figures
    the evaluation was based on, as they were when it was recorded.
    """

    school = models.ForeignKey(School, models.CASCADE, related_name="+")
    meeting = models.ForeignKey(
        Meeting,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("besloten in"),
    )
    starts_on = models.DateField(_("van"))
    ends_on = models.DateField(_("tot"))
    evaluate_year = models.ForeignKey(SchoolYear, models.PROTECT, related_name="+")
    evaluate_period = models.CharField(
        _("evalueren na de meting"), max_length=1, choices=PeriodChoice.choices
    )
    created_at = models.DateTimeField(_("vastgelegd op"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    evaluated_on = models.DateField(_("geëvalueerd op"), null=True, blank=True)
    evaluated_in = models.ForeignKey(
        Meeting,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("geëvalueerd in"),
    )
    outcome = models.CharField(
        _("conclusie"), max_length=15, choices=Outcome.choices, blank=True
    )
    evaluation_note = models.TextField(_("toelichting"), blank=True)
    evidence = models.JSONField(_("cijfers bij de evaluatie"), null=True, blank=True)

    standards: ClassVar[tuple[Standard, ...]] = ()

    class Meta:
        abstract = True

    def get_absolute_url(self) -> str:
        raise NotImplementedError

    @property
    def evaluated(self) -> bool:
        return self.evaluated_on is not None


class ProfessionalDevelopmentPlan(TwentyWeekRecord):
    """The team's 20-week plan after the school missed one of its ambitions."""

    standards: ClassVar[tuple[Standard, ...]] = (Standard.KA, Standard.OR1)

    subject = models.CharField(_("vak"), max_length=30, choices=SubjectChoice.choices)
    metric = models.CharField(_("maat"), max_length=20, choices=MetricChoice.choices)
    population = models.CharField(
        _("populatie"), max_length=20, choices=PopulationChoice.choices
    )
    gap_year = models.ForeignKey(SchoolYear, models.PROTECT, related_name="+")
    gap_period = models.CharField(
        _("gemeten bij"), max_length=1, choices=PeriodChoice.choices
    )
    target = models.DecimalField(_("ambitie"), max_digits=5, decimal_places=2)
    value_at_start = models.DecimalField(
        _("stand bij de start"), max_digits=5, decimal_places=2
    )
    n_at_start = models.PositiveIntegerField(_("aantal leerlingen bij de start"))
    goal = models.TextField(_("doel"))
    agreements = models.ManyToManyField(
        SchoolAgreement,
        blank=True,
        related_name="development_plans",
        verbose_name=_("schoolafspraken die het versterkt"),
    )
    activities = models.TextField(_("activiteiten"))
    owner = models.CharField(_("eigenaar"), max_length=200)
    success_criterion = models.TextField(_("wanneer is het gelukt"))

    class Meta:
        verbose_name = _("professionaliseringsaanpak")
        verbose_name_plural = _("professionaliseringsaanpakken")
        ordering = ["school", "-starts_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.school} {self.subject} {self.metric} {self.starts_on}"

    def get_absolute_url(self) -> str:
        return reverse("cycle:development-plan", kwargs={"record_id": self.pk})


class DeviationElement(models.TextChoices):
    PACE = "pace", _("tempo of leerlijn")
    TIME = "time", _("tijd")
    INSTRUCTION = "instruction", _("instructie")
    ARRANGEMENT = "arrangement", _("arrangement")
    MATERIALS = "materials", _("materialen")
    OTHER = "other", _("anders")


class GroupDeviation(TwentyWeekRecord):
    """What one group does differently from the onderwijsplan for 20 weeks: the
    replacement of the groepsplan. Everything not written here follows the plan."""

    standards: ClassVar[tuple[Standard, ...]] = (Standard.OP2, Standard.OP3)

    group = models.ForeignKey(Group, models.CASCADE, related_name="deviations")
    subject = models.CharField(_("vak"), max_length=30, choices=SubjectChoice.choices)
    plan = models.ForeignKey(
        EducationPlan,
        models.PROTECT,
        related_name="deviations",
        verbose_name=_("onderwijsplan"),
    )
    element = models.CharField(
        _("wat wijkt af"), max_length=15, choices=DeviationElement.choices
    )
    from_text = models.TextField(_("volgens het onderwijsplan"))
    to_text = models.TextField(_("in deze groep"))
    subgroup = models.CharField(_("voor wie"), max_length=200, blank=True)
    pupils = models.ManyToManyField(
        Pupil, blank=True, related_name="+", verbose_name=_("leerlingen")
    )
    reason = models.TextField(_("waarom"))
    figures = models.JSONField(_("cijfers bij het besluit"), default=dict)
    expected_effect = models.TextField(_("verwacht effect"))

    class Meta:
        verbose_name = _("afwijking van het onderwijsplan")
        verbose_name_plural = _("afwijkingen van het onderwijsplan")
        ordering = ["school", "-starts_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.group} {self.subject} {self.element} {self.starts_on}"

    def get_absolute_url(self) -> str:
        return reverse("cycle:deviation", kwargs={"record_id": self.pk})


class DecisionKind(models.TextChoices):
    NO_CHANGE = "no_change", _("geen verandering")
    ARRANGEMENT = "arrangement", _("ander arrangement")
    ADAPTATION = "adaptation", _("aanpassing voor deze leerling")
    REFERRAL = "referral", _("extra ondersteuning")


class PupilDecision(TwentyWeekRecord):
    """What the school decided for a pupil with a signal, and why."""

    standards: ClassVar[tuple[Standard, ...]] = (Standard.OP2, Standard.OP4)

    pupil = models.ForeignKey(Pupil, models.CASCADE, related_name="decisions")
    subject = models.CharField(_("vak"), max_length=30, choices=SubjectChoice.choices)
    kind = models.CharField(_("besluit"), max_length=15, choices=DecisionKind.choices)
    tier = models.CharField(
        _("naar arrangement"), max_length=10, choices=Tier.choices, blank=True
    )
    reason = models.TextField(_("waarom"))
    flag = models.JSONField(_("signaal bij het besluit"), default=dict)

    class Meta:
        verbose_name = _("leerlingbesluit")
        verbose_name_plural = _("leerlingbesluiten")
        ordering = ["pupil", "-starts_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "pupil", "subject"],
                name="pupil_decision_once_per_meeting",
            )
        ]

    def __str__(self) -> str:
        return f"leerling {self.pupil_id} {self.subject} {self.kind} {self.starts_on}"

    def get_absolute_url(self) -> str:
        return reverse("cycle:pupil-decision", kwargs={"record_id": self.pk})
