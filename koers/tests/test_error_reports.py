"""Errors (security.md WEB-8, ERR-1): generic Dutch error pages, and a failed
request logged with its facts and code frames but without its data.

A view added to a test URLconf fails while it handles a canary pupil name: the
name is in the POST data, in a local variable and in the exception's message.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.log import AdminEmailHandler

from koers.request_logging import CodeFramesFormatter, ConsoleHandler, RequestFacts
from koers.schools.access import requires
from koers.schools.roles import Permission
from koers.tests.accounts import make_user, sign_in
from koers.tests.helpers import make_school
from koers.urls import urlpatterns as koers_urlpatterns

pytestmark = pytest.mark.django_db

CANARY = "Canarynaam Zzyzx"
THIS_MODULE = "koers.tests.test_error_reports"


@requires(Permission.SIGNED_IN)
def failing_view(request: HttpRequest) -> HttpResponse:
    pupil_name = request.POST["naam"]
    raise ValueError(f"kan {pupil_name} niet verwerken")


@requires(Permission.SIGNED_IN)
def refusing_view(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied(f"{CANARY} hoort bij een andere school")


urlpatterns: list[URLPattern | URLResolver] = [
    *koers_urlpatterns,
    path("proef/fout/", failing_view, name="failing"),
    path("proef/geweigerd/", refusing_view, name="refusing"),
]


@pytest.fixture
def server_log() -> Iterator[io.StringIO]:
    """What the handler Koers configures for Django's logger writes: the
    console output of `koers serve` and of a server."""
    handlers = logging.getLogger("django").handlers
    assert [type(handler) for handler in handlers] == [ConsoleHandler]
    handler = handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    output = io.StringIO()
    previous = handler.setStream(output)
    try:
        yield output
    finally:
        handler.setStream(previous)


@pytest.mark.urls(THIS_MODULE)
@override_settings(ADMINS=[("Beheer", "beheer@example.nl")])
def test_a_server_error_is_logged_without_the_pupil_data(
    server_log: io.StringIO,
) -> None:
    user = make_user("ib-er", make_school())
    client = sign_in(user, Client(raise_request_exception=False))

    response = client.post(reverse("failing"), {"naam": CANARY})

    page = response.content.decode()
    assert response.status_code == 500
    assert "Er ging iets mis" in page
    assert CANARY not in page
    assert "Traceback" not in page

    logged = server_log.getvalue()
    assert f"500 Internal Server Error view=failing user={user.pk} method=POST" in (
        logged
    )
    assert "in failing_view" in logged
    assert 'raise ValueError(f"kan {pupil_name} niet verwerken")' in logged
    assert "builtins.ValueError (message left out)" in logged
    assert "Canarynaam" not in logged
    assert "/proef/fout/" not in logged
    # ADMINS is set, and still no mail: Koers has no mail handler on Django's logs.
    assert mail.outbox == []


@pytest.mark.urls(THIS_MODULE)
def test_a_refusal_is_logged_and_shown_without_its_message(
    server_log: io.StringIO,
) -> None:
    user = make_user("ib-er", make_school())

    response = sign_in(user).get(reverse("refusing"))

    assert response.status_code == 403
    assert "Hier heeft u geen toegang toe" in response.content.decode()
    assert CANARY not in response.content.decode()
    logged = server_log.getvalue()
    assert f"403 Forbidden view=refusing user={user.pk} method=GET" in logged
    assert "Canarynaam" not in logged


def test_no_mail_handler_is_attached_to_djangos_loggers() -> None:
    for name in ("django", "django.request", "django.security", "koers"):
        handlers = logging.getLogger(name).handlers
        assert not any(isinstance(h, AdminEmailHandler) for h in handlers), name


def test_another_schools_pupil_answers_with_the_dutch_404_page(
    server_log: io.StringIO,
) -> None:
    school = make_school()
    client = sign_in(make_user("ib-er", school))

    response = client.get(reverse("analysis:pupil-overview", args=[987654]))

    assert response.status_code == 404
    assert "Deze pagina bestaat niet" in response.content.decode()
    assert "404 Not Found view=analysis:pupil-overview" in server_log.getvalue()
    assert "987654" not in server_log.getvalue()


def test_the_frames_formatter_leaves_out_messages_along_the_chain() -> None:
    try:
        try:
            {"naam": CANARY}["leerling"]
        except KeyError as missing:
            raise RuntimeError(CANARY) from missing
    except RuntimeError as error:
        record = logging.LogRecord(
            "koers.proef", logging.ERROR, __file__, 1, "failed id=%s", (7,), None
        )
        record.exc_info = (type(error), error, error.__traceback__)
        record.exc_text = f"cached by another handler: {CANARY}"

    text = CodeFramesFormatter("%(levelname)s %(name)s %(message)s").format(record)

    assert text.startswith("ERROR koers.proef failed id=7\nTraceback")
    assert "builtins.KeyError (message left out)" in text
    assert "builtins.RuntimeError (message left out)" in text
    assert text.index("KeyError") < text.index("RuntimeError")
    assert "Canarynaam" not in text


def test_the_request_filter_drops_the_request_from_the_record() -> None:
    request = RequestFactory().get("/leerling/12/")
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "%s: %s", ("Boom", "/p/"), None
    )
    record.request = request
    record.status_code = 500

    kept = RequestFacts().filter(record)

    assert kept is True
    assert record.getMessage() == ("500 Internal Server Error view=- user=- method=GET")
    assert not hasattr(record, "request")
