"""Dutch labels for the codes stored in the cycle's figures."""

from __future__ import annotations

from django import template

from koers.cycle import presenters

register = template.Library()


@register.filter
def metric_label(code: str) -> str:
    return presenters.metric_label(code)
