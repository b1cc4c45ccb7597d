"""`koers outcomes BRIN --format json`: end-of-school results against the
Inspectie's signal values."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.core.management.base import CommandParser

from koers.analysis.services import end_targets_for, outcomes_for
from koers.commands import KoersCommand, get_school
from koers.lib.analysis.outcomes import OutcomeReport


class Command(KoersCommand):
    cli_name = "outcomes"
    help = (
        "Eindresultaten per jaar en over drie jaar (1F en 1S/2F, gewogen naar "
        "leerlingen) met het oordeel tegen de signaleringswaarden."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("brin", metavar="BRIN")
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        school = get_school(options["brin"])
        payload = outcome_payload(outcomes_for(school))
        payload["ambitions"] = end_targets_for(school)

        if options["format"] == "json":
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        self.write_table(str(school), payload)

    def write_table(self, school: str, payload: dict[str, Any]) -> None:
        self.stdout.write(f"Eindresultaten {school}")
        self.stdout.write(
            f"{'Schooljaar':<12}{'leerlingen':>11}{'% 1F':>9}{'% 1S/2F':>9}"
        )
        for year in payload["years"]:
            self.stdout.write(
                f"{year['school_year']:<12}{year['pupils']:>11}"
                f"{number(year['pct_1f']):>9}{number(year['pct_1s2f']):>9}"
            )
        three = payload["three_year"]
        self.stdout.write(
            f"{'drie jaar':<12}{three['pupils']:>11}"
            f"{number(three['pct_1f']):>9}{number(three['pct_1s2f']):>9}"
        )
        self.stdout.write(
            f"{'signalering':<12}{'':>11}{number(payload['signal_value_1f']):>9}"
            f"{number(payload['signal_value_1s2f']):>9}"
        )
        self.stdout.write(
            f"{'oordeel':<12}{'':>11}{verdict(payload['verdict_1f']):>9}"
            f"{verdict(payload['verdict_1s2f']):>9}"
        )
        if payload["reason"]:
            self.stdout.write(payload["reason"])


def outcome_payload(report: OutcomeReport) -> dict[str, Any]:
    """The public JSON shape of `koers outcomes` (documented in the README)."""
    rounded = report.as_dict()
    return {
        "years": [
            {
                "school_year": f"{year['school_year']}-{year['school_year'] + 1}",
                "pupils": year["pupils"],
                "pct_1f": year["pct_1f"],
                "pct_1s2f": year["pct_1s2f"],
            }
            for year in rounded["years"]
        ],
        "three_year": {
            "pupils": rounded["three_year"]["pupils"],
            "pct_1f": rounded["three_year"]["pct_1f"],
            "pct_1s2f": rounded["three_year"]["pct_1s2f"],
        },
        "school_weighting": to_float(report.school_weighting),
        "signal_value_1f": to_float(report.signal_value_1f),
        "signal_value_1s2f": to_float(report.signal_value_1s2f),
        "signal_value_1s2f_source": rounded["signal_source"],
        "signal_value_1s2f_status": report.signal_status,
        "verdict_1f": rounded["verdict_1f"],
        "verdict_1s2f": rounded["verdict_1s2f"],
        "equal_1f": report.equal_1f,
        "equal_1s2f": report.equal_1s2f,
        "reason": report.reason,
    }


def to_float(value: Decimal | None) -> float | None:
    return None if value is None else round(float(value), 2)


def number(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}".replace(".", ",")


def verdict(value: str | None) -> str:
    return {"above": "boven", "below": "onder"}.get(value or "", "-")
