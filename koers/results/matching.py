"""Finding the pupil a record points at, within one school.

The order is fixed: ECK-iD, then the LAS key, then surname plus birth date. Names
alone never match, and a name match is only taken when it is unique: a fuzzy or
ambiguous match would attach a child's results to another child.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from koers.lib.records import PupilRecord, PupilRef
from koers.schools.models import Pupil, School


def normalise_name(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(letters.lower().split())


@dataclass
class PupilIndex:
    """The pupils of one school, indexed by every identifier a file may carry."""

    school: School
    by_eck_id: dict[str, Pupil] = field(default_factory=dict)
    by_key: dict[str, Pupil] = field(default_factory=dict)
    by_name_and_birth: dict[tuple[str, object], list[Pupil]] = field(
        default_factory=dict
    )

    @classmethod
    def load(cls, school: School) -> PupilIndex:
        index = cls(school)
        for pupil in Pupil.objects.filter(school=school):
            index.add(pupil)
        return index

    def add(self, pupil: Pupil) -> None:
        if pupil.eck_id:
            self.by_eck_id[pupil.eck_id] = pupil
        if pupil.key:
            self.by_key[pupil.key] = pupil
        if pupil.surname and pupil.birth_date:
            name_key = (normalise_name(pupil.surname), pupil.birth_date)
            candidates = self.by_name_and_birth.setdefault(name_key, [])
            if pupil not in candidates:  # an updated pupil is added again
                candidates.append(pupil)

    def find(self, ref: PupilRef) -> Pupil | None:
        if ref.eck_id and ref.eck_id in self.by_eck_id:
            return self.by_eck_id[ref.eck_id]

        if ref.key and ref.key in self.by_key:
            return self.by_key[ref.key]

        if ref.eck_id or ref.key:
            # A delivered identifier that we do not know is a new pupil, even when
            # someone with the same name and birth date exists.
            return None

        if ref.surname and ref.birth_date:
            name_key = (normalise_name(ref.surname), ref.birth_date)
            candidates = self.by_name_and_birth.get(name_key, [])
            if len(candidates) == 1:
                return candidates[0]
        return None

    def new_pupil(self, ref: PupilRef) -> Pupil:
        pupil = Pupil(school=self.school, key=ref.key, eck_id=ref.eck_id)
        if ref.surname:
            pupil.surname = ref.surname
        pupil.birth_date = ref.birth_date
        return pupil


PERSONAL_FIELDS = (
    "surname",
    "prefix",
    "preferred_name",
    "given_names",
    "initials",
    "birth_date",
    "entry_date",
    "exit_date",
)


def apply_pupil_record(pupil: Pupil, record: PupilRecord) -> bool:
    """Copy what the roster delivers onto the pupil; True when anything changed.

    Empty values in the file never erase what Koers already knows: a roster
    without birth dates must not wipe them.
    """
    changed = False
    for name in PERSONAL_FIELDS:
        value = getattr(record, name)
        if value in (None, "") or getattr(pupil, name) == value:
            continue
        setattr(pupil, name, value)
        changed = True

    if record.ref.eck_id and pupil.eck_id != record.ref.eck_id:
        pupil.eck_id = record.ref.eck_id
        changed = True
    if record.ref.key and pupil.key != record.ref.key:
        pupil.key = record.ref.key
        changed = True
    return changed
