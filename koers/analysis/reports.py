"""A4 PDF reports of the overviews, rendered by WeasyPrint from Django templates.

The report shows what the page shows, with the same chart code (inline SVG) and
the same tables, laid out for paper: title, school, date, page numbers. Everything
a report needs is inside the HTML, so WeasyPrint is never allowed to fetch a URL:
a group name or an imported text can then never make the server load anything.
"""

from __future__ import annotations

import logging
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher

logger = logging.getLogger(__name__)


def no_fetching() -> URLFetcher:
    """A fetcher that allows no protocol at all: every URL is refused (and logged
    by WeasyPrint as a missing resource), the rest of the report renders."""
    return URLFetcher(allowed_protocols=())


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """The PDF of `template`, rendered with `context` plus the print date."""
    html = render_to_string(template, {**context, "printed_on": timezone.localdate()})
    pdf = render_pdf_from_html(html)
    logger.info("report rendered template=%s bytes=%d", template, len(pdf))
    return pdf


def render_pdf_from_html(html: str) -> bytes:
    document = HTML(string=html, url_fetcher=no_fetching(), base_url=None)
    pdf = document.write_pdf()
    if not isinstance(pdf, bytes):  # None only when writing to a target
        raise TypeError("WeasyPrint returned no PDF")
    return pdf
