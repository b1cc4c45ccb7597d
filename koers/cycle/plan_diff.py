"""The differences between two versions of the onderwijsplan, field by field, with
the changed words of longer texts marked."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from django.db import models
from django.utils import formats
from django.utils.translation import gettext as _

from koers.cycle.models import (
    EducationPlan,
    SchoolAgreement,
    Tier,
)
from koers.cycle.plan_services import (
    ARRANGEMENT_FIELDS,
    SUBJECT_FIELDS,
    TIER_ORDER,
    SubjectOffer,
    plan_subjects,
    subject_position,
)
from koers.results.models import SubjectChoice

# A change to a text of at least this many words is shown as one text with the
# inserted and deleted words marked; a shorter one as "was" and "wordt".
LONG_TEXT_WORDS = 8


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
