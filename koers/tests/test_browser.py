"""Browser tests: Playwright driving Debian's chromium against a live server.

They walk the way an intern begeleider works: log in, read the start page, open
the school overview, switch filters, go to a group and a pupil, download the PDF
report, and import files through the upload preview. Each main page is written
as a screenshot to `KOERS_SCREENSHOTS` (default: a `screenshots` folder in
pytest's temporary directory) so that a person can look at them.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread
from playwright.sync_api import Page, ViewportSize, expect

from koers.conftest import SMALL_DEMO, load_demo
from koers.lib.demo import DemoManifest
from koers.lib.demo.spec import FORMAT_EDEXML, FORMAT_ESIS
from koers.results.models import TestResult as Result
from koers.schools.models import Group, Pupil
from koers.tests.accounts import PASSWORD, make_user, totp_code
from koers.tests.helpers import make_school

CHROMIUM = os.environ.get("KOERS_CHROMIUM", "/usr/bin/chromium")

pytestmark = pytest.mark.django_db(transaction=True)


class OneRequestAtATime(ThreadedWSGIServer):
    """The live server, running one request at a time through Django.

    With SQLite in memory, Django's live server hands the test's one database
    connection to every request thread; a page's charts, requested side by side,
    then read through one connection at the same time and get each other's rows.
    A server on a real database has a connection per thread and no such issue.
    The threads stay (the browser keeps connections open); only the work inside
    Django, including closing the response, is done one request at a time.
    """

    def set_app(self, application: Any) -> None:
        lock = threading.Lock()

        def one_at_a_time(environ: Any, start_response: Any) -> list[bytes]:
            with lock:
                response = application(environ, start_response)
                try:
                    return list(response)
                finally:
                    if hasattr(response, "close"):
                        response.close()

        super().set_app(one_at_a_time)


# pytest-django builds its live server from this class when the first browser
# test asks for one; no other test module uses a live server.
LiveServerThread.server_class = OneRequestAtATime

# Playwright's sync API runs an event loop in this thread; the live server's
# database calls happen in its own thread, and the test's own ORM calls are
# plain synchronous code that Django would otherwise refuse next to a loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any],
) -> dict[str, Any]:
    """pytest-playwright's browser, but Debian's chromium instead of a download."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}}


@pytest.fixture
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("KOERS_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def demo_site(live_server: Any, demo_manifest: DemoManifest) -> dict[str, Any]:
    school = load_demo(demo_manifest)
    make_user("ib-er", school)
    return {"url": live_server.url, "school": school}


@pytest.fixture(autouse=True)
def settled(live_server: Any, page: Page) -> Iterator[None]:
    """Let the page finish its requests before the live server's database goes:
    a chart still loading would otherwise hit a closed test database."""
    yield
    page.wait_for_load_state("networkidle")
    page.goto("about:blank")


def log_in(page: Page, base: str) -> None:
    """Password, then the code from the authenticator app."""
    page.goto(f"{base}/")
    page.get_by_label("Gebruikersnaam of e-mailadres").fill("ib-er")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_label("Code", exact=False).fill(totp_code())
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()
    if "/2fa/authenticate/" in page.url:
        # A code is good once: when an earlier test signed in with this one in
        # the same half minute, the app's next code is the one to type.
        time.sleep(30 - time.time() % 30 + 0.5)
        page.get_by_label("Code", exact=False).fill(totp_code())
        page.get_by_role("button", name="Inloggen").click()
    expect(page).not_to_have_url(re.compile(r"/account/"))


def assert_charts_load(page: Page) -> None:
    """Every chart image loads; they load lazily, so each is scrolled to first."""
    images = page.locator("figure.chart img")
    assert images.count() > 0
    for index in range(images.count()):
        image = images.nth(index)
        image.scroll_into_view_if_needed()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
        )


