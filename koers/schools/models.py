"""Boards, schools, school years, groups, pupils and where they are enrolled.

The grade (jaargroep) lives on the enrolment, never on the group: a combination
group such as 4/5 holds pupils of two grades.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Board(models.Model):
    name = models.CharField(_("naam"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("bestuur")
        verbose_name_plural = _("besturen")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    board = models.ForeignKey(
        Board, models.PROTECT, null=True, blank=True, related_name="schools"
    )
    brin = models.CharField(_("BRIN"), max_length=4)
    branch_code = models.CharField(_("vestiging"), max_length=2, default="00")
    name = models.CharField(_("naam"), max_length=200)

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("scholen")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["brin", "branch_code"], name="school_brin_branch_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.brin}{self.branch_code})"


class SchoolYear(models.Model):
    """A school year runs from 1 August to 31 July; `start_year` 2024 is 2024-2025."""

    start_year = models.PositiveSmallIntegerField(_("beginjaar"), unique=True)

    class Meta:
        verbose_name = _("schooljaar")
        verbose_name_plural = _("schooljaren")
        ordering = ["start_year"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.start_year}-{self.start_year + 1}"

    @property
    def starts_on(self) -> dt.date:
        return dt.date(self.start_year, 8, 1)

    @property
    def ends_on(self) -> dt.date:
        return dt.date(self.start_year + 1, 7, 31)


class Group(models.Model):
    school = models.ForeignKey(School, models.CASCADE, related_name="groups")
    school_year = models.ForeignKey(SchoolYear, models.PROTECT, related_name="groups")
    name = models.CharField(_("naam"), max_length=100)
    external_key = models.CharField(_("sleutel in het LAS"), max_length=256, blank=True)

    class Meta:
        verbose_name = _("groep")
        verbose_name_plural = _("groepen")
        ordering = ["school_year", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year", "name"], name="group_name_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.school_year})"


class Pupil(models.Model):
    """A pupil of one school. Identifiers are strings; a BSN is never stored."""

    school = models.ForeignKey(School, models.CASCADE, related_name="pupils")
    # NULL, not "", for "not delivered": both are unique per school when present,
    # and a unique constraint ignores NULLs on every database.
    key = models.CharField(  # noqa: DJ001
        _("leerlingnummer"), max_length=256, null=True, blank=True
    )
    eck_id = models.CharField(  # noqa: DJ001
        _("ECK-iD"), max_length=512, null=True, blank=True
    )
    surname = models.CharField(_("achternaam"), max_length=200, blank=True)
    prefix = models.CharField(_("voorvoegsel"), max_length=50, blank=True)
    preferred_name = models.CharField(_("roepnaam"), max_length=100, blank=True)
    given_names = models.CharField(_("voornamen"), max_length=200, blank=True)
    initials = models.CharField(_("voorletters"), max_length=20, blank=True)
    birth_date = models.DateField(_("geboortedatum"), null=True, blank=True)
    entry_date = models.DateField(_("instroomdatum"), null=True, blank=True)
    exit_date = models.DateField(_("uitstroomdatum"), null=True, blank=True)

    class Meta:
        verbose_name = _("leerling")
        verbose_name_plural = _("leerlingen")
        ordering = ["surname", "preferred_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "key"],
                condition=Q(key__isnull=False),
                name="pupil_key_unique",
            ),
            models.UniqueConstraint(
                fields=["school", "eck_id"],
                condition=Q(eck_id__isnull=False),
                name="pupil_eck_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.given_names or self.initials
        last = " ".join(part for part in (self.prefix, self.surname) if part)
        return " ".join(part for part in (first, last) if part) or str(self.key or "")

    @property
    def sort_name(self) -> str:
        """Dutch lists sort on the surname without its prefix."""
        return f"{self.surname} {self.preferred_name}".strip().lower()


class Enrolment(models.Model):
    pupil = models.ForeignKey(Pupil, models.CASCADE, related_name="enrolments")
    group = models.ForeignKey(Group, models.CASCADE, related_name="enrolments")
    grade = models.CharField(_("jaargroep"), max_length=2, blank=True)
    start_date = models.DateField(_("vanaf"), null=True, blank=True)
    end_date = models.DateField(_("tot en met"), null=True, blank=True)

    class Meta:
        verbose_name = _("inschrijving in een groep")
        verbose_name_plural = _("inschrijvingen in groepen")
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "group"], name="enrolment_pupil_group_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id} in {self.group_id} ({self.grade})"


class Teacher(models.Model):
    school = models.ForeignKey(School, models.CASCADE, related_name="teachers")
    key = models.CharField(_("sleutel in het LAS"), max_length=256)
    surname = models.CharField(_("achternaam"), max_length=200, blank=True)
    prefix = models.CharField(_("voorvoegsel"), max_length=50, blank=True)
    preferred_name = models.CharField(_("roepnaam"), max_length=100, blank=True)
    initials = models.CharField(_("voorletters"), max_length=20, blank=True)
    groups = models.ManyToManyField(Group, related_name="teachers", blank=True)

    class Meta:
        verbose_name = _("leerkracht")
        verbose_name_plural = _("leerkrachten")
        constraints = [
            models.UniqueConstraint(fields=["school", "key"], name="teacher_key_unique")
        ]

    def __str__(self) -> str:
        return " ".join(
            p for p in (self.preferred_name, self.prefix, self.surname) if p
        )


class SchoolWeighting(models.Model):
    """The CBS schoolweging of one year, and the school's own 1S/2F signal value."""

    school = models.ForeignKey(School, models.CASCADE, related_name="weightings")
    school_year = models.ForeignKey(SchoolYear, models.PROTECT, related_name="+")
    value = models.DecimalField(_("schoolweging"), max_digits=5, decimal_places=2)
    signal_value_1s2f = models.DecimalField(
        _("signaleringswaarde 1S/2F"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("schoolweging")
        verbose_name_plural = _("schoolwegingen")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year"], name="weighting_year_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.school_year}: {self.value}"


class Role(models.TextChoices):
    """What a staff member does at a school. What each role may see and do is the
    authorisation matrix in `koers.schools.roles`."""

    TEACHER = "teacher", _("leerkracht")
    SUPPORT = "support", _("intern begeleider of kwaliteitscoördinator")
    DIRECTOR = "director", _("directie")
    ADMIN = "admin", _("applicatiebeheerder")
    PRIVACY = "privacy", _("privacyfunctionaris")


class SchoolMembership(models.Model):
    """Which schools a staff member works for, and in which role. Every page and
    query is scoped by it (`koers.schools.access`). A teacher's groups come from
    the LAS: the teacher record the membership points at."""

    user = models.ForeignKey(
        "auth.User", models.CASCADE, related_name="school_memberships"
    )
    school = models.ForeignKey(School, models.CASCADE, related_name="memberships")
    role = models.CharField(
        _("rol"), max_length=16, choices=Role.choices, default=Role.SUPPORT
    )
    teacher = models.ForeignKey(
        Teacher,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("leerkracht in het LAS"),
    )

    class Meta:
        verbose_name = _("toegang tot een school")
        verbose_name_plural = _("toegang tot scholen")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "school", "role"], name="membership_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.school_id} ({self.role})"


class BoardMembership(models.Model):
    """Board staff: they see the aggregates of the board's schools, never a pupil."""

    user = models.ForeignKey(
        "auth.User", models.CASCADE, related_name="board_memberships"
    )
    board = models.ForeignKey(Board, models.CASCADE, related_name="memberships")

    class Meta:
        verbose_name = _("toegang tot een bestuur")
        verbose_name_plural = _("toegang tot besturen")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "board"], name="board_membership_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.board_id}"
