"""One measurement in its own process, so that its peak RSS is its own.

    python -m benchmarks.worker NAME --inputs DIR --out RESULT.json [--profile F]

The parent (`benchmarks.run`) points KOERS_DATA_DIR / KOERS_DATABASE_URL at a fresh
SQLite file before starting this process. Here Django is set up, the database
migrated and the measurement's preconditions created (school, norm table, roster:
NOT timed); then only the import or the overview calls are timed. The result is
written as JSON to `--out`.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import resource
import sqlite3
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import django

Result = dict[str, Any]


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "koers.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def rss_mb() -> float:
    """The current resident set size (Linux /proc), in MB (10**6 bytes)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024 / 1e6
    return 0.0


def peak_rss_mb() -> float:
    """Peak RSS of this process so far (ru_maxrss is in KiB on Linux), in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


class Timer:
    """Times one callable, optionally under cProfile (then timings are inflated)."""

    def __init__(self, profile_path: str | None) -> None:
        self.profile_path = profile_path

    def run[T](self, work: Callable[[], T]) -> tuple[T, float]:
        profiler = cProfile.Profile() if self.profile_path else None
        start = time.perf_counter()
        value = profiler.runcall(work) if profiler is not None else work()
        seconds = time.perf_counter() - start
        if profiler is not None and self.profile_path:
            profiler.dump_stats(self.profile_path)
        return value, seconds


# --- preconditions (not timed) ------------------------------------------------


def create_school() -> Any:
    from benchmarks.inputs import BRANCH, BRIN
    from koers.schools.models import School

    return School.objects.create(brin=BRIN, branch_code=BRANCH, name="Benchschool")


def load_demo_norms(directory: Path) -> None:
    from koers.lib.demo import DemoSpec
    from koers.lib.demo.textfiles import write_norms
    from koers.results.norms import load_norm_table

    path = directory / "normen_demo.csv"
    if not path.exists():
        write_norms(DemoSpec(), path)
    load_norm_table(path.read_bytes())


def import_roster(inputs: Path, school: Any) -> None:
    from koers.results.services import import_file

    path = inputs / "roster.xml"
    summary = import_file(path.name, path.read_bytes(), school=school)
    assert summary.counts["pupils_created"] > 0, summary.as_dict()


def db_path() -> str:
    from django.conf import settings

    return str(settings.DATABASES["default"]["NAME"])


# --- measurements -------------------------------------------------------------


def koers_esis(inputs: Path, timer: Timer, *, roster: bool) -> Result:
    from koers.results.services import import_file

    school = create_school()
    load_demo_norms(inputs)
    if roster:
        import_roster(inputs, school)
    path = inputs / "esis.csv"
    before = rss_mb()

    def work() -> Any:
        return import_file(path.name, path.read_bytes(), school=school)

    summary, seconds = timer.run(work)
    counts = summary.counts
    return {
        "rows": counts["results_created"],
        "seconds": seconds,
        "rss_before_mb": before,
        "counts": dict(counts),
        "skipped": len(summary.skipped),
    }


def oso_paths(inputs: Path) -> list[Path]:
    return sorted((inputs / "oso").glob("oso_*.xml"))


def koers_oso(inputs: Path, timer: Timer) -> Result:
    from collections import Counter

    from django.db import transaction

    from koers.results.services import import_file

    school = create_school()
    load_demo_norms(inputs)
    import_roster(inputs, school)
    paths = oso_paths(inputs)
    before = rss_mb()

    def work() -> Counter[str]:
        # As `koers import FOLDER` does it: one run, one transaction, the lookups
        # (pupils, instruments, norms) shared by all dossiers.
        total: Counter[str] = Counter()
        contexts: dict[int, Any] = {}
        with transaction.atomic():
            for path in paths:
                summary = import_file(
                    path.name, path.read_bytes(), school=school, contexts=contexts
                )
                total.update(summary.counts)
                total["skipped"] += len(summary.skipped)
        return total

    counts, seconds = timer.run(work)
    return {
        "rows": counts["results_created"],
        "seconds": seconds,
        "rss_before_mb": before,
        "counts": dict(counts),
        "files": len(paths),
    }


def floor_connection(school_id: int) -> tuple[sqlite3.Connection, Any]:
    from django.db import connection as django_connection

    from benchmarks import floor

    django_connection.close()
    connection = sqlite3.connect(db_path())
    return connection, floor.Lookups.load(connection, school_id)


def floor_instruments(kind: str) -> list[tuple[str, str, str]]:
    from benchmarks.inputs import SUBJECTS
    from koers.lib.demo.norms import INSTRUMENTS, NORM_GENERATION

    found = []
    for subject in SUBJECTS:
        instrument = INSTRUMENTS[subject]
        if kind == "esis":
            found.append((instrument.esis_test, NORM_GENERATION, subject.value))
            continue
        found.append((instrument.oso_name, instrument.oso_code, subject.value))
    return found


def floor_import(inputs: Path, timer: Timer, kind: str) -> Result:
    from benchmarks import floor
    from benchmarks.inputs import FIRST_YEAR, YEARS

    school = create_school()
    load_demo_norms(inputs)
    import_roster(inputs, school)
    connection, lookups = floor_connection(school.pk)
    floor.prepare(
        connection,
        lookups,
        floor_instruments(kind),
        range(FIRST_YEAR - 1, FIRST_YEAR + YEARS + 1),
    )
    before = rss_mb()
    if kind == "esis":
        path = inputs / "esis.csv"
        rows, seconds = timer.run(lambda: floor.import_esis(path, connection, lookups))
    else:
        paths = oso_paths(inputs)
        rows, seconds = timer.run(lambda: floor.import_oso(paths, connection, lookups))
    stored = connection.execute("SELECT count(*) FROM results_testresult").fetchone()
    connection.close()
    assert stored[0] == rows, (stored, rows)
    return {"rows": rows, "seconds": seconds, "rss_before_mb": before}


# --- overviews ----------------------------------------------------------------

DEMO_PUPILS = 400
DEMO_YEARS = 5
DEMO_SKIPPED_FORMATS = {"koers-normen-csv", "readme"}


def demo_school(directory: Path, pupils: int, years: int) -> tuple[Any, list[int], int]:
    """The demo generator's school (by default 400 pupils, 5 years) imported as a
    school would: school, norm table, every export file, ambitions. Returns
    (school, its school years, result rows written)."""
    from decimal import Decimal

    from koers.analysis.services import replace_ambitions
    from koers.lib.ambitions_file import parse_ambition_file
    from koers.lib.demo import DemoSpec, generate_school
    from koers.results.norms import load_norm_table
    from koers.results.services import import_file
    from koers.schools.management.commands import demo
    from koers.schools.models import School, SchoolWeighting, SchoolYear

    spec = DemoSpec(pupils=pupils, years=years)
    manifest = generate_school(directory, spec)
    school = School.objects.create(
        brin=spec.brin, branch_code=spec.branch, name=spec.school_name
    )
    for offset, start_year in enumerate(spec.school_years):
        year, _ = SchoolYear.objects.get_or_create(start_year=start_year)
        value = Decimal("30.12") + Decimal(offset) / 4
        SchoolWeighting.objects.create(school=school, school_year=year, value=value)
    for norms in manifest.files_of("koers-normen-csv"):
        load_norm_table(norms.path.read_bytes())
    written = 0
    for file in manifest.files:
        if file.format in DEMO_SKIPPED_FORMATS:
            continue
        summary = import_file(file.path.name, file.path.read_bytes(), school=school)
        written += summary.counts["results_created"]

    subjects = ("rekenen", "begrijpend_lezen", "spelling", "technisch_lezen")
    blocks = "\n".join(
        demo.SUBJECT_AMBITION.format(
            subject=subject, metric=metric, population=population, target=target
        )
        for subject in subjects
        for metric, population, target in demo.SUBJECT_TARGETS
    )
    text = demo.DEMO_AMBITIONS.format(ambitions=blocks)
    replace_ambitions(
        school, parse_ambition_file("ambities.toml", text.encode("utf-8"))
    )
    return school, list(spec.school_years), written


def overviews(
    timer: Timer,
    pupils: int = DEMO_PUPILS,
    year_count: int = DEMO_YEARS,
    repeats: int = 5,
) -> Result:
    from koers.analysis.services import SchoolResults, outcomes_for
    from koers.results.models import TestResult
    from koers.schools.models import Group

    # Generated into this measurement's own data folder (set by the parent).
    folder = Path(os.environ["KOERS_DATA_DIR"]) / "demo"
    school, years, written = demo_school(folder, pupils, year_count)
    last = max(years)
    groups = list(
        Group.objects.filter(school=school, school_year__start_year=last)
        .select_related("school", "school_year")
        .order_by("name")
    )

    # A page reads the school's results once (`load`) and computes its overviews
    # from them; one pass here computes every overview of the school that way.
    loaded: dict[str, SchoolResults] = {}

    def load() -> None:
        loaded["results"] = SchoolResults.load(school)

    calls: list[tuple[str, Callable[[], object]]] = [("SchoolResults.load", load)]
    calls += [
        (
            f"school_overview({year})",
            partial(lambda y: loaded["results"].school_overview(y), year),
        )
        for year in years
    ]
    calls += [
        (
            f"group_overview({group.name})",
            partial(lambda g: loaded["results"].group_overview(g), group),
        )
        for group in groups
    ]
    calls.append(("current_flags", lambda: loaded["results"].current_flags(last)))
    calls.append(("outcomes_for", partial(outcomes_for, school)))

    def one_pass() -> list[float]:
        timings = []
        for _, call in calls:
            start = time.perf_counter()
            call()
            timings.append(time.perf_counter() - start)
        return timings

    one_pass()  # warm run: imports, query compilation, caches
    before = rss_mb()
    passes, _ = timer.run(lambda: [one_pass() for _ in range(repeats)])
    per_call = []
    for index, (name, _) in enumerate(calls):
        samples = [timings[index] for timings in passes]
        per_call.append(
            {
                "call": name,
                "median_ms": statistics.median(samples) * 1000,
                "max_ms": max(samples) * 1000,
            }
        )
    totals = [sum(timings) for timings in passes]
    return {
        "rows": TestResult.objects.filter(pupil__school=school).count(),
        "written": written,
        "groups": len(groups),
        "years": years,
        "calls": per_call,
        "seconds": statistics.median(totals),
        "total_max_s": max(totals),
        "repeats": repeats,
        "rss_before_mb": before,
    }


def pages(
    timer: Timer,
    pupils: int = DEMO_PUPILS,
    year_count: int = DEMO_YEARS,
    repeats: int = 3,
) -> Result:
    """Every server page of the demo school through Django's test client, as a
    logged-in member of the school: the page's whole request (middleware, views,
    queries, templates). Charts, downloads and the PDF are timed too, but they
    are images and files fetched after a page, not pages."""
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client

    from koers.schools.models import Group, Pupil, SchoolMembership

    folder = Path(os.environ["KOERS_DATA_DIR"]) / "demo"
    school, years, _written = demo_school(folder, pupils, year_count)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # force_login below: the account needs no usable password.
    user = User.objects.create_user(username="bench")
    SchoolMembership.objects.create(user=user, school=school)
    client = Client()
    client.force_login(user)
    groups = list(
        Group.objects.filter(school=school, school_year__start_year=max(years))
        .exclude(name__startswith="1/2")
        .order_by("name")
    )
    sample = list(Pupil.objects.filter(enrolments__group__in=groups).distinct()[:10])

    base = f"/school/{school.pk}"
    urls: list[tuple[str, str, str]] = [
        ("page", "start page", f"{base}/start/"),
        ("page", "school overview", f"{base}/"),
        ("page", "school overview, one subject", f"{base}/?vak=rekenen"),
        ("page", "import page", f"{base}/importeren/"),
        ("page", "import history", f"{base}/importen/"),
        ("page", "settings", f"{base}/instellingen/"),
        ("page", "settings: ambitions", f"{base}/instellingen/ambities/"),
        ("page", "settings: edit ambitions", f"{base}/instellingen/ambities/bewerken/"),
        ("page", "settings: flag rules", f"{base}/instellingen/signaleringsregels/"),
        ("page", "settings: norm table", f"{base}/instellingen/normtabel/"),
        ("page", "settings: schoolweging", f"{base}/instellingen/schoolweging/"),
    ]
    urls += [("page", "group overview", f"/groep/{g.pk}/") for g in groups]
    urls += [("page", "cohort", f"/groep/{g.pk}/cohort/") for g in groups[:4]]
    urls += [("page", "pupil overview", f"/leerling/{p.pk}/") for p in sample]
    urls += [
        ("chart", "school chart", f"{base}/grafiek/{subject}.svg")
        for subject in ("rekenen", "begrijpend_lezen", "spelling", "technisch_lezen")
    ]
    urls += [("chart", "group chart", f"/groep/{groups[0].pk}/grafiek/rekenen.svg")]
    urls += [("chart", "pupil chart", f"/leerling/{sample[0].pk}/grafiek.svg")]
    urls += [("download", "school xlsx", f"{base}/export.xlsx")]
    urls += [("download", "group csv", f"/groep/{groups[0].pk}/export.csv")]
    urls += [("download", "school PDF report", f"{base}/rapport.pdf")]
    urls += [("download", "group PDF report", f"/groep/{groups[0].pk}/rapport.pdf")]
    urls += [("download", "pupil PDF report", f"/leerling/{sample[0].pk}/rapport.pdf")]

    def fetch(url: str) -> float:
        start = time.perf_counter()
        response = client.get(url)
        seconds = time.perf_counter() - start
        assert response.status_code == 200, (url, response.status_code)
        return seconds

    for _kind, _label, url in urls:
        fetch(url)  # warm: imports, templates, matplotlib's font cache
    before = rss_mb()

    def timed() -> dict[str, list[float]]:
        samples: dict[str, list[float]] = {}
        for kind, _label, url in urls:
            count = 1 if kind == "download" else repeats
            samples[url] = [fetch(url) for _ in range(count)]
        return samples

    samples, _seconds = timer.run(timed)
    calls: dict[tuple[str, str], list[float]] = {}
    for kind, label, url in urls:
        calls.setdefault((kind, label), []).append(statistics.median(samples[url]))
    per_kind: list[dict[str, Any]] = [
        {
            "kind": kind,
            "call": label,
            "count": len(medians),
            "median_ms": statistics.median(medians) * 1000,
            "max_ms": max(medians) * 1000,
        }
        for (kind, label), medians in calls.items()
    ]
    slowest_page = max(
        max(medians) * 1000
        for (kind, _label), medians in calls.items()
        if kind == "page"
    )
    return {
        "rows": sum(len(v) for v in samples.values()),
        "seconds": slowest_page / 1000,
        "calls": per_kind,
        "repeats": repeats,
        "rss_before_mb": before,
    }


MEASUREMENTS = (
    "floor-esis",
    "koers-esis",
    "koers-esis-cold",
    "floor-oso",
    "koers-oso",
    "overviews",
    "pages",
)


def measure(name: str, inputs: Path, timer: Timer, args: argparse.Namespace) -> Result:
    if name == "floor-esis":
        return floor_import(inputs, timer, "esis")
    if name == "floor-oso":
        return floor_import(inputs, timer, "oso")
    if name == "koers-esis":
        return koers_esis(inputs, timer, roster=True)
    if name == "koers-esis-cold":
        return koers_esis(inputs, timer, roster=False)
    if name == "koers-oso":
        return koers_oso(inputs, timer)
    if name == "overviews":
        return overviews(timer, args.demo_pupils, args.demo_years, args.repeats)
    if name == "pages":
        return pages(timer, args.demo_pupils, args.demo_years, min(args.repeats, 3))
    raise SystemExit(f"unknown measurement {name}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.worker")
    parser.add_argument("name", choices=MEASUREMENTS)
    parser.add_argument("--inputs", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--profile", help="write cProfile stats of the timed part")
    parser.add_argument("--demo-pupils", type=int, default=DEMO_PUPILS)
    parser.add_argument("--demo-years", type=int, default=DEMO_YEARS)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    setup_django()
    result = measure(args.name, args.inputs, Timer(args.profile), args)
    result["peak_rss_self_mb"] = peak_rss_mb()
    args.out.write_text(json.dumps(result, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
