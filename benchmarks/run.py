"""Koers import and overview benchmarks (measurements, not timed tests).

    .venv/bin/python -m benchmarks.run [--rows 100000] [--quick] [--only a,b]
    .venv/bin/python -m benchmarks.run --profile [--quick]

Inputs are generated once into a temporary folder. Each measurement then runs in
its own process (`benchmarks.worker`) against its own fresh SQLite file, so that
the peak RSS reported is that process's own: it is read by this parent with
`os.wait4`, i.e. the child's `ru_maxrss` (the same number RUSAGE_CHILDREN gives
for a single child). It covers the whole process: interpreter, Django, migrate,
untimed setup and the timed part; "RSS before" is the RSS right before the timed
part.

Measurements:
- floor-esis / floor-oso: stdlib parse + ONE executemany (module `floor`);
- koers-esis / koers-oso: `import_file` with the pupils pre-imported from an
  EDEXML roster (not timed), as in the floor where ids are pre-resolved;
- koers-esis-cold: `import_file` of the ESIS file into a school without pupils
  (Koers creates them);
- overviews: the demo school (400 pupils, 5 years) imported, then every overview
  of the school: warm run + 5 repeats;
- pages: the same demo school, every server page through Django's test client as
  a logged-in member (warm run + 3 repeats), and the charts and downloads.

A full run writes the tables to `benchmarks/RESULTS.md`; `--quick` (10,000 rows)
only prints them, unless `--output` is given.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import pstats
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import inputs

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
FULL_ROWS = 100_000
QUICK_ROWS = 10_000
SPEED_TARGET = 0.5  # Koers at no less than half the floor's rows/s
MEMORY_TARGET_MB = 500.0
OVERVIEW_TARGET_MS = 200.0
PAGE_TARGET_MS = 300.0
ALL = (
    "floor-esis",
    "koers-esis",
    "koers-esis-cold",
    "floor-oso",
    "koers-oso",
    "overviews",
    "pages",
)
# koers-esis-cold takes as long again as koers-esis: only with --all or --only.
DEFAULT = tuple(name for name in ALL if name != "koers-esis-cold")
PROFILED = ("koers-esis", "koers-oso", "overviews")
# --quick: a smoke test. OSO at a fifth of the rows (Koers imports one dossier per
# transaction and is slow there), a small demo school and two repeats.
QUICK_OSO_SHARE = 10
QUICK_OVERVIEWS = ["--demo-pupils", "80", "--demo-years", "2", "--repeats", "2"]
FLOORS = {
    "koers-esis": "floor-esis",
    "koers-esis-cold": "floor-esis",
    "koers-oso": "floor-oso",
}
DESCRIPTIONS = {
    "floor-esis": "FLOOR ESIS: csv + 1 executemany",
    "koers-esis": "Koers ESIS import, pupils pre-imported",
    "koers-esis-cold": "Koers ESIS import, pupils created by import",
    "floor-oso": "FLOOR OSO: xml.etree + 1 executemany",
    "koers-oso": "Koers OSO import (1 import_file per dossier), pupils pre-imported",
    "overviews": "Koers overviews of one school (all calls, median pass)",
    "pages": "Koers server pages of one school (slowest page, median)",
}


@dataclass
class Measured:
    name: str
    result: dict[str, Any]
    peak_rss_mb: float
    wall_seconds: float


def generate_inputs(directory: Path, rows: int, oso_rows: int) -> dict[str, int]:
    esis_pupils = inputs.write_esis(directory / "esis.csv", rows)
    dossiers = max(1, oso_rows // inputs.OSO_TESTS_PER_DOSSIER)
    oso_pupils = inputs.write_oso(directory / "oso", dossiers)
    roster = max((esis_pupils, oso_pupils), key=len)  # same keys, the longer list
    inputs.write_roster(directory / "roster.xml", roster)
    return {
        "esis_rows": rows,
        "esis_pupils": len(esis_pupils),
        "oso_dossiers": dossiers,
        "oso_tests": dossiers * inputs.OSO_TESTS_PER_DOSSIER,
        "roster_pupils": len(roster),
    }


def run_worker(
    name: str,
    input_dir: Path,
    work_dir: Path,
    profile: Path | None = None,
    extra: list[str] | None = None,
) -> Measured:
    """Run one measurement in a child with its own fresh SQLite file."""
    data_dir = work_dir / name
    data_dir.mkdir(parents=True)
    out = data_dir / "result.json"
    env = dict(os.environ)
    env["KOERS_DATA_DIR"] = str(data_dir)
    env["KOERS_DATABASE_URL"] = f"sqlite:///{data_dir / 'koers.sqlite3'}"
    env["DJANGO_SETTINGS_MODULE"] = "koers.settings"
    command = [
        sys.executable,
        "-m",
        "benchmarks.worker",
        name,
        "--inputs",
        str(input_dir),
        "--out",
        str(out),
    ]
    if profile is not None:
        command += ["--profile", str(profile)]
    command += extra or []
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"measurement {name} failed ({process.returncode})")
    result = json.loads(out.read_text(encoding="utf-8"))
    # ru_maxrss is in KiB on Linux.
    return Measured(name, result, usage.ru_maxrss * 1024 / 1e6, wall)


# --- report -------------------------------------------------------------------


def machine() -> list[str]:
    return [
        f"- machine: `{platform.platform()}`, {platform.machine()}, "
        f"{os.cpu_count()} CPUs ({platform.processor() or 'unknown processor'})",
        f"- Python {platform.python_version()} ({platform.python_implementation()}),"
        f" SQLite {sqlite3.sqlite_version}, Django {django_version()}",
        f"- run at {dt.datetime.now().replace(microsecond=0).isoformat()}",
    ]


def django_version() -> str:
    import django

    return django.get_version()


def rate(measured: Measured) -> float:
    seconds = float(measured.result["seconds"])
    return float(measured.result["rows"]) / seconds if seconds else 0.0


def verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def measurement_table(found: dict[str, Measured], full_scale: bool) -> list[str]:
    lines = [
        "| measurement | rows | seconds | rows/s | ratio to floor | peak RSS (MB) "
        "| RSS before timed part (MB) | target | met |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for name in ALL:
        if name not in found:
            continue
        measured = found[name]
        result = measured.result
        ratio_text, target, met = "", "", ""
        floor = found.get(FLOORS.get(name, ""))
        if name in FLOORS:
            target = (
                f"≥ {SPEED_TARGET}x floor rows/s; peak RSS < {MEMORY_TARGET_MB:.0f} MB"
            )
            checks = []
            if floor is not None:
                ratio = rate(measured) / rate(floor)
                ratio_text = f"{ratio:.2f}"
                checks.append(f"speed {verdict(ratio >= SPEED_TARGET)}")
            checks.append(f"RSS {verdict(measured.peak_rss_mb < MEMORY_TARGET_MB)}")
            met = "; ".join(checks)
        elif name.startswith("floor"):
            ratio_text = "1.00"
            target = "(reference)"
        elif name == "overviews":
            target = f"< {OVERVIEW_TARGET_MS:.0f} ms for all overviews"
            met = verdict(float(result["seconds"]) * 1000 < OVERVIEW_TARGET_MS)
        elif name == "pages":
            target = f"< {PAGE_TARGET_MS:.0f} ms for every page"
            met = verdict(float(result["seconds"]) * 1000 < PAGE_TARGET_MS)
        if not full_scale and met:
            met += " (at reduced scale)"
        seconds = float(result["seconds"])
        lines.append(
            f"| {DESCRIPTIONS[name]} | {int(result['rows']):,} | {seconds:.3f} "
            f"| {rate(measured):,.0f} | {ratio_text} | {measured.peak_rss_mb:.0f} "
            f"| {float(result['rss_before_mb']):.0f} | {target} | {met} |"
        )
    return lines


def overview_table(measured: Measured) -> list[str]:
    result = measured.result
    lines = [
        f"Overviews of the demo school ({result['rows']:,} results in the database, "
        f"years {result['years'][0]}-{result['years'][-1]}, {result['groups']} groups"
        " in the last year); warm run, then "
        f"{result['repeats']} repeats:",
        "",
        "| call | median (ms) | max (ms) |",
        "|---|---:|---:|",
    ]
    for call in result["calls"]:
        lines.append(
            f"| `{call['call']}` | {call['median_ms']:.1f} | {call['max_ms']:.1f} |"
        )
    total_ms = float(result["seconds"]) * 1000
    lines.append(
        f"| **total (all calls, one pass)** | **{total_ms:.0f}** "
        f"| **{float(result['total_max_s']) * 1000:.0f}** |"
    )
    return lines


def page_table(measured: Measured) -> list[str]:
    result = measured.result
    lines = [
        "Server pages of the demo school through Django's test client, logged in "
        f"(warm run, then {result['repeats']} repeats; downloads once). Charts and "
        "downloads are fetched after a page, as images and files:",
        "",
        "| kind | request | how many | median (ms) | slowest (ms) |",
        "|---|---|---:|---:|---:|",
    ]
    for call in result["calls"]:
        lines.append(
            f"| {call['kind']} | {call['call']} | {call['count']} "
            f"| {call['median_ms']:.0f} | {call['max_ms']:.0f} |"
        )
    return lines


def report(
    found: dict[str, Measured],
    sizes: dict[str, int],
    rows: int,
    total: float,
    quick: bool,
) -> str:
    full_scale = rows >= FULL_ROWS and sizes["oso_tests"] >= FULL_ROWS and not quick
    lines = ["# Koers benchmarks", "", *machine()]
    lines += [
        f"- inputs: ESIS {sizes['esis_rows']:,} rows ({sizes['esis_pupils']:,} "
        f"pupils x 4 subjects x 10 moments over 5 school years, BRIN 99KW00); OSO "
        f"{sizes['oso_dossiers']:,} dossiers x {inputs.OSO_TESTS_PER_DOSSIER} tests "
        f"= {sizes['oso_tests']:,} results; EDEXML roster of "
        f"{sizes['roster_pupils']:,} pupils",
        "- every measurement in its own process with a fresh, migrated SQLite file; "
        "the demo norm table is loaded and (except for koers-esis-cold) the roster "
        "imported before timing",
        "- peak RSS: `ru_maxrss` of the measurement's process, read with `os.wait4`"
        " (whole process: interpreter, Django, migrate, setup and timed part); "
        "MB = 10^6 bytes",
        f"- total benchmark time: {total:.0f} s",
        "",
    ]
    if not full_scale:
        lines += [
            f"**Reduced scale (ESIS {rows:,} rows, OSO {sizes['oso_tests']:,} "
            "results, small demo school with --quick): the targets are for "
            "100,000 rows and a 400-pupil school.**",
            "",
        ]
    lines += measurement_table(found, full_scale)
    if "overviews" in found:
        lines += ["", *overview_table(found["overviews"])]
    if "pages" in found:
        lines += ["", *page_table(found["pages"])]
    details = {
        name: {
            key: value
            for key, value in measured.result.items()
            if key in ("counts", "files", "skipped", "written")
        }
        for name, measured in found.items()
    }
    lines += ["", "Counts reported by Koers:", "", "```", json.dumps(details), "```"]
    return "\n".join(lines) + "\n"


# --- profile ------------------------------------------------------------------


def print_profile(name: str, path: Path, limit: int) -> None:
    print(f"\n## cProfile of {name} (timed part only)\n")
    stats = pstats.Stats(str(path), stream=sys.stdout)
    stats.strip_dirs()
    stats.sort_stats("cumulative").print_stats(limit)
    stats.sort_stats("tottime").print_stats(limit)


# --- main ---------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--quick", action="store_true", help="10,000 rows")
    parser.add_argument("--only", help="comma-separated measurements: " + ",".join(ALL))
    parser.add_argument("--all", action="store_true", help="also koers-esis-cold")
    parser.add_argument("--oso-rows", type=int, help="OSO results (default: --rows)")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile the Koers measurements"
    )
    parser.add_argument("--limit", type=int, default=30, help="profile lines")
    parser.add_argument("--output", type=Path, help="Markdown file to write")
    args = parser.parse_args()

    rows = args.rows or (QUICK_ROWS if args.quick else FULL_ROWS)
    oso_rows = args.oso_rows or (rows // QUICK_OSO_SHARE if args.quick else rows)
    names = ALL if args.all else DEFAULT
    if args.only:
        names = tuple(args.only.split(","))
    if args.profile and not args.only:
        names = PROFILED
    unknown = set(names) - set(ALL)
    if unknown:
        parser.error(f"unknown measurements: {', '.join(sorted(unknown))}")

    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="koers-bench-") as temp:
        base = Path(temp)
        input_dir = base / "inputs"
        input_dir.mkdir()
        print(f"generating inputs ({rows:,} rows) ...", flush=True)
        sizes = generate_inputs(input_dir, rows, oso_rows)
        found: dict[str, Measured] = {}
        for name in names:
            print(f"running {name} ...", flush=True)
            profile = base / f"{name}.pstats" if args.profile else None
            quick_demo = args.quick and name in ("overviews", "pages")
            extra = QUICK_OVERVIEWS if quick_demo else []
            found[name] = run_worker(name, input_dir, base / "work", profile, extra)
            result = found[name].result
            print(
                f"  {result['rows']:,} rows in {float(result['seconds']):.3f} s, "
                f"peak RSS {found[name].peak_rss_mb:.0f} MB "
                f"(process wall {found[name].wall_seconds:.1f} s)",
                flush=True,
            )
            if profile is not None:
                print_profile(name, profile, args.limit)
        total = time.perf_counter() - start

    if args.profile:
        print("\n(profiled run: timings are inflated by cProfile; no table written)")
        return
    text = report(found, sizes, rows, total, args.quick)
    print()
    print(text)
    full = rows >= FULL_ROWS and oso_rows >= FULL_ROWS and not args.quick
    output = args.output or (RESULTS if full and not args.only else None)
    if output is not None:
        output.write_text(text, encoding="utf-8")
        print(f"written to {output}")


if __name__ == "__main__":
    main()
