"""Every text colour of the style sheet against its background passes WCAG 2.1 AA.

The colours are read from koers.css itself, so a change of palette is checked
here. AA asks 4.5:1 for normal text (WCAG 2.1, success criterion 1.4.3); the
ratio is (L1 + 0.05) / (L2 + 0.05) of the relative luminances (definition in
WCAG 2.1, "relative luminance").
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import koers

STYLE_SHEET = Path(koers.__file__).parent / "static" / "koers" / "koers.css"
AA_NORMAL_TEXT = 4.5

# (text, background, where) for every text the pages set a colour on.
PAIRS = [
    ("ink", "paper", "body text in cards and tables"),
    ("ink", "wash", "body text on the page background"),
    ("muted", "paper", "muted text in cards"),
    ("muted", "wash", "lead, legend and footer on the page background"),
    ("accent", "paper", "links in cards and tables"),
    ("accent", "wash", "links on the page background"),
    ("#ffffff", "accent", "buttons"),
    ("#ffffff", "ink", "the top bar"),
    ("met", "met-bg", "ambition met, need: challenge"),
    ("missed", "missed-bg", "ambition missed, errors, need: support"),
    ("muted", "wash", "no verdict"),
    ("ink", "#eef3fa", "aggregate rows"),
    ("#444444", "wash", "chart captions"),
]


def palette() -> dict[str, str]:
    text = STYLE_SHEET.read_text(encoding="utf-8")
    return dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", text))


def colour(name: str, colours: dict[str, str]) -> str:
    return name if name.startswith("#") else colours[name]


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    ]
    red, green, blue = linear
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str, second: str) -> float:
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_formula_gives_the_published_extremes() -> None:
    # Black on white is 21:1; a colour on itself 1:1 (WCAG 2.1, 1.4.3 notes).
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#777777") == pytest.approx(1.0)
    # #767676 on white is the often-quoted lightest grey that passes: 4.54:1.
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize(("text", "background", "where"), PAIRS)
def test_text_colours_pass_aa(text: str, background: str, where: str) -> None:
    colours = palette()

    ratio = contrast(colour(text, colours), colour(background, colours))

    assert ratio >= AA_NORMAL_TEXT, f"{where}: {ratio:.2f}:1"
