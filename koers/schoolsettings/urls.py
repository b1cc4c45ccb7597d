from __future__ import annotations

from django.urls import path

from koers.schoolsettings import views

app_name = "schoolsettings"

urlpatterns = [
    path("school/<int:school_id>/instellingen/", views.index, name="index"),
    path(
        "school/<int:school_id>/instellingen/ambities/",
        views.ambitions_page,
        name="ambitions",
    ),
    path(
        "school/<int:school_id>/instellingen/ambities/bewerken/",
        views.edit_ambitions,
        name="ambitions-edit",
    ),
    path(
        "school/<int:school_id>/instellingen/ambities/bestand/",
        views.ambitions_file,
        name="ambitions-file",
    ),
    path(
        "school/<int:school_id>/instellingen/signaleringsregels/",
        views.flag_rules_page,
        name="flag-rules",
    ),
    path(
        "school/<int:school_id>/instellingen/normtabel/",
        views.norms_page,
        name="norms",
    ),
    path(
        "school/<int:school_id>/instellingen/schoolweging/",
        views.weightings_page,
        name="weightings",
    ),
    path(
        "school/<int:school_id>/instellingen/schoolweging/<int:start_year>/verwijderen/",
        views.delete_weighting,
        name="weighting-delete",
    ),
]
