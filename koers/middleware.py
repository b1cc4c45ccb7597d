"""Response headers Django's own middleware does not set."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

NO_STORE = "no-store"


class NoStore:
    """Nothing Koers answers is kept in a browser's or a proxy's cache: pages,
    charts and downloads carry pupil data, and a shared school computer must not
    show them to the next person from its cache (security.md WEB-2).

    Static files are answered before this middleware by WhiteNoise, with their
    own long cache lifetime; they hold no data.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if NO_STORE not in response.get("Cache-Control", ""):
            response["Cache-Control"] = NO_STORE
        return response
