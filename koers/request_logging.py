"""Error reports without pupil data (security.md ERR-1).

Django logs a failed request with the request attached, and its mail handler
would print the POST data and every frame's local variables. Koers logs a failed
request as a line of facts (status, URL name, user id, method) and a traceback of
code frames: file, line, function and source line, the exception's type but never
its message, which may quote a name, a score or a database row.
"""

from __future__ import annotations

import logging
import sys
import traceback
from http import HTTPStatus
from types import TracebackType
from typing import Any

# The exception info a log record carries (logging's own alias is private).
ExcInfo = (
    tuple[type[BaseException], BaseException, TracebackType | None]
    | tuple[None, None, None]
)


def url_name(request: Any) -> str:
    """The resolved URL name: unlike the path, it holds no id or token."""
    match = getattr(request, "resolver_match", None)
    return str(match.view_name) if match is not None else "-"


def user_id(request: Any) -> str:
    try:
        user = getattr(request, "user", None)
        return str(user.pk) if user is not None and user.is_authenticated else "-"
    except Exception:
        # The session or the database may be what failed: the line still counts.
        return "?"


def reason_phrase(status: object) -> str:
    try:
        return HTTPStatus(int(str(status))).phrase
    except ValueError:
        return "-"


class RequestFacts(logging.Filter):
    """Turns a record about a request into a line of facts and drops the request,
    so that no handler after this one can print its body, headers or path."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if request is None:
            return True

        status = getattr(record, "status_code", "-")
        record.msg = "%s %s view=%s user=%s method=%s"
        record.args = (
            status,
            reason_phrase(status),
            url_name(request),
            user_id(request),
            getattr(request, "method", "-"),
        )
        delattr(record, "request")
        return True


def exception_chain(error: BaseException) -> list[BaseException]:
    """The error and the errors it was raised from or during, oldest first."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return list(reversed(chain))


def type_name(error: BaseException) -> str:
    kind = type(error)
    return f"{kind.__module__}.{kind.__qualname__}"


class CodeFramesFormatter(logging.Formatter):
    """A traceback of code frames and exception types, without messages or local
    variables: enough to find the failing line, nothing of the data it held."""

    def format(self, record: logging.LogRecord) -> str:
        # Another formatter may have cached a traceback with the message in it.
        record.exc_text = None
        return super().format(record)

    def formatException(self, ei: ExcInfo) -> str:
        error = ei[1]
        if error is None:
            return ""

        lines: list[str] = []
        for link in exception_chain(error):
            lines.append("Traceback (most recent call last):\n")
            lines.extend(
                traceback.format_list(traceback.extract_tb(link.__traceback__))
            )
            lines.append(f"{type_name(link)} (message left out)\n")
        return "".join(lines).rstrip("\n")


class ConsoleHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A StreamHandler on standard error as it is when a record is written, not
    as it was when logging was configured. Django configures logging again each
    time `koers` runs a command in the same process (the tests do), and a handler
    holding an old, since closed stream would lose every later record."""

    def __init__(self) -> None:
        self._chosen: Any = None
        super().__init__()

    @property
    def stream(self) -> Any:
        return self._chosen if self._chosen is not None else sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        self._chosen = None if value is sys.stderr else value
