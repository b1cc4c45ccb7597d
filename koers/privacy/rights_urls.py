from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from koers.privacy.rights_views import (
    correct,
    delete,
    export_json,
    export_pdf,
    pupil_page,
    search,
)

app_name = "rights"

PUPIL = "school/<int:school_id>/leerlingrechten/<int:pupil_id>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("school/<int:school_id>/leerlingrechten/", search, name="search"),
    path(PUPIL, pupil_page, name="pupil"),
    path(f"{PUPIL}gegevens.json", export_json, name="export-json"),
    path(f"{PUPIL}gegevens.pdf", export_pdf, name="export-pdf"),
    path(f"{PUPIL}corrigeren/", correct, name="correct"),
    path(f"{PUPIL}verwijderen/", delete, name="delete"),
]
