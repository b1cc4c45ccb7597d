"""Demo generator: a synthetic Dutch primary school written as real exchange files.

`generate_school(target_dir, spec)` writes, for THE demo school "OBS De Koerswijzer"
(or any `DemoSpec`), the files a school would import into Koers:

- `edexml_<YYYY-YYYY>.xml`: EDEXML 2.1 roster per school year;
- `esis_lvs_<YYYY-YYYY>.csv`: ESIS LVS results export per school year;
- `normen_demo.csv`: the demo norms in Koers's norm-table format;
- `oso_<pupil key>.xml`: OSO 2019 dossier per pupil who came from another school;
- `doorstroomtoets_<YYYY-YYYY>.json`: array of doorstroomtoets result messages;
- `README.txt`: a short Dutch explanation.

Everything depends only on the spec (its `seed` above all): no clock, no global
random state, so two runs give byte-identical files.

INVENTED NORMS. The national means and SDs per test moment in `DEMO_NORMS`
(module `norms`) are made up for this demo. They are NOT Cito's norms, which are
not public; they were chosen only so that ability scores rise over the grades with
slowing growth. Levels (I-V, A-E), percentiles and DLEs in the demo files are
computed from these invented numbers, and `normen_demo.csv` carries them so Koers
reproduces the same percentiles. The distribution parameters of the simulated
school (mobility, school effects, declines, absence) live in module `params`, each
with its reason.

Uses only the standard library (plus the record vocabulary of `koers.lib.records`).
"""

from __future__ import annotations

from koers.lib.demo.generate import DEFAULT_SPEC, generate_school
from koers.lib.demo.norms import (
    AE_BOUNDS,
    DEMO_NORMS,
    INSTRUMENTS,
    IV_BOUNDS,
    MOMENTS,
    NOMINAL_DL,
    Instrument,
    NormPoint,
)
from koers.lib.demo.spec import (
    FORMAT_DOORSTROOMTOETS,
    FORMAT_EDEXML,
    FORMAT_ESIS,
    FORMAT_NORMS,
    FORMAT_OSO,
    FORMAT_README,
    DemoFile,
    DemoManifest,
    DemoSpec,
    DemoYear,
)

__all__ = [
    "AE_BOUNDS",
    "DEFAULT_SPEC",
    "DEMO_NORMS",
    "FORMAT_DOORSTROOMTOETS",
    "FORMAT_EDEXML",
    "FORMAT_ESIS",
    "FORMAT_NORMS",
    "FORMAT_OSO",
    "FORMAT_README",
    "INSTRUMENTS",
    "IV_BOUNDS",
    "MOMENTS",
    "NOMINAL_DL",
    "DemoFile",
    "DemoManifest",
    "DemoSpec",
    "DemoYear",
    "Instrument",
    "NormPoint",
    "generate_school",
]
