"""The onderwijsplan: starting it, new versions and edits (the differences
between two versions are in `plan_diff`).

A version is edited in place until it is frozen (a deviation refers to it, or a
newer version exists); after that the school changes its offer by starting a new
version, which begins as a full copy of the newest one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, OperationalError, models, transaction
from django.utils.translation import gettext as _

from koers.analysis.services import OVERVIEW_SUBJECTS
from koers.cycle.models import (
    Arrangement,
    EducationPlan,
    PlanSubject,
    ProfessionalDevelopmentPlan,
    SchoolAgreement,
    Tier,
)
from koers.results.models import SubjectChoice
from koers.schools.models import Group, School, SchoolYear

logger = logging.getLogger(__name__)

SUBJECT_FIELDS = ("learning_line", "methods", "minutes_per_week", "instruction_model")
ARRANGEMENT_FIELDS = (
    "entry_criteria",
    "index_from",
    "index_below",
    "instruction",
    "time",
    "materials",
    "compacting_enriching",
)
AGREEMENT_FIELDS = ("title", "text")

SUBJECT_ORDER = {value: position for position, value in enumerate(SubjectChoice.values)}
TIER_ORDER = {value: position for position, value in enumerate(Tier.values)}


class PlanError(ValueError):
    """An operation on the onderwijsplan that is refused; the message is Dutch and
    meant for the user."""


class PlanFrozenError(PlanError):
    pass


class VersionExistsError(PlanError):
    """A new version of this version exists already: the same request sent twice,
    or two people at once. `newest` is the version that was made."""

    def __init__(self, newest: EducationPlan, previous: EducationPlan) -> None:
        super().__init__(
            _(
                "Versie %(number)d is al gemaakt als kopie van versie %(previous)d. "
                "U ziet die versie hier."
            )
            % {"number": newest.number, "previous": previous.number}
        )
        self.newest = newest


class FreezeReason(StrEnum):
    NEWER_VERSION = "newer_version"
    DEVIATIONS = "deviations"
    AGREEMENTS = "agreements"


@dataclass(frozen=True, slots=True)
class AgreementEdit:
    """One school agreement as it should be after an edit; `pk` None is a new one."""

    pk: int | None
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class PlanEdit:
    """New field values per PlanSubject and Arrangement id; fields left out keep
    their value. `agreements`, when given, is the complete list in its new order:
    an agreement of the plan that is not in it is deleted."""

    subjects: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)
    arrangements: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)
    agreements: Sequence[AgreementEdit] | None = None


def current_plan(school: School) -> EducationPlan | None:
    """The school's newest version, or None when it has no onderwijsplan yet."""
    return (
        EducationPlan.objects.filter(school=school)
        .select_related("school_year", "based_on", "created_by")
        .order_by("-number")
        .first()
    )


@dataclass(frozen=True, slots=True)
class SubjectOffer:
    """One subject of a version with its arrangements in tier order."""

    subject: PlanSubject
    arrangements: tuple[Arrangement, ...]


def school_years_with_groups(school: School) -> list[int]:
    """The start years of the school years the school has groups in, ascending."""
    years = (
        Group.objects.filter(school=school)
        .values_list("school_year__start_year", flat=True)
        .distinct()
    )
    return sorted(years)


def plan_subjects(plan: EducationPlan) -> list[SubjectOffer]:
    """The plan's subjects in the order of the overviews."""
    subjects = sorted(
        plan.subjects.prefetch_related("arrangements"),
        key=lambda subject: subject_position(subject.subject),
    )
    return [
        SubjectOffer(
            subject,
            tuple(sorted(subject.arrangements.all(), key=lambda a: TIER_ORDER[a.tier])),
        )
        for subject in subjects
    ]


def freeze_reason(plan: EducationPlan) -> FreezeReason | None:
    """Why the version can no longer be edited, or None while it can."""
    newer = EducationPlan.objects.filter(
        school_id=plan.school_id, number__gt=plan.number
    )
    if newer.exists():
        return FreezeReason.NEWER_VERSION
    if plan.deviations.exists():
        return FreezeReason.DEVIATIONS
    # A professionalisation plan names the agreements it strengthens: their text
    # must stay what the plan was made for.
    if ProfessionalDevelopmentPlan.objects.filter(agreements__plan=plan).exists():
        return FreezeReason.AGREEMENTS
    return None


