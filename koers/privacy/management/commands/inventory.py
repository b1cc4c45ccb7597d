"""`koers inventory`: every stored field, what it is for, how long it is kept.

The Markdown is the annex of the verwerkersovereenkomst and the
privacybijsluiter; `docs/privacy-inventory.md` is a copy that a test keeps equal
to this output. `--format json` gives the same rows for other tools.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import groupby
from typing import Any

from django.apps import apps
from django.core.management.base import CommandError, CommandParser
from django.db.models import TextChoices
from django.utils.translation import gettext as _

from koers.commands import EXIT_REJECTED, KoersCommand
from koers.privacy.inventory import (
    APP_TITLES,
    INVENTORY,
    Category,
    FieldEntry,
    Retention,
    Sensitivity,
    field_entries,
    retention_label,
    unclassified_fields,
)

REGENERATE = "koers inventory > docs/privacy-inventory.md"


class Command(KoersCommand):
    cli_name = "inventory"
    help = (
        "De gegevensinventaris: elk opgeslagen veld met zijn categorie, doel, "
        "bewaartermijn en gevoeligheid, als bijlage bij de "
        "verwerkersovereenkomst."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--format",
            choices=["markdown", "json"],
            default="markdown",
            help="Markdown voor de documentatie (standaard) of JSON",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        missing = unclassified_fields()
        if missing:
            raise CommandError(
                "Deze velden staan niet in de gegevensinventaris "
                f"(koers/privacy/inventory.py): {', '.join(missing)}",
                returncode=EXIT_REJECTED,
            )

        if options["format"] == "json":
            rows = [row_of(entry) for entry in field_entries()]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        self.stdout.write(render_markdown(), ending="")


def row_of(entry: FieldEntry) -> dict[str, str]:
    classification = entry.classified
    return {
        "model": entry.model._meta.label,
        "field": entry.field.name,
        "meaning": entry.meaning,
        "category": classification.category.value,
        "purpose": str(classification.purpose),
        "retention": classification.retention.value,
        "sensitivity": classification.sensitivity.value,
    }


def render_markdown() -> str:
    return "\n".join([*introduction(), *legend(), *app_sections()]) + "\n"


def introduction() -> Iterator[str]:
    yield "# " + _("Gegevensinventaris van Koers")
    yield ""
    yield _(
        "Gemaakt uit de datamodellen met `%(command)s`; pas dit bestand niet met "
        "de hand aan. Een test faalt zodra het niet meer gelijk is aan die "
        "uitvoer, en zodra een opgeslagen veld niet in de inventaris "
        "(`koers/privacy/inventory.py`) staat."
    ) % {"command": REGENERATE}
    yield ""
    yield _(
        "Dit is de bijlage bij de verwerkersovereenkomst en de privacybijsluiter: "
        "elk veld dat Koers opslaat, ook in de onderdelen van derden "
        "(aanmelden, tweede stap, blokkade, logboek, achtergrondtaken), met "
        "wat het betekent, tot welke categorie het hoort, waarvoor Koers het "
        "bewaart, hoe lang, en hoe gevoelig het is."
    )
    yield ""
    yield _(
        "Koers heeft geen velden voor bijzondere persoonsgegevens (godsdienst, "
        "afkomst, gezondheid, diagnoses) en slaat geen BSN of onderwijsnummer "
        "op; een import laat zulke kolommen weg. Vrije-tekstvelden horen zulke "
        "gegevens niet te bevatten."
    )
    yield ""


def legend() -> Iterator[str]:
    yield "## " + _("Overzicht")
    yield ""
    entries = list(field_entries())
    yield from count_table(_("categorie"), Category, entries, "category")
    yield from count_table(_("bewaartermijn"), Retention, entries, "retention")
    yield from count_table(_("gevoeligheid"), Sensitivity, entries, "sensitivity")


def count_table(
    heading: str,
    choices: type[Category] | type[Retention] | type[Sensitivity],
    entries: list[FieldEntry],
    attribute: str,
) -> Iterator[str]:
    counts = dict.fromkeys(choices, 0)
    for entry in entries:
        counts[getattr(entry.classified, attribute)] += 1

    yield f"| {heading} | {_('velden')} |"
    yield "| --- | ---: |"
    for choice, count in counts.items():
        if count:
            yield f"| {label_of(choice)} | {count} |"
    yield ""


def label_of(choice: TextChoices) -> str:
    if isinstance(choice, Retention):
        return retention_label(choice)
    return str(choice.label)


def app_sections() -> Iterator[str]:
    header = [
        _("veld"),
        _("betekenis"),
        _("categorie"),
        _("doel"),
        _("bewaartermijn"),
        _("gevoeligheid"),
    ]
    by_app = groupby(field_entries(), key=lambda entry: entry.model._meta.app_label)
    for app_label, app_entries in by_app:
        app_title = (
            APP_TITLES.get(app_label) or apps.get_app_config(app_label).verbose_name
        )
        yield f"## {app_title} (`{app_label}`)"
        yield ""
        for model, entries in groupby(app_entries, key=lambda entry: entry.model):
            yield f"### {model_title(model)} (`{model._meta.label}`)"
            yield ""
            yield table_row(header)
            yield table_row(["---"] * len(header))
            yield from (table_row(field_cells(entry)) for entry in entries)
            yield ""


def model_title(model: type[Any]) -> str:
    inventory = INVENTORY.get(model._meta.label)
    title = inventory.title if inventory else None
    return str(title or model._meta.verbose_name)


def field_cells(entry: FieldEntry) -> list[str]:
    classification = entry.classified
    return [
        f"`{entry.field.name}`",
        entry.meaning,
        str(classification.category.label),
        str(classification.purpose),
        retention_label(classification.retention),
        str(classification.sensitivity.label),
    ]


def table_row(cells: list[str]) -> str:
    escaped = (cell.replace("|", "\\|").replace("\n", " ") for cell in cells)
    return "| " + " | ".join(escaped) + " |"
