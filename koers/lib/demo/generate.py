"""Write the whole demo school into a directory."""

from __future__ import annotations

import random
from pathlib import Path

from koers.lib.demo import schoolyear
from koers.lib.demo.doorstroomtoets import (
    transition_messages,
    write_transition_messages,
)
from koers.lib.demo.edexml import write_edexml
from koers.lib.demo.esis import esis_rows, write_esis
from koers.lib.demo.oso import write_oso
from koers.lib.demo.school import School, YearRoster, build_school
from koers.lib.demo.scores import Measurement, Results, simulate_results
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
from koers.lib.demo.textfiles import write_norms, write_readme

DEFAULT_SPEC = DemoSpec()


def generate_school(target_dir: Path, spec: DemoSpec = DEFAULT_SPEC) -> DemoManifest:
    """Write the demo school described by `spec` into `target_dir`.

    The output depends only on `spec`: the same seed gives byte-identical files.
    Existing files with the same names are overwritten; others are left alone.
    """
    target_dir.mkdir(parents=True, exist_ok=True)
    school = build_school(spec)
    results = simulate_results(school)

    files: list[DemoFile] = []
    years = [
        _write_year(spec, roster, results, target_dir, files)
        for roster in school.rosters
    ]
    oso_count = _write_dossiers(school, results, target_dir, files)

    norms_path = target_dir / "normen_demo.csv"
    write_norms(spec, norms_path)
    files.append(DemoFile(norms_path, FORMAT_NORMS))

    readme_path = target_dir / "README.txt"
    write_readme(spec, readme_path)
    files.append(DemoFile(readme_path, FORMAT_README))

    return DemoManifest(
        target_dir=target_dir,
        spec=spec,
        files=tuple(files),
        years=tuple(years),
        distinct_pupils=len(school.pupils),
        oso_dossiers=oso_count,
    )


def _write_year(
    spec: DemoSpec,
    roster: YearRoster,
    results: Results,
    target_dir: Path,
    files: list[DemoFile],
) -> DemoYear:
    year = roster.year
    label = schoolyear.label(year)

    edexml_path = target_dir / f"edexml_{label}.xml"
    write_edexml(spec, roster, edexml_path)
    files.append(DemoFile(edexml_path, FORMAT_EDEXML, year))

    # A separate stream per file keeps the row order stable if other files change.
    rng = random.Random(f"{spec.seed}/esis/{year}")  # noqa: S311
    rows = esis_rows(spec, year, results.measurements, rng)
    esis_path = target_dir / f"esis_lvs_{label}.csv"
    write_esis(rows, esis_path)
    files.append(DemoFile(esis_path, FORMAT_ESIS, year))

    messages = transition_messages(results.transitions, year)
    transition_path = target_dir / f"doorstroomtoets_{label}.json"
    write_transition_messages(messages, transition_path)
    files.append(DemoFile(transition_path, FORMAT_DOORSTROOMTOETS, year))

    return DemoYear(
        school_year=year,
        pupils=len(roster.pupils),
        groups=len(roster.groups),
        result_rows=len(rows),
        transition_results=len(messages),
        arrivals=len(roster.arrivals),
        leavers=len(roster.leavers),
    )


def _write_dossiers(
    school: School, results: Results, target_dir: Path, files: list[DemoFile]
) -> int:
    """One OSO dossier per arriving pupil, with the results from the old school."""
    earlier: dict[str, list[Measurement]] = {}
    for m in results.measurements:
        if not m.at_school and m.subject in school.spec.subjects:
            earlier.setdefault(m.pupil.key, []).append(m)

    count = 0
    for roster in school.rosters:
        for pupil in roster.arrivals:
            path = target_dir / f"oso_{pupil.key}.xml"
            write_oso(pupil, earlier.get(pupil.key, []), path)
            files.append(DemoFile(path, FORMAT_OSO, roster.year))
            count += 1
    return count
