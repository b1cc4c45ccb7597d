"""Writing a parsed file into the database: one transaction per file.

A file is imported whole or not at all. Rows the importer could not use are
listed in the report; everything else is written in bulk, because a board's
results export holds hundreds of thousands of rows. Importing the same content
again finds every row already present and changes nothing.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from koers.lib.analysis.index import ResultIndex
from koers.lib.bulk import paused_gc
from koers.lib.importers import parse_file
from koers.lib.records import (
    Domain,
    ImportRejected,
    ParsedFile,
    PupilRecord,
    ResultRecord,
    TransitionRecord,
)
from koers.lib.values import school_year_of
from koers.results.indexing import NormCache
from koers.results.matching import (
    PERSONAL_FIELDS,
    PupilIndex,
    apply_pupil_record,
)
from koers.results.models import (
    ImportBatch,
    Instrument,
    TestResult,
    TransitionTestResult,
)
from koers.results.result_rows import (
    ResultKey,
    ResultTable,
    merged_values,
    result_values,
    values_by_name,
)
from koers.results.undo import UndoLog
from koers.schools.models import Enrolment, Group, Pupil, School, SchoolYear, Teacher

logger = logging.getLogger(__name__)

BULK_SIZE = 2000
BRIN = re.compile(r"[0-9]{2}[A-Z]{2}")

# The OSO dossier names the school that SENDS it; the school that imports it is
# another one, so its BRIN must never pick the target school.
FORMATS_WITHOUT_TARGET_SCHOOL = {"oso", "doorstroomtoets", "parnassys-pupils"}

Progress = Callable[[int, int], None]

# What an update of a pupil may change: `apply_pupil_record` copies these.
PUPIL_FIELDS = (*PERSONAL_FIELDS, "key", "eck_id")


@dataclass
class ImportSummary:
    file_name: str
    format: str = ""
    school: str = ""
    batch_id: int | None = None
    already_imported: bool = False
    dry_run: bool = False
    counts: Counter[str] = field(default_factory=Counter)
    skipped: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file_name,
            "format": self.format,
            "school": self.school,
            "batch": self.batch_id,
            "already_imported": self.already_imported,
            "dry_run": self.dry_run,
            "counts": dict(sorted(self.counts.items())),
            "skipped": self.skipped,
            "notes": self.notes,
        }


class DryRunRollback(Exception):
    """Raised inside the transaction to undo a dry run after counting."""


def import_file(
    file_name: str,
    data: bytes,
    *,
    school: School | None = None,
    imported_by: str = "koers",
    dry_run: bool = False,
    progress: Progress | None = None,
    contexts: dict[int, ImportContext] | None = None,
) -> ImportSummary:
    """Parse and write one file. Raises ImportRejected; then nothing was written.

    `contexts` lets the files of one run share their lookups, per school; a dry
    run never shares them, because what it wrote is rolled back.
    """
    with paused_gc():
        return _import_file(
            file_name, data, school, imported_by, dry_run, progress, contexts
        )


def _import_file(
    file_name: str,
    data: bytes,
    school: School | None,
    imported_by: str,
    dry_run: bool,
    progress: Progress | None,
    contexts: dict[int, ImportContext] | None,
) -> ImportSummary:
    parsed = parse_file(file_name, data)
    summary = ImportSummary(file_name=file_name, format=parsed.format, dry_run=dry_run)
    summary.skipped = [
        {"where": skipped.position.describe(), "reason": skipped.reason}
        for skipped in parsed.skipped
    ]
    summary.notes = list(parsed.notes)
    checksum = hashlib.sha256(data).hexdigest()

    try:
        with transaction.atomic():
            target = resolve_school(parsed, school, summary)
            summary.school = str(target)
            # An undone batch no longer counts: the school may import the file again.
            previous = ImportBatch.objects.filter(
                school=target, checksum=checksum, undone_at__isnull=True
            )
            if previous.exists():
                summary.already_imported = True
                summary.batch_id = previous.values_list("pk", flat=True).first()
                return summary

            batch = ImportBatch.objects.create(
                school=target,
                file_name=file_name[:255],
                checksum=checksum,
                format=parsed.format,
                imported_by=imported_by,
            )
            if contexts is None or dry_run:
                context = ImportContext(target)
            elif target.pk in contexts:
                context = contexts[target.pk]
            else:
                context = contexts[target.pk] = ImportContext(target)
            writer = BatchWriter(context, batch, summary, progress)
            writer.write(parsed)

            batch.counts = dict(summary.counts)
            batch.report = {"skipped": summary.skipped, "notes": summary.notes}
            batch.undo_log = writer.undo.as_json()
            batch.save(update_fields=["counts", "report", "undo_log"])
            summary.batch_id = batch.pk
            if dry_run:
                raise DryRunRollback
    except DryRunRollback:
        summary.batch_id = None

    logger.info(
        "import finished format=%s batch=%s dry_run=%s counts=%s skipped=%d",
        summary.format,
        summary.batch_id,
        dry_run,
        dict(summary.counts),
        len(summary.skipped),
    )
    return summary


def resolve_school(
    parsed: ParsedFile, explicit: School | None, summary: ImportSummary
) -> School:
    names_school = parsed.brin and parsed.format not in FORMATS_WITHOUT_TARGET_SCHOOL
    if explicit is not None:
        if names_school and (parsed.brin or "").upper() != explicit.brin:
            raise ImportRejected(
                parsed.file_name,
                f"het bestand hoort bij BRIN {parsed.brin}, niet bij de "
                f"gekozen school {explicit.brin}",
            )
        return explicit

    if names_school and parsed.brin:
        branch = parsed.branch_code or "00"
        if not BRIN.fullmatch(parsed.brin.upper()) or not branch.isdigit():
            raise ImportRejected(
                parsed.file_name,
                f"'{parsed.brin}{parsed.branch_code or ''}' is geen BRIN met "
                "vestiging: verwacht twee cijfers en twee letters, zoals 12AB00",
            )
        found = School.objects.filter(brin=parsed.brin.upper(), branch_code=branch)
        if found.exists():
            return found.get()
        summary.counts["schools_created"] += 1
        summary.notes.append(
            f"School {parsed.brin.upper()}{branch} was nog niet bekend en is "
            "aangemaakt."
        )
        return School.objects.create(
            brin=parsed.brin.upper(),
            branch_code=branch,
            name=parsed.school_name or f"School {parsed.brin.upper()}{branch}",
        )

    schools = list(School.objects.all()[:2])
    if len(schools) == 1:
        return schools[0]
    raise ImportRejected(
        parsed.file_name,
        "dit bestand noemt geen school; kies de school met --school BRIN",
    )


class ImportContext:
    """Lookups shared by the files of one import run for one school: the pupils,
    instruments, school years and norms are read once, not once per file."""

    def __init__(self, school: School) -> None:
        self.school = school
        self.pupils = PupilIndex.load(school)
        self.years: dict[int, SchoolYear] = {}
        self.instruments = {
            (i.supplier, i.name, i.generation): i for i in Instrument.objects.all()
        }
        self.norms = NormCache.load()
        # The index per instrument, moment and delivered score: a school's export
        # repeats the same score at the same moment many times.
        self.indexes: dict[tuple[object, ...], ResultIndex | None] = {}
        self.results = ResultTable()
        # Pupils with at least one stored result: for the others no lookup of
        # stored rows is needed (a dossier of a new pupil, a first import).
        self.pupils_with_results = set(
            TestResult.objects.filter(pupil__school=school)
            .values_list("pupil_id", flat=True)
            .distinct()
        )


class BatchWriter:
    """Writes the records of one parsed file for one school."""

    def __init__(
        self,
        context: ImportContext,
        batch: ImportBatch,
        summary: ImportSummary,
        progress: Progress | None,
    ) -> None:
        self.context = context
        self.school = context.school
        self.pupils = context.pupils
        self.years = context.years
        self.batch = batch
        self.summary = summary
        self.progress = progress
        self.created_from_results = 0
        self.without_index = 0
        self.undo = UndoLog()

    def write(self, parsed: ParsedFile) -> None:
        if parsed.enrolments:
            # An OSO school career describes groups of the previous school.
            self.summary.notes.append(
                f"De schoolloopbaan uit het dossier ({len(parsed.enrolments)} "
                "regels) is niet opgeslagen; Koers houdt alleen de groepen van "
                "de eigen school bij."
            )
        groups = self.write_groups(parsed)
        self.write_pupils(parsed, groups)
        self.write_teachers(parsed, groups)
        self.write_results(parsed.results)
        self.write_transition_results(parsed)
        if self.without_index:
            # Stored, but without an index they are in no overview: say why and
            # what helps, or the user sees an import of results that show nowhere.
            self.summary.notes.append(
                f"Resultaten zonder index: {self.without_index}. Ze hebben geen "
                "percentiel, geen niveau (I-V of A-E) en geen normregel voor die "
                "toets en dat moment. Koers bewaart ze, maar ze staan in geen "
                "overzicht. Lever percentielen of niveaus mee, of laad een "
                "normtabel voor deze toets."
            )
        if self.created_from_results:
            self.summary.notes.append(
                "Leerlingen die Koers alleen uit dit bestand kent, zonder naam: "
                f"{self.created_from_results}; importeer de leerlingenlijst "
                "(EDEXML of ParnasSys) om ze met naam en groep te zien."
            )

    def skip(self, where: str, reason: str) -> None:
        self.summary.skipped.append({"where": where, "reason": reason})

    def school_year(self, start_year: int) -> SchoolYear:
        year = self.years.get(start_year)
        if year is None:
            year, created = SchoolYear.objects.get_or_create(start_year=start_year)
            self.years[start_year] = year
            if created:
                self.undo.add_created("school_year", year.pk)
        return year

    def write_groups(self, parsed: ParsedFile) -> dict[str, Group]:
        """Groups by their key in the file. A file without a school year (a
        ParnasSys list) describes the current school year."""
        by_key: dict[str, Group] = {}
        for record in parsed.groups:
            start_year = record.school_year or parsed.school_year or current_year()
            year = self.school_year(start_year)
            group, created = Group.objects.get_or_create(
                school=self.school,
                school_year=year,
                name=record.name[:100],
                defaults={"external_key": record.key[:256]},
            )
            if created:
                self.summary.counts["groups_created"] += 1
                self.undo.add_created("group", group.pk)
            by_key[record.key] = group
        return by_key

    def write_pupils(self, parsed: ParsedFile, groups: dict[str, Group]) -> None:
        for record in parsed.pupils:
            pupil = self.pupils.find(record.ref)
            if pupil is None:
                pupil = self.pupils.new_pupil(record.ref)
                apply_pupil_record(pupil, record)
                pupil.save()
                self.pupils.add(pupil)
                self.summary.counts["pupils_created"] += 1
                self.undo.add_created("pupil", pupil.pk)
            else:
                self.update_pupil(pupil, record)

            group = groups.get(record.group_key or "")
            if group is not None:
                self.enrol(pupil, group, record.grade or "")

    def update_pupil(self, pupil: Pupil, record: PupilRecord) -> None:
        before = {name: getattr(pupil, name) for name in PUPIL_FIELDS}
        if not apply_pupil_record(pupil, record):
            return

        pupil.save()
        self.pupils.add(pupil)
        self.summary.counts["pupils_updated"] += 1
        changed = {
            name: value
            for name, value in before.items()
            if getattr(pupil, name) != value
        }
        self.undo.add_previous("pupil", pupil.pk, changed)

    def enrol(self, pupil: Pupil, group: Group, grade: str) -> None:
        enrolment, created = Enrolment.objects.get_or_create(
            pupil=pupil, group=group, defaults={"grade": grade[:2]}
        )
        if created:
            self.summary.counts["enrolments_created"] += 1
            self.undo.add_created("enrolment", enrolment.pk)
            # Placed in another group of the same school year before: the pupil
            # moved (the earlier placement stays, as the pupil's history).
            moved = (
                Enrolment.objects.filter(
                    pupil=pupil, group__school_year_id=group.school_year_id
                )
                .exclude(group=group)
                .exists()
            )
            if moved:
                self.summary.counts["pupils_moved"] += 1
        elif grade and enrolment.grade != grade:
            self.undo.add_previous(
                "enrolment", enrolment.pk, {"grade": enrolment.grade}
            )
            enrolment.grade = grade[:2]
            enrolment.save(update_fields=["grade"])
            self.summary.counts["enrolments_updated"] += 1

    def write_teachers(self, parsed: ParsedFile, groups: dict[str, Group]) -> None:
        for record in parsed.teachers:
            teacher, created = Teacher.objects.get_or_create(
                school=self.school,
                key=record.key[:256],
                defaults={
                    "surname": record.surname,
                    "prefix": record.prefix,
                    "preferred_name": record.preferred_name,
                    "initials": record.initials,
                },
            )
            if created:
                self.summary.counts["teachers_created"] += 1
                self.undo.add_created("teacher", teacher.pk)
            linked = [groups[key] for key in record.group_keys if key in groups]
            if linked:
                self.link_teacher(teacher, linked)

    def link_teacher(self, teacher: Teacher, groups: list[Group]) -> None:
        existing = set(teacher.groups.values_list("pk", flat=True))
        new = {group.pk for group in groups} - existing
        teacher.groups.add(*groups)
        self.undo.teacher_links.extend((teacher.pk, pk) for pk in sorted(new))

    def instrument_for(self, record: ResultRecord) -> Instrument:
        natural_key = (
            record.supplier[:100],
            record.instrument[:255],
            record.generation[:100],
        )
        instrument = self.context.instruments.get(natural_key)
        if instrument is None:
            instrument, created = Instrument.objects.get_or_create(
                supplier=natural_key[0],
                name=natural_key[1],
                generation=natural_key[2],
                defaults={"subject": record.subject.value},
            )
            if created:
                self.summary.counts["instruments_created"] += 1
                self.undo.add_created("instrument", instrument.pk)
            self.context.instruments[natural_key] = instrument
        return instrument

    def pupil_for(self, record: ResultRecord | TransitionRecord) -> Pupil | None:
        pupil = self.pupils.find(record.ref)
        if pupil is not None:
            return pupil

        if not (record.ref.key or record.ref.eck_id):
            self.skip(
                record.position.describe(),
                "leerling niet gevonden: geen leerlingnummer of ECK-iD, en naam "
                "met geboortedatum komt niet (eenduidig) voor",
            )
            return None

        pupil = self.pupils.new_pupil(record.ref)
        pupil.save()
        self.pupils.add(pupil)
        self.summary.counts["pupils_created"] += 1
        self.undo.add_created("pupil", pupil.pk)
        self.created_from_results += 1
        return pupil

    def write_results(self, records: list[ResultRecord]) -> None:
        # Sorted by pupil, a chunk touches few pupils, and the lookup of rows
        # already stored stays small however large the file is.
        ordered = sorted(records, key=lambda r: r.ref.key or r.ref.eck_id or "")
        total = len(ordered)
        for start in range(0, total, BULK_SIZE):
            self.write_result_chunk(ordered[start : start + BULK_SIZE])
            if self.progress is not None:
                self.progress(min(start + BULK_SIZE, total), total)

    def write_result_chunk(self, records: list[ResultRecord]) -> None:
        # The loop body runs for every row of a file of 100,000 rows: lookups are
        # kept to dictionaries, and an index is computed once per distinct score.
        delivered: dict[ResultKey, tuple[Instrument, tuple[Any, ...]]] = {}
        indexes = self.context.indexes
        find_pupil = self.pupils.find
        years = self.years
        for record in records:
            pupil = find_pupil(record.ref) or self.pupil_for(record)
            if pupil is None:
                continue
            instrument = self.instrument_for(record)
            year = years.get(record.school_year) or self.school_year(record.school_year)
            score = (
                instrument.id,
                record.period,
                record.moment_grade,
                record.percentile,
                record.ability_score,
                record.level_iv,
                record.level_ae,
            )
            if score in indexes:
                index = indexes[score]
            else:
                index = indexes[score] = self.index_of(instrument, record)
            if index is None:
                self.without_index += 1
            key = (
                pupil.id,
                instrument.id,
                record.test_version[:100],
                record.administered_on,
            )
            delivered[key] = (instrument, result_values(record, year.id, index))

        known = self.context.pupils_with_results
        stored = self.context.results.existing(
            [key for key in delivered if key[0] in known]
        )
        new_rows = [(k, v) for k, (_, v) in delivered.items() if k not in stored]
        self.context.results.insert(new_rows, self.batch.pk)
        known.update(key[0] for key, _ in new_rows)
        self.summary.counts["results_created"] += len(new_rows)

        for key, row in stored.items():
            instrument, values = delivered[key]
            self.update_result(instrument, row, values_by_name(values))

    def update_result(
        self,
        instrument: Instrument,
        row: dict[str, Any],
        delivered: dict[str, Any],
    ) -> None:
        changes = merged_values(row, delivered)
        if changes is None:
            self.summary.counts["results_unchanged"] += 1
            return

        merged = {**row, **changes}
        index = self.context.norms.index_for(
            instrument.name,
            instrument.generation,
            f"{merged['period']}{merged['moment_grade']}",
            percentile=merged["percentile"],
            ability_score=merged["ability_score"],
            level_iv=merged["level_iv"],
            level_ae=merged["level_ae"],
        )
        changes["index_value"] = index.value if index else None
        changes["index_source"] = index.source.value if index else ""
        changes["index_coarse"] = index.coarse if index else False
        previous = {name: row[name] for name in changes}
        self.undo.add_previous("result", row["pk"], previous)
        self.context.results.update(row["pk"], changes)
        self.summary.counts["results_updated"] += 1

    def is_own_transition_test(self, parsed: ParsedFile) -> bool:
        """An OSO dossier names the school that sent it: its end-of-school test
        belongs to that school, and only counts here when the sender is us."""
        if parsed.format != "oso":
            return True
        return (parsed.brin or "").upper() == self.school.brin

    def index_of(
        self, instrument: Instrument, record: ResultRecord
    ) -> ResultIndex | None:
        moment = (record.period.value if record.period else "") + (
            record.moment_grade or ""
        )
        return self.context.norms.index_for(
            instrument.name,
            instrument.generation,
            moment,
            percentile=record.percentile,
            ability_score=record.ability_score,
            level_iv=record.level_iv,
            level_ae=record.level_ae,
        )

    def write_transition_results(self, parsed: ParsedFile) -> None:
        records = parsed.transition_results
        if records and not self.is_own_transition_test(parsed):
            self.summary.notes.append(
                f"Het dossier bevat {len(records)} eindtoetsresultaat van een "
                "andere school; dat telt niet mee in de eindresultaten van deze "
                "school en is niet opgeslagen."
            )
            return

        for record in records:
            pupil = self.pupil_for(record)
            if pupil is None:
                continue

            values = {
                "supplier": record.supplier[:100],
                "administered_on": record.administered_on,
                "level_reading": level_code(record, Domain.READING),
                "level_language": level_code(record, Domain.LANGUAGE),
                "level_math": level_code(record, Domain.MATH),
                "exempt": record.exempt,
                "advice": record.advice[:100],
            }
            year = self.school_year(record.school_year)
            current = TransitionTestResult.objects.filter(
                pupil=pupil, school_year=year
            ).first()
            if current is None:
                TransitionTestResult.objects.create(
                    pupil=pupil, school_year=year, import_batch=self.batch, **values
                )
                self.summary.counts["transition_results_created"] += 1
            elif any(getattr(current, k) != v for k, v in values.items()):
                previous = {name: getattr(current, name) for name in values}
                self.undo.add_previous("transition_result", current.pk, previous)
                for name, value in values.items():
                    setattr(current, name, value)
                current.save()
                self.summary.counts["transition_results_updated"] += 1
            else:
                self.summary.counts["transition_results_unchanged"] += 1


def level_code(record: TransitionRecord, domain: Domain) -> str:
    level = record.levels.get(domain)
    return level.value if level else ""


def current_year() -> int:
    return school_year_of(timezone.localdate())
