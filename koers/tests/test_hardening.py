"""Web hardening (security.md 5.9): the headers on every page, CSRF on every
state change, methods, and lint checks on the code and templates.

Each test that tries URLs walks every pattern of the resolver with the objects
of `koers.tests.crawl`, signed in as the persona whose role may open the page.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.http.response import HttpResponseBase
from django.test import override_settings
from django.urls import reverse
from pytest_django import DjangoDbBlocker

import koers.settings as project_settings
from koers.imports.forms import MAX_FILES
from koers.tests.crawl import Endpoint, World, accepted_methods, build_world, endpoints

pytestmark = pytest.mark.django_db

KOERS = Path(__file__).resolve().parents[1]
MD5_ONLY = ["django.contrib.auth.hashers.MD5PasswordHasher"]

SAME_FOR_EVERY_RESPONSE = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# The whole policy of every page: a directive more, less or looser fails.
REQUIRED_CSP = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "object-src": {"'none'"},
    "base-uri": {"'none'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}


# Pages that answer 404 in this world for want of data, each with the reason.
NO_DATA = {
    "analysis:outcomes-chart": (
        "the world has no doorstroomtoets results; koers.analysis.tests.test_charts "
        "draws this chart"
    ),
}

# A chart opened on its own: matplotlib's style attributes, and nothing else.
SVG = "image/svg+xml"
CHART_CSP = {
    "default-src": {"'none'"},
    "style-src": {"'unsafe-inline'"},
    "base-uri": {"'none'"},
    "form-action": {"'none'"},
    "frame-ancestors": {"'none'"},
}


class ModuleRollback(Exception):
    """Ends the module-wide transaction of `world`."""


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[World]:
    """Built once for the module and rolled back at its end; each test's own
    changes are rolled back by `db`."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=MD5_ONLY):
        try:
            with transaction.atomic():
                yield build_world()
                raise ModuleRollback
        except ModuleRollback:
            pass


# --- what a response must carry --------------------------------------------------


