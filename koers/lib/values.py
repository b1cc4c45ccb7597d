"""Small, strict parsers for the values found in school exchange files.

Every parser returns None for a missing value (empty cell or one of the missing
markers schools and suppliers use) and raises `ValueFormatError` for text that is
present but cannot be read. The error carries a Dutch description of what was
expected, so importers can pass it on to the user unchanged.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from koers.lib.records import Period, ReferenceLevel, Subject

MISSING_MARKERS = frozenset({"", "?", "-", "n.v.t.", "nvt", "x", "geen"})

SCHOOL_YEAR_START_MONTH = 8

GRADE_CODES = frozenset(
    {"0", "1", "2", "3", "4", "5", "6", "7", "8"}
    | {"11", "12", "13", "14", "15", "16"}
    | {"S", "P", "B", "D", "V", "C", "N", "H"}
)

LOCAL_TIME_ZONE = "Europe/Amsterdam"

# The 1900 date system counts 1900-02-29, a day that never existed (a Lotus 1-2-3
# bug Excel kept). Serial 60 is that phantom day; from serial 61 (1900-03-01) on the
# epoch is effectively 1899-12-30.
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_PHANTOM_LEAP_DAY = 60
_EXCEL_MAX_SERIAL = 2958465  # 9999-12-31

_DECIMAL_RE = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")
_DAY_FIRST_RE = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4})")
_ISO_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_ISO_DATETIME_RE = re.compile(
    r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?",
    re.IGNORECASE,
)
_SERIAL_RE = re.compile(r"\d{1,7}(?:[.,]\d+)?")
_FULL_YEAR_PAIR_RE = re.compile(r"(\d{4})\s*[-/]\s*(\d{4})")
_SHORT_YEAR_PAIR_RE = re.compile(r"(\d{2})\s*[-/]\s*(\d{2})")
_SINGLE_YEAR_RE = re.compile(r"\d{4}")
_MOMENT_RE = re.compile(r"([bme])\s*(?:groep\s*)?(\d{1,2})?", re.IGNORECASE)
_MOMENT_WORD_RE = re.compile(
    r"(begin|midden|eind|einde)(?:\s*(?:groep\s*)?(\d{1,2}))?", re.IGNORECASE
)
_VERSION_MOMENT_RE = re.compile(r"([bme])(\d{1,2})(?!\d)", re.IGNORECASE)
_LEVEL_IV_RE = re.compile(r"(V|IV|III|II|I|[1-5])\s*([+-]?)", re.IGNORECASE)
_ROMAN_BY_DIGIT = {"1": "I", "2": "II", "3": "III", "4": "IV", "5": "V"}


class ValueFormatError(ValueError):
    """Text was present but is not a value of the expected kind."""

    def __init__(self, expected: str, found: str) -> None:
        self.expected = expected
        self.found = found
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return f"verwacht {self.expected}, gevonden '{self.found}'"


# The same few thousand cell texts (scores, dates, test names) repeat throughout
# an export of 100,000 rows; the parsers below are pure, and what they return is
# immutable, so each distinct text is parsed once.
CACHE_SIZE = 8192

# The dates Koers accepts: results and birth dates of pupils of today's schools.
EARLIEST_DATE = dt.date(1990, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)

# --- text -------------------------------------------------------------------------


# Control characters never belong in a name, code or score, and PostgreSQL refuses
# text with a NUL in it: they are dropped, tab and line ends become spaces.
_CONTROLS = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


@lru_cache(maxsize=CACHE_SIZE)
def clean(text: str | None) -> str:
    """Trim the text, drop control characters and collapse runs of whitespace into
    one space."""
    if text is None:
        return ""
    return " ".join(text.translate(_CONTROLS).split())


def is_missing(text: str | None) -> bool:
    return clean(text).lower() in MISSING_MARKERS


@lru_cache(maxsize=CACHE_SIZE)
def optional_text(text: str | None) -> str | None:
    """The cleaned text, or None when it is a missing marker."""
    cleaned = clean(text)
    return None if cleaned.lower() in MISSING_MARKERS else cleaned


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@lru_cache(maxsize=CACHE_SIZE)
def header_key(text: str) -> str:
    """A column or element name reduced for matching: `Leerling nr.` → `leerlingnr`."""
    return re.sub(r"[^a-z0-9]", "", strip_accents(text).lower())


# --- numbers ----------------------------------------------------------------------


@lru_cache(maxsize=CACHE_SIZE)
def parse_decimal(text: str | None) -> Decimal | None:
    """A number with a decimal comma or point; thousands separators never occur."""
    value = optional_text(text)
    if value is None:
        return None

    compact = value.replace(" ", "")
    if not _DECIMAL_RE.fullmatch(compact):
        raise ValueFormatError("een getal (bijvoorbeeld 12,5)", value)

    normalised = compact.replace(",", ".")
    if normalised.endswith("."):
        normalised += "0"
    if normalised.lstrip("+-").startswith("."):
        sign = normalised[0] if normalised[0] in "+-" else ""
        normalised = f"{sign}0{normalised.lstrip('+-')}"
    return Decimal(normalised)


# Scores are stored with at most 9 digits, 3 of them decimals.
SCORE_LIMIT = Decimal(1_000_000)


@lru_cache(maxsize=CACHE_SIZE)
def parse_score(text: str | None) -> Decimal | None:
    """A raw or ability score: a number below a million either way (no test
    has scores that large; the database column holds no more)."""
    number = parse_decimal(text)
    if number is not None and not -SCORE_LIMIT < number < SCORE_LIMIT:
        raise ValueFormatError("een score kleiner dan 1.000.000", clean(text))
    return number


@lru_cache(maxsize=CACHE_SIZE)
def parse_percentile(text: str | None) -> Decimal | None:
    """A national percentile, 0 to 100 (some suppliers write 0 or 100 at the ends)."""
    number = parse_decimal(text)
    if number is not None and not Decimal(0) <= number <= Decimal(100):
        raise ValueFormatError("een percentiel van 0 tot 100", clean(text))
    return number


@lru_cache(maxsize=CACHE_SIZE)
def parse_int(text: str | None) -> int | None:
    number = parse_decimal(text)
    if number is None:
        return None

    if number != number.to_integral_value():
        raise ValueFormatError("een geheel getal", clean(text))
    # A DLE or didactic age is two digits; a number of 100,000 digits would
    # take seconds to convert and not fit the database column.
    if not -SCORE_LIMIT < number < SCORE_LIMIT:
        raise ValueFormatError("een geheel getal kleiner dan 1.000.000", clean(text))
    return int(number)


@lru_cache(maxsize=CACHE_SIZE)
def parse_bounded_int(text: str | None) -> int | None:
    """An integer that may be capped by the supplier, like a DLE written `>60`."""
    value = optional_text(text)
    if value is None:
        return None
    return parse_int(value.lstrip("<>≤≥= "))


# --- dates ------------------------------------------------------------------------


@lru_cache(maxsize=CACHE_SIZE)
def parse_date(text: str | None) -> dt.date | None:
    """Dates as schools and suppliers write them.

    Accepted: `dd-mm-yyyy` and `d-m-yyyy` (also with `/` or `.`), `yyyy-mm-dd`,
    ISO date-times with or without `Z`/offset (converted to Dutch local time), and
    Excel serial numbers in the 1900 system.
    """
    value = optional_text(text)
    if value is None:
        return None

    try:
        parsed = _parse_date_text(value)
    except (ValueError, OverflowError) as error:
        # The form is right but the day is not: 31-02-2024, or serial 0.
        raise ValueFormatError("een bestaande datum", value) from error
    if parsed is None:
        raise ValueFormatError("een datum als dd-mm-jjjj", value)
    if not EARLIEST_DATE <= parsed <= LATEST_DATE:
        # 99999 is a valid Excel serial (2173) and 1850 a valid year, but no
        # pupil of a primary school was born or tested then.
        raise ValueFormatError(
            f"een datum tussen {EARLIEST_DATE.year} en {LATEST_DATE.year}", value
        )
    return parsed


def _parse_date_text(value: str) -> dt.date | None:
    if match := _DAY_FIRST_RE.fullmatch(value):
        day, _, month, year = match.groups()
        return dt.date(int(year), int(month), int(day))

    if match := _ISO_DATE_RE.fullmatch(value):
        year, month, day = match.groups()
        return dt.date(int(year), int(month), int(day))

    if match := _ISO_DATETIME_RE.fullmatch(value):
        return _date_of_timestamp(value, has_offset=match.group(3) is not None)

    if _SERIAL_RE.fullmatch(value):
        return excel_serial_to_date(Decimal(value.replace(",", ".")))

    return None


def _date_of_timestamp(value: str, *, has_offset: bool) -> dt.date:
    timestamp = dt.datetime.fromisoformat(value.upper().replace(" ", "T"))
    if not has_offset:
        return timestamp.date()

    # A supplier writes UTC (`Z`); the school day is the Dutch calendar day.
    try:
        local_zone: dt.tzinfo = ZoneInfo(LOCAL_TIME_ZONE)
    except ZoneInfoNotFoundError:
        return timestamp.date()
    return timestamp.astimezone(local_zone).date()


def excel_serial_to_date(serial: Decimal | int | float) -> dt.date:
    """Convert an Excel 1900-system serial (time fraction ignored) to a date."""
    days = int(serial)
    if days < 1 or days > _EXCEL_MAX_SERIAL or days == _EXCEL_PHANTOM_LEAP_DAY:
        raise ValueError(f"no date for Excel serial {days}")

    if days < _EXCEL_PHANTOM_LEAP_DAY:
        return _EXCEL_EPOCH + dt.timedelta(days=days + 1)
    return _EXCEL_EPOCH + dt.timedelta(days=days)


def date_to_excel_serial(date: dt.date) -> int:
    days = (date - _EXCEL_EPOCH).days
    return days - 1 if days <= _EXCEL_PHANTOM_LEAP_DAY else days


def school_year_of(date: dt.date) -> int:
    """The school year (its start year) a date falls in; a year starts on 1 August."""
    return date.year if date.month >= SCHOOL_YEAR_START_MONTH else date.year - 1


@lru_cache(maxsize=CACHE_SIZE)
def parse_school_year(text: str | None) -> int | None:
    """`2014-2015`, `2014/2015`, `2020 / 2021`, `20-21` or `2014` → start year."""
    value = optional_text(text)
    if value is None:
        return None

    if match := _FULL_YEAR_PAIR_RE.fullmatch(value):
        start, end = int(match.group(1)), int(match.group(2))
    elif match := _SHORT_YEAR_PAIR_RE.fullmatch(value):
        start, end = 2000 + int(match.group(1)), 2000 + int(match.group(2))
    elif _SINGLE_YEAR_RE.fullmatch(value):
        return _bounded_school_year(int(value), value)
    else:
        raise ValueFormatError("een schooljaar als 2014-2015", value)

    if end != start + 1:
        raise ValueFormatError("een schooljaar als 2014-2015", value)
    return _bounded_school_year(start, value)


def _bounded_school_year(start: int, value: str) -> int:
    # Year 0 or 9999 has the right form, but no date of such a year can be made.
    if not EARLIEST_DATE.year <= start < LATEST_DATE.year:
        raise ValueFormatError(
            f"een schooljaar tussen {EARLIEST_DATE.year} en {LATEST_DATE.year}", value
        )
    return start


# --- grades, moments, levels ------------------------------------------------------


@lru_cache(maxsize=CACHE_SIZE)
def parse_grade(text: str | None) -> str | None:
    """Normalise a grade (jaargroep) FIELD: `05` → `5`, `groep 5` → `5`, `s` → `S`.

    Never call this on a group name: `Groep 4/5` is a combination group, not grade 4.
    """
    value = optional_text(text)
    if value is None:
        return None

    code = re.sub(r"^(?:groep|leerjaar|jaargroep)\s*", "", value, flags=re.IGNORECASE)
    code = code.upper()
    # isdecimal, not isdigit: `²` is a digit that int() cannot read; and a
    # grade has two digits at most, while int() refuses 4,300.
    if code.isdecimal() and len(code) <= len(max(GRADE_CODES, key=len)):
        code = str(int(code))
    if code not in GRADE_CODES:
        raise ValueFormatError(
            "een jaargroep (0-8, 11-16 of S, P, B, D, V, C, N, H)", value
        )
    return code


_PERIOD_BY_LETTER = {"B": Period.BEGIN, "M": Period.MIDDLE, "E": Period.END}
_PERIOD_BY_WORD = {
    "begin": Period.BEGIN,
    "midden": Period.MIDDLE,
    "eind": Period.END,
    "einde": Period.END,
}


@lru_cache(maxsize=CACHE_SIZE)
def parse_moment(text: str | None) -> tuple[Period, str | None] | None:
    """A test moment: `M5`, `e7`, `M`, `midden`, `eind groep 6` → (period, grade)."""
    value = optional_text(text)
    if value is None:
        return None

    if match := _MOMENT_RE.fullmatch(value):
        period = _PERIOD_BY_LETTER[match.group(1).upper()]
    elif match := _MOMENT_WORD_RE.fullmatch(value):
        period = _PERIOD_BY_WORD[match.group(1).lower()]
    else:
        raise ValueFormatError("een toetsmoment als M5, E7 of B8", value)

    grade = match.group(2)
    return period, (str(int(grade)) if grade else None)


@lru_cache(maxsize=CACHE_SIZE)
def moment_from_test_version(version: str | None) -> tuple[Period, str | None] | None:
    """The moment a test version was made for: `M8-digi S(B)O` → (M, 8)."""
    match = _VERSION_MOMENT_RE.match(clean(version))
    if match is None:
        return None
    return _PERIOD_BY_LETTER[match.group(1).upper()], str(int(match.group(2)))


_REFERENCE_LEVELS = {
    "<1F": ReferenceLevel.BELOW_1F,
    "L1F": ReferenceLevel.BELOW_1F,
    "ONDER1F": ReferenceLevel.BELOW_1F,
    "1F": ReferenceLevel.F1,
    "1S": ReferenceLevel.S1,
    "2F": ReferenceLevel.F2,
    "2S": ReferenceLevel.S2,
    "3F": ReferenceLevel.F3,
    # OSO code list 45.
    "01": ReferenceLevel.BELOW_1F,
    "02": ReferenceLevel.F1,
    "03": ReferenceLevel.S1,
    "04": ReferenceLevel.F2,
}


@lru_cache(maxsize=CACHE_SIZE)
def parse_reference_level(text: str | None) -> ReferenceLevel | None:
    value = optional_text(text)
    if value is None:
        return None

    level = _REFERENCE_LEVELS.get(value.upper().replace(" ", ""))
    if level is None:
        raise ValueFormatError(
            "een referentieniveau (<1F, 1F, 1S, 2F, 2S of 3F)", value
        )
    return level


@lru_cache(maxsize=CACHE_SIZE)
def parse_level_iv(text: str | None) -> str | None:
    """A level I-V, optionally with `+`/`-`; the digits 1-5 stand for I-V."""
    value = optional_text(text)
    if value is None:
        return None

    match = _LEVEL_IV_RE.fullmatch(value.replace(" ", ""))
    if match is None:
        raise ValueFormatError("een niveau I t/m V", value)
    roman = match.group(1).upper()
    return _ROMAN_BY_DIGIT.get(roman, roman) + match.group(2)


@lru_cache(maxsize=CACHE_SIZE)
def parse_level_ae(text: str | None) -> str | None:
    value = optional_text(text)
    if value is None:
        return None

    letter = value.upper()
    if letter not in {"A", "B", "C", "D", "E"}:
        raise ValueFormatError("een niveau A t/m E", value)
    return letter


# --- subjects and suppliers -------------------------------------------------------

# First match wins, so the specific DIA test names and "begrijpend" come before the
# generic words they contain.
_SUBJECT_RULES: tuple[tuple[re.Pattern[str], Subject], ...] = tuple(
    (re.compile(pattern), subject)
    for pattern, subject in (
        (r"\bdiaspel\b", Subject.LANGUAGE),
        (r"\bdiatekst\b", Subject.READING_COMPREHENSION),
        (r"\bdiawoord\b", Subject.VOCABULARY),
        (r"\bdiacijfer\b", Subject.MATH),
        (r"\bbegrijpend\b", Subject.READING_COMPREHENSION),
        (r"\btechnisch lezen\b|\bdmt\b|\bavi\b", Subject.TECHNICAL_READING),
        (r"\bwoordenschat\b", Subject.VOCABULARY),
        (r"\bspelling\b", Subject.SPELLING),
        (r"\btaalverzorging\b", Subject.LANGUAGE),
        (r"\brekenen\b|\bwiskunde\b", Subject.MATH),
    )
)


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", strip_accents(text).lower()).split())


@lru_cache(maxsize=CACHE_SIZE)
def subject_of(*names: str | None) -> Subject:
    """The subject of a test, from the first of its names that tells (area, name…)."""
    for name in names:
        words = _words(name or "")
        for pattern, subject in _SUBJECT_RULES:
            if pattern.search(words):
                return subject
    return Subject.OTHER


UNKNOWN_SUPPLIER = "onbekend"

_CITO_SERIES = re.compile(
    r"\b(cito|rekenen wiskunde|begrijpend lezen|spelling|dmt|avi|woordenschat"
    r"|leerling in beeld)\b"
)


@lru_cache(maxsize=CACHE_SIZE)
def supplier_of(test_name: str | None) -> str:
    """Guess the supplier from a test name; `onbekend` when the name does not tell."""
    words = _words(test_name or "")
    if re.search(r"\biep\b", words):
        return "IEP"
    if re.search(r"\bdia(tekst|cijfer|woord|spel|taal)?\b", words):
        return "DIA"
    if re.search(r"\bboom\b", words):
        return "Boom"
    if _CITO_SERIES.search(words):
        return "Cito"
    return UNKNOWN_SUPPLIER


# --- names ------------------------------------------------------------------------

# Words that occur in Dutch (and common foreign) surname prefixes, in the spellings
# LAS exports use: `van der`, `v. d.`, `v.d.`, `van 't`, `Da`, `el`.
# fmt: off
_PREFIX_WORDS = frozenset({
    "van", "der", "den", "de", "het", "'t", "te", "ten", "ter", "op", "in", "aan",
    "bij", "uit", "over", "v.", "d.", "v", "d", "v.d.", "vd", "'s",
    "el", "al", "da", "di", "du", "do", "dos", "del", "la", "le", "los", "von", "zu",
})
# fmt: on


@dataclass(frozen=True, slots=True)
class NameParts:
    surname: str
    prefix: str
    preferred_name: str


def clean_prefix(text: str | None) -> str:
    """A surname prefix as written (`v. d.`, `van 't`, `Da`, `el`), spaces tidied."""
    prefix = optional_text(text)
    return prefix or ""


def split_combined_name(text: str | None) -> NameParts:
    """Split a single name column.

    `Berg, Daan van der` (surname, then first name and prefix) is the usual export
    form; without a comma the order is taken as `Daan van der Berg`.
    """
    value = clean(text)
    if "," in value:
        surname, rest = (part.strip() for part in value.split(",", 1))
        words = rest.split()
        cut = len(words)
        while cut > 1 and words[cut - 1].lower() in _PREFIX_WORDS:
            cut -= 1
        return NameParts(surname, " ".join(words[cut:]), " ".join(words[:cut]))

    words = value.split()
    if len(words) < 2:
        return NameParts(value, "", "")
    end = 1
    while end < len(words) - 1 and words[end].lower() in _PREFIX_WORDS:
        end += 1
    return NameParts(" ".join(words[end:]), " ".join(words[1:end]), words[0])


# --- privacy ----------------------------------------------------------------------

_BSN_KEYS = frozenset(
    {
        "bsn",
        "sofinummer",
        "burgerservicenummer",
        "onderwijsnummer",
        "bsnondwnr4",
        "bsnondwnr",
        "bsnonderwijsnummer",
    }
)


@lru_cache(maxsize=CACHE_SIZE)
def is_bsn_field(name: str) -> bool:
    """Whether a column or element carries a BSN or onderwijsnummer (never stored)."""
    key = header_key(name)
    return key in _BSN_KEYS or key.startswith("bsn")


def dropped_bsn_note(count: int) -> str:
    """The one note an importer adds when it threw BSN-like values away."""
    if count == 1:
        return "1 BSN-waarde (BSN of onderwijsnummer) is genegeerd en niet opgeslagen."
    return (
        f"{count} BSN-waarden (BSN of onderwijsnummer) zijn genegeerd "
        "en niet opgeslagen."
    )
