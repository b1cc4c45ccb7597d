"""The Content-Security-Policy in a real browser (security.md WEB-2, WEB-3): a
new colleague sets up the second factor with the QR code, then an intern
begeleider walks the demo school's pages, charts, cycle, imports and account
pages. Chromium reports every blocked script, style, image or form on the
console and as a `securitypolicyviolation` event; the test fails on either.

The live server, chromium and login are those of `koers.tests.test_browser`.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import ConsoleMessage, Page, expect

from koers.conftest import load_demo
from koers.cycle.demo import build_demo_cycle
from koers.cycle.models import GroupDeviation, Meeting, PupilDecision
from koers.imports.models import ImportJob, JobStatus
from koers.lib.demo import DemoManifest
from koers.results.models import ImportBatch
from koers.schools.management.commands.demo import Command as DemoCommand
from koers.schools.models import Group, Pupil
from koers.tests.accounts import PASSWORD, make_user, totp_code
from koers.tests.test_browser import (  # noqa: F401 (fixtures, registered by import)
    OneRequestAtATime,
    browser_context_args,
    browser_type_launch_args,
    log_in,
    settled,
)

pytestmark = pytest.mark.django_db(transaction=True)

# Recorded in the page before any of its own code runs; Playwright's init
# scripts are not subject to the page's policy.
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
  );
});
"""


class Violations:
    """CSP reports from the console and from the page's own event."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        page.add_init_script(LISTEN)
        page.on("console", self.on_console)

    def on_console(self, message: ConsoleMessage) -> None:
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text:
            self.console.append(text)

    def after(self, url: str) -> list[str]:
        events: list[str] = self.page.evaluate("window.__violations || []")
        found = [f"{url}: {text}" for text in [*self.console, *events]]
        self.console.clear()
        return found


@pytest.fixture
def violations(page: Page) -> Iterator[Violations]:
    yield Violations(page)


@pytest.fixture
def site(live_server: Any, demo_manifest: DemoManifest) -> dict[str, Any]:
    school = load_demo(demo_manifest)
    make_user("ib-er", school)
    return {"url": live_server.url, "school": school}


def demo_pages(school: Any, user: User, folder: Path) -> list[str]:
    """Every kind of page of the demo school, with the demo's cycle in place."""
    DemoCommand(stdout=io.StringIO()).load_ambitions(school, folder)
    build_demo_cycle(school, user)
    group = (
        Group.objects.filter(school=school, enrolments__grade="5")
        .order_by("-school_year__start_year", "name")
        .first()
    )
    assert group is not None
    pupil = Pupil.objects.filter(enrolments__group=group).first()
    assert pupil is not None
    meeting = Meeting.objects.filter(school=school).first()
    deviation = GroupDeviation.objects.filter(school=school).first()
    decision = PupilDecision.objects.filter(school=school).first()
    assert meeting and deviation and decision
    job = ImportJob.objects.create(school=school, status=JobStatus.QUEUED)
    batch = ImportBatch.objects.filter(school=school).order_by("-pk").first()
    assert batch is not None

    on_school = [
        "analysis:school-start",
        "analysis:school-overview",
        "imports:upload",
        "imports:history",
        "schoolsettings:index",
        "schoolsettings:ambitions",
        "schoolsettings:ambitions-edit",
        "schoolsettings:flag-rules",
        "schoolsettings:norms",
        "schoolsettings:weightings",
        "cycle:cycle",
        "cycle:plan",
        "cycle:accountability",
    ]
    return [
        reverse("analysis:home"),
        *(reverse(name, args=[school.pk]) for name in on_school),
        reverse("analysis:group-overview", args=[group.pk]),
        reverse("analysis:cohort", args=[group.pk]),
        reverse("analysis:pupil-overview", args=[pupil.pk]),
        # A chart opened on its own, as "open image in new tab" does.
        reverse("analysis:group-chart", args=[group.pk, "rekenen"]),
        reverse("imports:job", args=[school.pk, job.pk]),
        reverse("imports:undo", args=[school.pk, batch.pk]),
        reverse("cycle:meeting", args=[meeting.pk]),
        reverse("cycle:deviation", args=[deviation.pk]),
        reverse("cycle:pupil-decision", args=[decision.pk]),
        reverse("mfa_index"),
        reverse("account_change_password"),
        reverse("account_email"),
    ]


def test_the_setup_of_the_second_factor_keeps_to_the_policy(
    site: dict[str, Any], page: Page, violations: Violations
) -> None:
    base = site["url"]
    make_user("nieuw", site["school"], second_factor=False)

    page.goto(f"{base}/")
    page.get_by_label("Gebruikersnaam of e-mailadres").fill("nieuw")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Stel eerst de tweede stap in"
    )
    qr_code = page.get_by_alt_text("QR-code voor de authenticator-app")
    assert (qr_code.get_attribute("src") or "").startswith("data:image/svg+xml")
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=qr_code.element_handle()
    )
    found = violations.after(page.url)

    secret = page.locator("#totp-secret").inner_text().strip()
    page.get_by_label("Code uit de app").fill(totp_code(secret))
    page.get_by_role("button", name="Instellen").click()
    page.wait_for_load_state("networkidle")
    found += violations.after(page.url)

    assert found == []


def test_the_demo_pages_keep_to_the_policy(
    site: dict[str, Any], page: Page, violations: Violations, tmp_path: Path
) -> None:
    base = site["url"]
    user = User.objects.get(username="ib-er")
    pages = demo_pages(site["school"], user, tmp_path)

    log_in(page, base)
    found = violations.after(page.url)
    for path in pages:
        page.goto(base + path)
        # Charts load lazily: bring each into view so that it loads too.
        for chart in page.locator("figure.chart img").all():
            chart.scroll_into_view_if_needed()
        page.wait_for_load_state("networkidle")
        found += violations.after(path)

    assert found == []
    assert len(pages) > 25

    # The listeners do hear the policy: an image from elsewhere is refused.
    page.evaluate(
        "document.body.insertAdjacentHTML('beforeend', "
        "'<img src=\"https://example.invalid/x.png\">')"
    )
    page.wait_for_timeout(200)
    heard = violations.after("test")
    assert any("img-src blocked https://example.invalid/x.png" in t for t in heard)
    assert any("violates the following Content Security Policy" in t for t in heard)


def test_the_import_page_refreshes_itself_under_the_policy(
    site: dict[str, Any], page: Page, violations: Violations
) -> None:
    """htmx polls the queued import every two seconds without eval or inline
    style (its configuration is in base.html)."""
    school = site["school"]
    job = ImportJob.objects.create(school=school, status=JobStatus.QUEUED)
    job_page = reverse("imports:job", args=[school.pk, job.pk])

    log_in(page, site["url"])
    page.goto(site["url"] + job_page)
    with page.expect_request(
        lambda request: request.headers.get("hx-request") == "true"
    ):
        pass
    page.wait_for_load_state("networkidle")

    assert page.evaluate("typeof htmx") == "object"
    assert page.evaluate("htmx.config.allowEval") is False
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    assert violations.after(job_page) == []
