from __future__ import annotations

from django.urls import path

from koers.cycle import accountability_views as views

urlpatterns = [
    path(
        "school/<int:school_id>/verantwoording/",
        views.accountability_page,
        name="accountability",
    ),
    path(
        "school/<int:school_id>/verantwoording/<int:year>.pdf",
        views.accountability_pdf,
        name="accountability-pdf",
    ),
    path("bestuur/<int:board_id>/cyclus/", views.board_page, name="board"),
]