def check_editable(plan: EducationPlan) -> None:
    reason = freeze_reason(plan)
    if reason == FreezeReason.NEWER_VERSION:
        raise PlanFrozenError(
            _(
                "Versie %(number)d is vastgelegd, want er is een nieuwere versie. "
                "Pas de nieuwste versie aan."
            )
            % {"number": plan.number}
        )
    if reason == FreezeReason.DEVIATIONS:
        raise PlanFrozenError(
            _(
                "Versie %(number)d is vastgelegd, want afwijkingen van groepen "
                "verwijzen ernaar. Maak een nieuwe versie om iets te veranderen."
            )
            % {"number": plan.number}
        )
    if reason == FreezeReason.AGREEMENTS:
        raise PlanFrozenError(
            _(
                "Versie %(number)d is vastgelegd, want een "
                "professionaliseringsaanpak noemt haar schoolafspraken. Maak een "
                "nieuwe versie om iets te veranderen."
            )
            % {"number": plan.number}
        )


def start_plan(
    school: School, school_year: SchoolYear, user: User | None
) -> EducationPlan:
    """Version 1: every overview subject with an empty basic, intensive and
    enriched arrangement, and no school agreements yet."""
    with transaction.atomic():
        if EducationPlan.objects.filter(school=school).exists():
            raise PlanError(
                _(
                    "Deze school heeft al een onderwijsplan. Maak een nieuwe "
                    "versie van de nieuwste versie."
                )
            )
        plan = create_version(school, school_year, 1, None, "", user)
        for subject in OVERVIEW_SUBJECTS:
            plan_subject = PlanSubject.objects.create(plan=plan, subject=subject.value)
            Arrangement.objects.bulk_create(
                Arrangement(plan_subject=plan_subject, tier=tier) for tier in Tier
            )

    logger.info("education plan started school=%s plan=%s", school.pk, plan.pk)
    return plan


def new_version(
    plan: EducationPlan, school_year: SchoolYear, summary: str, user: User | None
) -> EducationPlan:
    """Version number+1 as a complete copy of `plan`, which must be the newest, for
    the school year of `plan` or a later one."""
    if school_year.start_year < plan.school_year.start_year:
        raise PlanError(
            _(
                "Een nieuwe versie kan niet voor een eerder schooljaar zijn dan "
                "versie %(number)d (%(year)s)."
            )
            % {"number": plan.number, "year": plan.school_year.label}
        )
    try:
        copy = _copy_newest(plan, school_year, summary, user)
    except OperationalError as error:
        # SQLite refuses the second of two simultaneous writers ("database is
        # locked") instead of waiting; the first one made the version.
        logger.warning("education plan version refused school=%s", plan.school_id)
        raise PlanError(
            _(
                "Iemand anders maakte tegelijk een nieuwe versie. Open het "
                "onderwijsplan opnieuw."
            )
        ) from error

    logger.info(
        "education plan version made school=%s plan=%s based_on=%s",
        plan.school_id,
        copy.pk,
        plan.pk,
    )
    return copy


def _copy_newest(
    plan: EducationPlan, school_year: SchoolYear, summary: str, user: User | None
) -> EducationPlan:
    with transaction.atomic():
        newest = current_plan(plan.school)
        if newest is not None and newest.based_on_id == plan.pk:
            raise VersionExistsError(newest, plan)
        if newest is None or newest.pk != plan.pk:
            raise PlanError(
                _(
                    "Een nieuwe versie begint altijd bij de nieuwste versie; "
                    "versie %(number)d is dat niet meer."
                )
                % {"number": plan.number}
            )
        copy = create_version(
            plan.school, school_year, plan.number + 1, plan, summary, user
        )
        copy_contents(plan, copy)
    return copy


