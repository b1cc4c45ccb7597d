"""How the settings page explains each flag rule and bounds its parameters.

The rules themselves live in `koers.lib.analysis.flags`; this module holds only
their Dutch text and the ranges a school may choose from. The ranges are tighter
than what the rules accept, to keep a school from a setting that flags every
pupil or none (a test checks that every parameter has a range).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

# A label or text that is translated when shown (gettext_lazy).
type StrOrLazy = str | _StrPromise


@dataclass(frozen=True, slots=True)
class ParameterRange:
    label: StrOrLazy
    help_text: StrOrLazy
    minimum: Decimal
    maximum: Decimal
    whole: bool = False


RULE_EXPLANATIONS: dict[str, StrOrLazy] = {
    "below_expected": _(
        "Bij elk van de laatste stappen groeide de leerling minder dan bijna alle "
        "leerlingen die op dezelfde index begonnen. De verwachting houdt rekening "
        "met regressie naar het gemiddelde: wie hoog scoorde, scoort de volgende "
        "keer gemiddeld wat lager, en andersom."
    ),
    "persistently_low": _(
        "De laatste resultaten lagen allemaal onder de drempel (het laagste "
        "tiende) en de leerling herstelde in die tijd niet genoeg; naar het "
        "criterium voor doorverwijzing bij dyslexie."
    ),
    "off_course": _(
        "Eerst op koers naar het streefniveau (1S rekenen, 2F lezen en "
        "taalverzorging), daarna twee metingen op rij niet meer."
    ),
    "persistent_decline": _(
        "De index daalde bij de laatste twee stappen en samen minstens het "
        "ingestelde aantal punten. Standaard uit: op echte gegevens pikt deze "
        "regel vooral meetruis op."
    ),
    "sharp_drop": _(
        "De index daalde tussen de laatste twee resultaten minstens het ingestelde "
        "aantal punten. Standaard uit: één toets verschilt van keer tot keer al 15 "
        "tot 20 indexpunten."
    ),
}

PARAMETER_RANGES: dict[tuple[str, str], ParameterRange] = {
    ("below_expected", "correlation"): ParameterRange(
        _("Samenhang tussen twee metingen"),
        _(
            "De correlatie tussen opeenvolgende scores op dezelfde toets, groter "
            "dan 0 en kleiner dan 1. Hoe hoger, hoe minder de verwachting naar "
            "het gemiddelde schuift."
        ),
        Decimal("0.5"),
        Decimal("0.95"),
    ),
    ("below_expected", "percentile"): ParameterRange(
        _("Percentiel van de verwachte groei"),
        _(
            "De leerling valt op bij groei onder dit percentiel van de leerlingen "
            "die op dezelfde plek begonnen (1 tot 25)."
        ),
        Decimal(1),
        Decimal(25),
    ),
    ("below_expected", "steps"): ParameterRange(
        _("Aantal stappen op rij"),
        _("Zoveel keer op rij onder de verwachting (2 tot 4)."),
        Decimal(2),
        Decimal(4),
        whole=True,
    ),
    ("persistently_low", "threshold"): ParameterRange(
        _("Drempel (index)"),
        _("De leerling valt op als de index steeds onder deze drempel blijft (1-50)."),
        Decimal(1),
        Decimal(50),
    ),
    ("persistently_low", "measurements"): ParameterRange(
        _("Aantal metingen op rij"),
        _("Zoveel opeenvolgende resultaten onder de drempel (2 tot 6)."),
        Decimal(2),
        Decimal(6),
        whole=True,
    ),
    ("persistently_low", "min_recovery"): ParameterRange(
        _("Herstel dat telt (punten)"),
        _(
            "Stijgt de index van de eerste tot de laatste van die metingen "
            "minstens zoveel punten, dan valt de leerling niet op (0 tot 50)."
        ),
        Decimal(0),
        Decimal(50),
    ),
    ("persistent_decline", "min_total_drop"): ParameterRange(
        _("Daling samen (punten)"),
        _("Hoeveel indexpunten de twee dalingen samen minstens zijn (5 tot 90)."),
        Decimal(5),
        Decimal(90),
    ),
    ("sharp_drop", "min_drop"): ParameterRange(
        _("Daling (punten)"),
        _("Hoeveel indexpunten de index tussen twee metingen minstens daalt (5-90)."),
        Decimal(5),
        Decimal(90),
    ),
}
