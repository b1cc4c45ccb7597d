"""Invented name material for the demo school.

The lists mix common Dutch names with names from families of Moroccan, Turkish,
Surinamese, Polish and other backgrounds, as in a real Dutch classroom. Several
contain diacritics so that every importer has to keep UTF-8 intact.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Final

GIRL_NAMES: Final = (
    "Noor", "Emma", "Julia", "Zoë", "Sophie", "Mila", "Tess", "Fleur", "Sara",
    "Nora", "Yara", "Lotte", "Evi", "Liv", "Anna", "Saar", "Fenna", "Isa",
    "Chloë", "Anaïs", "Loïs", "Maëlle", "Fatima", "Aya", "Salma", "Elif",
    "Şeyma", "Amira", "Hanna", "Lieke", "Jasmijn", "Femke", "Roos", "Zeynep",
    "Ilse", "Wietske", "Maja", "Céline", "Inès", "Priya",
)  # fmt: skip

BOY_NAMES: Final = (
    "Daan", "Sem", "Lucas", "Levi", "Finn", "Milan", "Noah", "Luuk", "Bram",
    "Jesse", "Thijs", "Sven", "Ruben", "Mees", "Gijs", "Yusuf", "Ismaël",
    "Noël", "Joël", "Daniël", "Rafaël", "Mohammed", "Adam", "Ayoub", "Emir",
    "Mehmet", "Kerem", "Jayden", "Dex", "Siem", "Jurre", "Teun", "Hidde",
    "Otis", "Tymon", "Jakub", "Stijn", "Matthijs", "Rayan", "Quinten",
)  # fmt: skip

# Extra given names that follow the preferred name in "voornamen".
MIDDLE_NAMES: Final = (
    "Maria", "Johanna", "Elisabeth", "Anna", "Catharina", "Sophia", "Wilhelmina",
    "Johannes", "Petrus", "Hendrik", "Cornelis", "Willem", "Jan", "Pieter",
    "Ali", "Mustafa", "Fatma", "Aïcha", "Hélène", "René",
)  # fmt: skip

# Official first names that differ from the name the pupil is called by.
OFFICIAL_FIRST_NAMES: Final = {
    "Bram": "Abraham",
    "Gijs": "Gijsbert",
    "Luuk": "Lucas",
    "Thijs": "Matthijs",
    "Saar": "Sara",
    "Lieke": "Angelique",
    "Mees": "Bartholomeus",
}

# (prefix, surname). An empty prefix is the common case, so it is listed most.
SURNAMES: Final = (
    ("de", "Jong"), ("", "Jansen"), ("de", "Vries"), ("van den", "Berg"),
    ("van", "Dijk"), ("", "Bakker"), ("", "Visser"), ("", "Smit"), ("", "Meijer"),
    ("de", "Boer"), ("", "Mulder"), ("de", "Groot"), ("", "Bos"), ("", "Vos"),
    ("", "Peters"), ("", "Hendriks"), ("van", "Leeuwen"), ("", "Dekker"),
    ("", "Brouwer"), ("de", "Wit"), ("", "Dijkstra"), ("", "Smits"),
    ("de", "Graaf"), ("van der", "Meer"), ("van der", "Linden"), ("", "Kok"),
    ("", "Jacobs"), ("de", "Haan"), ("", "Vermeulen"), ("van den", "Heuvel"),
    ("van der", "Veen"), ("van den", "Broek"), ("de", "Bruijn"), ("de", "Jager"),
    ("van 't", "Hof"), ("van 't", "Zand"), ("el", "Amrani"), ("el", "Idrissi"),
    ("", "Öztürk"), ("", "Çelik"), ("", "Kaya"), ("", "Yılmaz"), ("", "Nguyen"),  # noqa: RUF001
    ("", "Bouzid"), ("", "Ramdin"), ("", "Kowalski"), ("", "Postma"),
    ("", "Hoekstra"), ("ter", "Horst"), ("", "Ağaoğlu"), ("", "Müller"),
    ("", "Sánchez"), ("van", "Beek"), ("", "Wijnberg"), ("", "Claassen"),
)  # fmt: skip

TEACHER_FIRST_NAMES: Final = (
    "Marieke", "Esther", "Jeroen", "Sanne", "Karin", "Joost", "Ingrid", "Mark",
    "Annemiek", "Hatice", "Petra", "Wouter", "Linda", "Bas", "Renée", "Dewi",
    "Ellen", "Martijn", "Nadia", "Gerda", "Tom", "Judith", "Frank", "Mirjam",
)  # fmt: skip

# The schools the arriving pupils come from (invented names and BRIN codes).
OTHER_SCHOOLS: Final = (
    ("CBS De Regenboog", "99ZZ"),
    ("RKBS Sint Jozef", "99ZY"),
    ("OBS Het Palet", "99ZX"),
)


@dataclass(frozen=True, slots=True)
class PersonName:
    surname: str
    prefix: str
    preferred_name: str
    given_names: str

    @property
    def initials(self) -> str:
        return "".join(part[0] for part in self.given_names.split())


def pupil_name(rng: random.Random, sex: str) -> PersonName:
    """A random pupil name; `sex` is the EDEXML code, 1 = boy, 2 = girl."""
    preferred = rng.choice(BOY_NAMES if sex == "1" else GIRL_NAMES)
    prefix, surname = rng.choice(SURNAMES)
    first = OFFICIAL_FIRST_NAMES.get(preferred, preferred)
    extra = rng.sample(MIDDLE_NAMES, k=rng.choice((0, 1, 1, 2)))
    return PersonName(surname, prefix, preferred, " ".join([first, *extra]))


def teacher_name(rng: random.Random) -> PersonName:
    preferred = rng.choice(TEACHER_FIRST_NAMES)
    prefix, surname = rng.choice(SURNAMES)
    return PersonName(surname, prefix, preferred, preferred)