def test_an_ib_er_walks_from_the_start_page_to_a_pupil(
    demo_site: dict[str, Any], page: Page, screenshots: Path
) -> None:
    base = demo_site["url"]

    log_in(page, base)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Wat vraagt aandacht")
    page.screenshot(path=screenshots / "start.png", full_page=True)

    page.get_by_role("link", name="Schooloverzicht").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Schooloverzicht")
    assert_charts_load(page)
    page.screenshot(path=screenshots / "school.png", full_page=True)

    # Switch to one subject at the middle moment.
    page.get_by_label("Meetmoment").select_option("M")
    page.get_by_label("Vak").select_option("rekenen")
    page.get_by_role("button", name="Toon").click()
    expect(page.get_by_role("heading", level=2, name="Rekenen")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Spelling")).to_have_count(0)

    # A group of grade 5 in the latest year: grades 1 and 2 take no tests.
    group = (
        Group.objects.filter(school=demo_site["school"], enrolments__grade="5")
        .order_by("-school_year__start_year", "name")
        .first()
    )
    assert group is not None
    page.get_by_role("link", name=group.name, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(group.name)
    # The moment and subject chosen on the school page still hold.
    expect(page.get_by_label("Meetmoment")).to_have_value("M")
    expect(page.get_by_role("heading", level=2, name="Rekenen")).to_be_visible()
    assert_charts_load(page)
    page.screenshot(path=screenshots / "group.png", full_page=True)

    page.locator("table a[href*='/leerling/']").first.click()
    expect(page.get_by_role("heading", level=2).first).to_be_visible()
    assert_charts_load(page)
    page.screenshot(path=screenshots / "pupil.png", full_page=True)


def test_the_pdf_report_downloads_from_the_school_overview(
    demo_site: dict[str, Any], page: Page, tmp_path: Path
) -> None:
    log_in(page, demo_site["url"])
    page.goto(f"{demo_site['url']}/school/{demo_site['school'].pk}/")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download als PDF-rapport").click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)

    assert target.name.startswith("schooloverzicht-88KW-")
    assert target.read_bytes().startswith(b"%PDF")


def test_the_pages_work_with_the_keyboard(
    demo_site: dict[str, Any], page: Page
) -> None:
    log_in(page, demo_site["url"])
    page.goto(f"{demo_site['url']}/school/{demo_site['school'].pk}/")

    # The first Tab reaches the skip link, which becomes visible and jumps to
    # the content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Naar de inhoud")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")

    # The filters can be used without a mouse: focus the moment, change it with
    # the arrow keys and submit with Enter.
    page.get_by_label("Meetmoment").focus()
    outline = page.evaluate(
        "() => getComputedStyle(document.activeElement).outlineStyle"
    )
    assert outline != "none"


def test_an_import_goes_through_the_upload_preview(
    live_server: Any,
    demo_manifest: DemoManifest,
    page: Page,
    settings: Any,
    tmp_path: Path,
    screenshots: Path,
) -> None:
    # The task runs inside the confirming request instead of in `db_worker`.
    settings.TASKS = {
        "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}
    }
    settings.KOERS_UPLOAD_DIR = tmp_path / "uploads"
    school = make_school(SMALL_DEMO.brin, SMALL_DEMO.school_name)
    make_user("ib-er", school)
    roster = demo_manifest.files_of(FORMAT_EDEXML)[-1].path
    results = demo_manifest.files_of(FORMAT_ESIS)[-1].path

    log_in(page, live_server.url)
    page.get_by_role("link", name="Importeren", exact=True).click()
    page.get_by_label("Bestanden").set_input_files([roster, results])
    page.get_by_role("button", name="Uploaden en controleren").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Controleer wat er zou veranderen"
    )
    expect(page.get_by_text(roster.name).first).to_be_visible()
    page.screenshot(path=screenshots / "import-preview.png", full_page=True)
    # The preview wrote nothing.
    assert not Pupil.objects.filter(school=school).exists()

    page.get_by_role("button", name="Importeren", exact=True).click()
    expect(page.locator("#job-status")).to_contain_text("2 van 2 bestanden klaar")
    page.screenshot(path=screenshots / "import-done.png", full_page=True)
    assert Pupil.objects.filter(school=school).exists()
    assert Result.objects.filter(pupil__school=school).exists()


@pytest.mark.parametrize(
    "viewport",
    [ViewportSize(width=1280, height=800), ViewportSize(width=768, height=1024)],
)
def test_the_pages_fit_a_laptop_and_a_tablet(
    demo_site: dict[str, Any],
    page: Page,
    viewport: ViewportSize,
    screenshots: Path,
) -> None:
    page.set_viewport_size(viewport)
    log_in(page, demo_site["url"])
    school = demo_site["school"]
    group = Group.objects.filter(school=school, enrolments__grade="6").first()
    assert group is not None
    pupil = Pupil.objects.filter(enrolments__group=group).first()
    assert pupil is not None

    for name, path in (
        ("start", f"/school/{school.pk}/start/"),
        ("school", f"/school/{school.pk}/"),
        ("group", f"/groep/{group.pk}/"),
        ("pupil", f"/leerling/{pupil.pk}/"),
        ("settings", f"/school/{school.pk}/instellingen/"),
    ):
        page.goto(demo_site["url"] + path)

        # Wide tables scroll inside their own box; the page itself never does.
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - window.innerWidth"
        )
        assert overflow <= 0, f"{name} is {overflow}px too wide at {viewport}"
        page.screenshot(
            path=screenshots / f"{name}-{viewport['width']}.png", full_page=True
        )