def create_version(
    school: School,
    school_year: SchoolYear,
    number: int,
    based_on: EducationPlan | None,
    summary: str,
    user: User | None,
) -> EducationPlan:
    # Two people starting a version at the same moment both pass the check for
    # the newest version; the unique number lets only the first one through.
    try:
        with transaction.atomic():
            return EducationPlan.objects.create(
                school=school,
                school_year=school_year,
                number=number,
                based_on=based_on,
                summary=summary,
                created_by=user,
            )
    except IntegrityError as error:
        raise PlanError(
            _(
                "Iemand anders heeft net versie %(number)d gemaakt. Open het "
                "onderwijsplan opnieuw."
            )
            % {"number": number}
        ) from error


def copy_contents(source: EducationPlan, target: EducationPlan) -> None:
    for subject in source.subjects.prefetch_related("arrangements"):
        copied = PlanSubject.objects.create(
            plan=target,
            subject=subject.subject,
            **values_of(subject, SUBJECT_FIELDS),
        )
        Arrangement.objects.bulk_create(
            Arrangement(
                plan_subject=copied,
                tier=arrangement.tier,
                **values_of(arrangement, ARRANGEMENT_FIELDS),
            )
            for arrangement in subject.arrangements.all()
        )
    SchoolAgreement.objects.bulk_create(
        SchoolAgreement(
            plan=target,
            position=agreement.position,
            **values_of(agreement, AGREEMENT_FIELDS),
        )
        for agreement in source.agreements.all()
    )


def values_of(instance: models.Model, names: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in names}


def save_plan(plan: EducationPlan, edit: PlanEdit) -> None:
    """Apply an edit to an unfrozen version, all or nothing."""
    with transaction.atomic():
        check_editable(plan)
        subjects = {subject.pk: subject for subject in plan.subjects.all()}
        apply_values(subjects, edit.subjects, SUBJECT_FIELDS)
        arrangements = {
            arrangement.pk: arrangement
            for arrangement in Arrangement.objects.filter(plan_subject__plan=plan)
        }
        apply_values(arrangements, edit.arrangements, ARRANGEMENT_FIELDS)
        if edit.agreements is not None:
            replace_agreements(plan, edit.agreements)

    logger.info("education plan saved school=%s plan=%s", plan.school_id, plan.pk)


def apply_values(
    instances: Mapping[int, models.Model],
    changes: Mapping[int, Mapping[str, Any]],
    allowed: Sequence[str],
) -> None:
    for pk, values in changes.items():
        if pk not in instances:
            raise ValueError(f"object {pk} is not part of this plan")
        unknown = set(values) - set(allowed)
        if unknown:
            raise ValueError(f"fields {sorted(unknown)} cannot be edited")
        instance = instances[pk]
        for name, value in values.items():
            setattr(instance, name, value)
        instance.save(update_fields=list(values))


def replace_agreements(
    plan: EducationPlan, agreements: Sequence[AgreementEdit]
) -> None:
    existing = {agreement.pk: agreement for agreement in plan.agreements.all()}
    kept = {edit.pk for edit in agreements if edit.pk is not None}
    if kept - set(existing):
        raise ValueError("agreement is not part of this plan")

    removed = [agreement for pk, agreement in existing.items() if pk not in kept]
    # A professionalisation plan names the agreements it strengthens; deleting
    # one would silently drop that link from the plan's record.
    linked = [
        agreement for agreement in removed if agreement.development_plans.exists()
    ]
    if linked:
        raise PlanError(
            _(
                "De afspraak '%(title)s' wordt genoemd in een "
                "professionaliseringsaanpak en kan daarom niet worden verwijderd."
            )
            % {"title": linked[0].title}
        )
    for agreement in removed:
        agreement.delete()

    for position, edit in enumerate(agreements, start=1):
        if edit.pk is None:
            SchoolAgreement.objects.create(
                plan=plan, title=edit.title, text=edit.text, position=position
            )
            continue
        agreement = existing[edit.pk]
        agreement.title, agreement.text = edit.title, edit.text
        agreement.position = position
        agreement.save(update_fields=["title", "text", "position"])


def subject_position(subject: str) -> int:
    return SUBJECT_ORDER.get(subject, len(SUBJECT_ORDER))
