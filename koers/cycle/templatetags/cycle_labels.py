"""Dutch labels for the codes stored in the cycle's figures."""

from __future__ import annotations

from django import template

from koers.cycle import presenters

register = template.Library()


@register.filter
def metric_label(code: str) -> str:
    return presenters.metric_label(code)


@register.filter
def num(value: float | None) -> str:
    """One decimal, a decimal comma and a real minus sign; a dash for nothing."""
    return presenters.number(None if value is None else float(value))


@register.filter
def signed(value: float | None) -> str:
    """As `num`, with a plus sign for a rise."""
    return presenters.signed(None if value is None else float(value))
