"""The demo norm table (Koers's own norm-table format) and the Dutch README."""

from __future__ import annotations

import csv
from pathlib import Path

from koers.lib.demo import schoolyear
from koers.lib.demo.esis import dutch_number
from koers.lib.demo.norms import (
    DEMO_NORMS,
    INSTRUMENTS,
    NORM_GENERATION,
    NORM_POPULATION,
    NORM_SOURCE,
    NORM_VERSION,
)
from koers.lib.demo.spec import DemoSpec

NORMS_HEADER = (
    "instrument",
    "generation",
    "norm_version",
    "moment",
    "population",
    "national_mean",
    "national_sd",
    "sem",
    "source",
)


def write_norms(spec: DemoSpec, path: Path) -> int:
    """Write one row per instrument and moment; return the number of rows."""
    rows = [
        [
            INSTRUMENTS[subject].esis_test,
            NORM_GENERATION,
            NORM_VERSION,
            norm.moment,
            NORM_POPULATION,
            dutch_number(norm.mean),
            dutch_number(norm.sd),
            dutch_number(norm.sem),
            NORM_SOURCE,
        ]
        for subject in spec.subjects
        for norm in DEMO_NORMS[subject].values()
    ]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\n")
        writer.writerow(NORMS_HEADER)
        writer.writerows(rows)
    return len(rows)


def write_readme(spec: DemoSpec, path: Path) -> None:
    first = schoolyear.label(spec.school_years[0])
    last = schoolyear.label(spec.school_years[-1])
    subjects = ", ".join(INSTRUMENTS[subject].oso_area for subject in spec.subjects)
    text = f"""Demoschool {spec.school_name} ({spec.board_name})
BRIN {spec.brin}, vestiging {spec.branch}; schooljaren {first} t/m {last}.

LET OP: alle namen, nummers, ECK-iD's, BSN's, scores en normen in deze map zijn
verzonnen. De normen zijn NIET de normen van Cito.

Bestanden
- edexml_<schooljaar>.xml: leerlingen, groepen en leerkrachten (EDEXML 2.1),
  per schooljaar, met in- en uitstroom.
- esis_lvs_<schooljaar>.csv: toetsresultaten van het leerlingvolgsysteem
  (ESIS-export; {subjects}).
- normen_demo.csv: de verzonnen landelijke gemiddelden en standaarddeviaties
  per toetsmoment, in het normtabelformaat van Koers.
- oso_<leerlingnummer>.xml: overstapdossier (OSO) van leerlingen die van een
  andere school kwamen, met hun eerdere toetsresultaten.
- doorstroomtoets_<schooljaar>.json: uitslagen van de doorstroomtoets in groep 8
  (referentieniveaus en toetsadvies).

Zo gebruikt u de demo: importeer eerst normen_demo.csv en de EDEXML-bestanden,
daarna de toetsresultaten, de overstapdossiers en de doorstroomtoets.
"""
    path.write_text(text, encoding="utf-8")
