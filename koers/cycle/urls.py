from __future__ import annotations

from django.urls import path

from koers.cycle import views
from koers.cycle.accountability_urls import urlpatterns as accountability_urlpatterns
from koers.cycle.plan_urls import urlpatterns as plan_urlpatterns

app_name = "cycle"

urlpatterns = [
    *plan_urlpatterns,
    *accountability_urlpatterns,
    path("school/<int:school_id>/cyclus/", views.cycle_page, name="cycle"),
    path(
        "school/<int:school_id>/schoolbespreking/nieuw/",
        views.meeting_new,
        name="meeting-new",
    ),
    path("schoolbespreking/<int:meeting_id>/", views.meeting_page, name="meeting"),
    path(
        "schoolbespreking/<int:meeting_id>/verslag/",
        views.meeting_minutes,
        name="meeting-minutes",
    ),
    path(
        "schoolbespreking/<int:meeting_id>/besluit/",
        views.meeting_decision,
        name="meeting-decision",
    ),
    path(
        "schoolbespreking/<int:meeting_id>/actie/",
        views.meeting_action,
        name="meeting-action",
    ),
    path(
        "schoolbespreking/<int:meeting_id>/verslag.pdf",
        views.meeting_pdf,
        name="meeting-pdf",
    ),
    path(
        "schoolbespreking/<int:meeting_id>/vaststellen/",
        views.meeting_close,
        name="meeting-close",
    ),
    path("actie/<int:action_id>/gedaan/", views.action_done, name="action-done"),
    path(
        "schoolbespreking/<int:meeting_id>/aanpak/nieuw/",
        views.development_plan_new,
        name="development-plan-new",
    ),
    path(
        "schoolbespreking/<int:meeting_id>/afwijking/nieuw/",
        views.deviation_new,
        name="deviation-new",
    ),
    path(
        "schoolbespreking/<int:meeting_id>/leerlingbesluit/nieuw/",
        views.pupil_decision_new,
        name="pupil-decision-new",
    ),
    path(
        "aanpak/<int:record_id>/",
        views.development_plan_page,
        name="development-plan",
    ),
    path("afwijking/<int:record_id>/", views.deviation_page, name="deviation"),
    path(
        "leerlingbesluit/<int:record_id>/",
        views.pupil_decision_page,
        name="pupil-decision",
    ),
    path(
        "schoolbespreking/<int:meeting_id>/verwijderen/",
        views.meeting_delete,
        name="meeting-delete",
    ),
    # Correcting or removing a plan, deviation or pupil decision: one address per
    # kind, reversed with the kind as an argument.
    *(
        path(
            f"{kind}/<int:record_id>/{action}/",
            view,
            {"kind": kind},
            name=name,
        )
        for kind in views.RECORD_MODELS
        for action, view, name in (
            ("bewerken", views.record_edit_page, "record-edit"),
            ("verwijderen", views.record_delete_page, "record-delete"),
        )
    ),
]