def parse_csp(header: str) -> dict[str, set[str]]:
    directives: dict[str, set[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = set(values)
    return directives


def header_problems(response: HttpResponseBase) -> list[str]:
    problems = [
        f"{name}: {response.get(name)!r}"
        for name, value in SAME_FOR_EVERY_RESPONSE.items()
        if response.get(name) != value
    ]

    policy = parse_csp(response.get("Content-Security-Policy", "missing"))
    required = CHART_CSP if response.get("Content-Type") == SVG else REQUIRED_CSP
    if policy != required:
        problems.append(f"CSP {policy}")
    if "no-store" not in response.get("Cache-Control", ""):
        problems.append(f"Cache-Control: {response.get('Cache-Control')!r}")
    return problems


class InlineCode(HTMLParser):
    """What a Content-Security-Policy without 'unsafe-inline' would block, found
    in served HTML: inline scripts, style elements and attributes, event handler
    attributes, htmx's `hx-on` and `javascript:` links."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        values = dict(attrs)
        self.found += [f"<{tag} {name}>" for name in names if name.startswith("on")]
        self.found += [f"<{tag} {name}>" for name in names if name.startswith("hx-on")]
        if "style" in names:
            self.found.append(f"<{tag} style>")
        if tag == "style":
            self.found.append("<style>")
        for name in ("href", "src", "action", "formaction"):
            if (values.get(name) or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:>")
        self.in_script = (
            tag == "script"
            and "src" not in names
            and values.get("type") not in ("application/json", "application/ld+json")
        )

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script and data.strip():
            self.found.append("<script> with a body")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def all_endpoints() -> list[Endpoint]:
    return [
        endpoint
        for endpoint in endpoints()
        # Django's own static-file view is not mounted in Koers; WhiteNoise serves
        # static files before the URLconf.
        if not endpoint.view.__module__.startswith("django.views.static")
    ]


# --- every URL -------------------------------------------------------------------


def test_every_get_url_carries_the_security_headers(world: World) -> None:
    """WEB-2, WEB-3, MIN-5: every page, chart and download, signed in as the role
    that may open it; the pages hold no inline code the policy would block."""
    problems = []
    opened = 0
    clients = {persona: world.client(persona) for persona in world.users}

    for endpoint in all_endpoints():
        try:
            path = world.url_for(endpoint)
        except KeyError as missing:
            problems.append(f"{endpoint.route}: no value for {missing} in crawl.py")
            continue
        response = clients[world.persona_for(endpoint)].get(path)

        label = f"{endpoint.name} {path} {response.status_code}"
        own_page = endpoint.permission is not None and endpoint.name not in NO_DATA
        if response.status_code >= 500 or (own_page and response.status_code == 404):
            problems.append(f"{label}: not opened")
        problems += [f"{label}: {problem}" for problem in header_problems(response)]
        if response.get("Content-Type", "").startswith("text/html"):
            html = response.content.decode()
            problems += [f"{label}: {found}" for found in inline_code(html)]
        opened += response.status_code == 200

    assert problems == []
    assert opened > 40


def test_every_url_refuses_a_post_without_the_csrf_token(world: World) -> None:
    """WEB-4: Django's CSRF check answers every POST without a token with 403,
    also on the upload page, whose view checks the token itself."""
    problems = []
    clients = {persona: world.client(persona, csrf=True) for persona in world.users}

    for endpoint in all_endpoints():
        path = world.url_for(endpoint)
        response = clients[world.persona_for(endpoint)].post(path, {"x": "1"})

        refused = "Dit formulier is verlopen" in response.content.decode()
        if response.status_code != 403 or not refused:
            problems.append(f"{endpoint.name} {path} {response.status_code}")
        problems += [f"{endpoint.name}: {p}" for p in header_problems(response)]

    assert problems == []


def test_post_only_urls_answer_a_get_with_405(world: World) -> None:
    """WEB-4: a URL that changes data takes only POST."""
    post_only = [
        endpoint
        for endpoint in all_endpoints()
        if (methods := accepted_methods(endpoint.view)) and "GET" not in methods
    ]
    clients = {persona: world.client(persona) for persona in world.users}

    answers = {
        endpoint.name: clients[world.persona_for(endpoint)]
        .get(world.url_for(endpoint))
        .status_code
        for endpoint in post_only
    }

    assert {"imports:confirm", "imports:cancel", "cycle:meeting-close"} <= set(answers)
    assert {name for name, status in answers.items() if status != 405} == set()


# --- code and templates ----------------------------------------------------------


def python_files(tests: bool = False) -> Iterator[Path]:
    for path in sorted(KOERS.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        if not tests and ("tests" in path.parts or path.name == "conftest.py"):
            continue
        yield path


def relative(path: Path) -> str:
    return str(path.relative_to(KOERS.parent))


def functions_with(tree: ast.AST, found: ast.AST) -> str:
    """The name of the function that holds a node (or '<module>')."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(
            child is found for child in ast.walk(node)
        ):
            return node.name
    return "<module>"


def names_used(tree: ast.AST) -> Iterator[tuple[str, ast.AST]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            yield node.id, node
        elif isinstance(node, ast.Attribute):
            yield node.attr, node


# Each entry: the file and function, and why the exemption is safe.
CSRF_EXEMPT_ALLOWED = {
    ("koers/imports/views.py", "upload_page"): (
        "the upload size limit must be in place before anything reads the body; "
        "the view hands over at once to `_upload_page`, which is csrf_protect"
    ),
}


def test_no_view_is_exempt_from_csrf_outside_the_allowlist() -> None:
    """WEB-4: the crawl above shows the allowlisted view still refuses a POST
    without a token."""
    found = set()
    for path in python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for name, node in names_used(tree):
            if name == "csrf_exempt" and not isinstance(
                getattr(node, "ctx", None), ast.Store
            ):
                found.add((relative(path), functions_with(tree, node)))

    # The import line names it too.
    found.discard(("koers/imports/views.py", "<module>"))
    assert found == set(CSRF_EXEMPT_ALLOWED)


def loose_field_lists(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """`exclude` in a Meta, `fields = "__all__"` anywhere, and either passed to
    one of Django's form factories."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == "Meta":
            for statement in node.body:
                if isinstance(statement, ast.Assign) and any(
                    isinstance(target, ast.Name) and target.id == "exclude"
                    for target in statement.targets
                ):
                    yield statement.lineno, "exclude"
        elif isinstance(node, ast.Constant) and node.value == "__all__":
            yield node.lineno, '"__all__"'
        elif isinstance(node, ast.Call) and (called_name(node) or "").endswith(
            "_factory"
        ):
            for keyword in node.keywords:
                if keyword.arg == "exclude":
                    yield node.lineno, "exclude"


def test_forms_list_their_fields() -> None:
    """WEB-7: no `fields = "__all__"` and no `exclude`, in a Meta or a factory."""
    found = [
        f"{relative(path)}:{line} {what}"
        for path in python_files()
        for line, what in loose_field_lists(ast.parse(path.read_text("utf-8")))
    ]

    assert found == []


def test_the_field_lint_finds_loose_forms() -> None:
    source = """
class PupilForm(forms.ModelForm):
    class Meta:
        model = Pupil
        exclude = ["bsn"]

class GroupForm(forms.ModelForm):
    class Meta:
        fields = "__all__"

Loose = modelform_factory(Pupil, exclude=["bsn"])
Rows = dump_database(exclude=["django_session"])
"""

    found = sorted(loose_field_lists(ast.parse(source)))

    assert found == [(5, "exclude"), (9, '"__all__"'), (11, "exclude")]


# Every database cursor Koers opens itself, with why its SQL is safe. Anything
# else goes through the ORM.
RAW_SQL_REVIEWED = {
    ("koers/analysis/services.py", "load_observations"): (
        "executes the SQL the ORM compiled for a queryset, with the ORM's own "
        "parameters; no text is added to it"
    ),
    ("koers/results/result_rows.py", "insert"): (
        "an INSERT whose table and column names come from the model's metadata, "
        "quoted by the database backend; every value is a %s parameter"
    ),
}
RAW_CALLS = {"raw", "extra", "RawSQL", "cursor"}
EXECUTE = {"execute", "executemany"}


def called_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    if isinstance(node.func, ast.Name):
        return node.func.id
    return None


def test_raw_sql_is_reviewed_and_parameterised() -> None:
    """WEB-6: no `.raw(`, `.extra(` or `RawSQL`; each cursor is in the reviewed
    list; no SQL built with an f-string, `%` or `.format` in the call itself."""
    cursors = set()
    built_in_call = []
    for path in python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = called_name(node)
            if name in RAW_CALLS:
                cursors.add((relative(path), functions_with(tree, node)))
            if name in EXECUTE and node.args:
                sql = node.args[0]
                formatted = isinstance(sql, ast.JoinedStr) or (
                    isinstance(sql, ast.BinOp) and isinstance(sql.op, ast.Mod)
                )
                if formatted or (
                    isinstance(sql, ast.Call) and called_name(sql) == "format"
                ):
                    built_in_call.append(f"{relative(path)}:{node.lineno}")

    assert cursors == set(RAW_SQL_REVIEWED)
    assert built_in_call == []


TEMPLATE_DIRS = sorted(KOERS.glob("templates")) + sorted(KOERS.glob("*/templates"))
# Rendered only into PDFs by WeasyPrint, never served as a page: their <style>
# is the print layout (security.md WEB-11 keeps WeasyPrint off the network).
PDF_ONLY = ("analysis/report/", "cycle/report/")
# `|safe` and friends, each with why the value is not user data.
SAFE_ALLOWED = {
    ("analysis/report/school.html", "{{ section.chart|safe }}"): "chart SVG",
    ("analysis/report/school.html", "{{ outcomes_chart|safe }}"): "chart SVG",
    ("analysis/report/group.html", "{{ section.chart|safe }}"): "chart SVG",
    ("analysis/report/pupil.html", "{{ chart|safe }}"): "chart SVG",
}
# Chart SVG: drawn by matplotlib on the server into a PDF only; its labels are
# escaped text and it carries no script (koers.analysis.tests.test_charts, WEB-12).
UNESCAPED = re.compile(r"\{\{[^}]*\|\s*safe(seq)?\s*\}\}|\{%\s*autoescape\s+off")


def templates() -> Iterator[tuple[str, str]]:
    for folder in TEMPLATE_DIRS:
        for path in sorted(folder.rglob("*.html")):
            yield str(path.relative_to(folder)), path.read_text(encoding="utf-8")


def test_templates_hold_no_inline_code_the_policy_would_block() -> None:
    """WEB-3: no inline scripts, style elements or attributes, `on*=` handlers or
    `hx-on` in any template served as a page."""
    found = {
        name: inline_code(text)
        for name, text in templates()
        if not name.startswith(PDF_ONLY)
    }

    assert {name: code for name, code in found.items() if code} == {}
    assert len(found) > 40


def test_the_inline_code_lint_finds_what_the_policy_blocks() -> None:
    html = (
        '<p style="color: red" onclick="go()">x</p><style>p {}</style>'
        "<script>alert(1)</script>"
        '<script type="application/json">{"a": 1}</script>'
        '<script src="/static/x.js"></script>'
        '<button hx-on:click="go()">y</button><a href="javascript:go()">z</a>'
    )

    found = inline_code(html)

    assert sorted(found) == sorted(
        [
            "<p onclick>",
            "<p style>",
            "<style>",
            "<script> with a body",
            "<button hx-on:click>",
            "<a href=javascript:>",
        ]
    )


def test_nothing_is_marked_safe_outside_the_allowlist() -> None:
    """WEB-5: autoescaping stays on; no `mark_safe` in Koers's code."""
    in_templates = {
        (name, match.group(0))
        for name, text in templates()
        for match in UNESCAPED.finditer(text)
    }
    in_code = [
        f"{relative(path)}: {name}"
        for path in python_files()
        for name, _ in names_used(ast.parse(path.read_text(encoding="utf-8")))
        if name in {"mark_safe", "SafeString", "SafeText"}
    ]

    assert in_templates == set(SAFE_ALLOWED)
    assert in_code == []


# --- settings --------------------------------------------------------------------


def test_passwords_are_long_and_hashed_with_argon2() -> None:
    """AUTH-4: at least 12 characters, a common-password check, no composition
    rules; Argon2 first (the tests' own settings swap in a fast hasher)."""
    validators = {}
    for item in project_settings.AUTH_PASSWORD_VALIDATORS:
        assert isinstance(item, dict)
        validators[item["NAME"].rsplit(".", 1)[1]] = item.get("OPTIONS", {})

    assert validators == {
        "MinimumLengthValidator": {"min_length": 12},
        "CommonPasswordValidator": {},
        "NumericPasswordValidator": {},
    }
    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_debug_is_off_and_the_request_limits_are_set() -> None:
    """WEB-8, WEB-9: without KOERS_DEBUG no debug pages; the limits are chosen,
    the number of files one above the import form's own limit."""
    assert project_settings.DEBUG is False
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 1024**2
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == 1000
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES == MAX_FILES + 1


def test_htmx_runs_without_eval_or_injected_styles(world: World) -> None:
    """WEB-3: the import page that refreshes itself with htmx configures it."""
    client = world.client("support")
    values = world.values

    page = reverse("imports:job", args=[values["school_id"], values["job_id"]])
    html = client.get(page).content.decode()

    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
    assert config is not None
    assert config.group(1) == (
        '{"allowEval": false, "includeIndicatorStyles": false, '
        '"allowScriptTags": false}'
    )
    assert "django_htmx/htmx-2.min.js" in html
