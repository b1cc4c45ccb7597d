"""The onderwijsplan: starting it, new versions, edits and the differences between
two versions.

A version is edited in place until it is frozen (a deviation refers to it, or a
newer version exists); after that the school changes its offer by starting a new
version, which begins as a full copy of the newest one.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, models, transaction
from django.utils import formats
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

# A change to a text of at least this many words is shown as one text with the
# inserted and deleted words marked; a shorter one as "was" and "wordt".
LONG_TEXT_WORDS = 8

SUBJECT_ORDER = {value: position for position, value in enumerate(SubjectChoice.values)}
TIER_ORDER = {value: position for position, value in enumerate(Tier.values)}


class PlanError(ValueError):
    """An operation on the onderwijsplan that is refused; the message is Dutch and
    meant for the user."""


class PlanFrozenError(PlanError):
    pass


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
    """Version number+1 as a complete copy of `plan`, which must be the newest."""
    with transaction.atomic():
        newest = current_plan(plan.school)
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

    logger.info(
        "education plan version made school=%s plan=%s based_on=%s",
        plan.school_id,
        copy.pk,
        plan.pk,
    )
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


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


class DiffArea(StrEnum):
    SUBJECT = "subject"
    ARRANGEMENT = "arrangement"
    AGREEMENT = "agreement"


class WordKind(StrEnum):
    SAME = "same"
    INSERTED = "inserted"
    DELETED = "deleted"


@dataclass(frozen=True, slots=True)
class WordChange:
    """A run of words of a long text: unchanged, inserted or deleted. The text is
    the user's own; a template prints it escaped, inside <ins> or <del>."""

    kind: WordKind
    text: str


@dataclass(frozen=True, slots=True)
class FieldChange:
    name: str
    label: str
    old: str
    new: str
    words: tuple[WordChange, ...] = ()


@dataclass(frozen=True, slots=True)
class PlanDifference:
    """What differs in one subject, arrangement or agreement. `subject` and `tier`
    are the stored values ('' where they do not apply); `title` is Dutch."""

    area: DiffArea
    kind: ChangeKind
    title: str
    subject: str = ""
    tier: str = ""
    fields: tuple[FieldChange, ...] = ()


def plan_differences(
    older: EducationPlan, newer: EducationPlan
) -> list[PlanDifference]:
    """Every difference from `older` to `newer`: subjects in the order of the
    overviews, each followed by its arrangements, then the school agreements.

    Agreements are matched by title, so a renamed agreement shows as one removed
    and one added.
    """
    if older.school_id != newer.school_id:
        raise ValueError("versions of two different schools")

    differences: list[PlanDifference] = []
    old_subjects = {offer.subject.subject: offer for offer in plan_subjects(older)}
    new_subjects = {offer.subject.subject: offer for offer in plan_subjects(newer)}
    for subject in sorted({*old_subjects, *new_subjects}, key=subject_position):
        before, after = old_subjects.get(subject), new_subjects.get(subject)
        label = str(SubjectChoice(subject).label)
        differences += compared(
            before.subject if before else None,
            after.subject if after else None,
            SUBJECT_FIELDS,
            DiffArea.SUBJECT,
            label,
            subject,
        )
        differences += arrangement_differences(before, after, label, subject)
    differences += agreement_differences(older, newer)
    return differences


def subject_position(subject: str) -> int:
    return SUBJECT_ORDER.get(subject, len(SUBJECT_ORDER))


def arrangement_differences(
    before: SubjectOffer | None, after: SubjectOffer | None, label: str, subject: str
) -> list[PlanDifference]:
    old = {a.tier: a for a in (before.arrangements if before else ())}
    new = {a.tier: a for a in (after.arrangements if after else ())}
    differences = []
    for tier in sorted({*old, *new}, key=TIER_ORDER.__getitem__):
        title = _("%(subject)s, arrangement %(tier)s") % {
            "subject": label,
            "tier": Tier(tier).label,
        }
        differences += compared(
            old.get(tier),
            new.get(tier),
            ARRANGEMENT_FIELDS,
            DiffArea.ARRANGEMENT,
            title,
            subject,
            tier,
        )
    return differences


def agreement_differences(
    older: EducationPlan, newer: EducationPlan
) -> list[PlanDifference]:
    unmatched: dict[str, list[SchoolAgreement]] = {}
    for agreement in older.agreements.all():
        unmatched.setdefault(agreement.title, []).append(agreement)

    differences = []
    for agreement in newer.agreements.all():
        same_title = unmatched.get(agreement.title)
        before = same_title.pop(0) if same_title else None
        differences += compared(
            before, agreement, ("text",), DiffArea.AGREEMENT, agreement.title
        )
    for left in unmatched.values():
        for agreement in left:
            differences += compared(
                agreement, None, ("text",), DiffArea.AGREEMENT, agreement.title
            )
    return differences


def compared(
    before: models.Model | None,
    after: models.Model | None,
    names: Sequence[str],
    area: DiffArea,
    title: str,
    subject: str = "",
    tier: str = "",
) -> list[PlanDifference]:
    """The difference of one record as a list of none or one: an added or removed
    record lists its filled-in fields, a changed one the fields that changed."""
    kind = ChangeKind.CHANGED
    if before is None:
        kind = ChangeKind.ADDED
    elif after is None:
        kind = ChangeKind.REMOVED

    record = after if after is not None else before
    if record is None:
        return []
    changes = []
    for name in names:
        old = field_text(before, name)
        new = field_text(after, name)
        if old != new:
            label = field_label(type(record), name)
            changes.append(FieldChange(name, label, old, new, word_changes(old, new)))

    if kind == ChangeKind.CHANGED and not changes:
        return []
    return [PlanDifference(area, kind, title, subject, tier, tuple(changes))]


def field_label(model: type[models.Model], name: str) -> str:
    """The field's verbose_name, the label the forms show too."""
    field = model._meta.get_field(name)
    if isinstance(field, models.Field):
        return str(field.verbose_name)
    return name


def field_text(instance: models.Model | None, name: str) -> str:
    if instance is None:
        return ""
    value = getattr(instance, name)
    if value is None:
        return ""
    if isinstance(value, Decimal):
        places = 0 if value == value.to_integral_value() else 1
        return formats.number_format(value, decimal_pos=places)
    if isinstance(value, int):
        return formats.number_format(value)
    return str(value).strip()


# Words, the spaces between them and each punctuation mark apart, so that
# "groep" and "groep," share the word.
WORD = re.compile(r"\s+|\w+|[^\w\s]")
Words = tuple[WordChange, ...]


def word_changes(old: str, new: str) -> Words:
    """The words of a long text marked as kept, inserted or deleted; nothing when
    either side is empty or both are short."""
    if not old or not new:
        return ()
    old_words, new_words = WORD.findall(old), WORD.findall(new)
    if max(len(old.split()), len(new.split())) < LONG_TEXT_WORDS:
        return ()

    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    runs: list[WordChange] = []
    for operation, old_from, old_to, new_from, new_to in matcher.get_opcodes():
        if operation == "equal":
            append_run(runs, WordKind.SAME, old_words[old_from:old_to])
            continue
        append_run(runs, WordKind.DELETED, old_words[old_from:old_to])
        append_run(runs, WordKind.INSERTED, new_words[new_from:new_to])
    return tuple(runs)


def append_run(runs: list[WordChange], kind: WordKind, words: list[str]) -> None:
    text = "".join(words)
    if not text:
        return
    if runs and runs[-1].kind == kind:
        runs[-1] = WordChange(kind, runs[-1].text + text)
        return
    runs.append(WordChange(kind, text))
