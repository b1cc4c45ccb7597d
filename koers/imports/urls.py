from __future__ import annotations

from django.urls import path

from koers.imports import views

app_name = "imports"

urlpatterns = [
    path("school/<int:school_id>/importeren/", views.upload_page, name="upload"),
    path(
        "school/<int:school_id>/importeren/<int:job_id>/",
        views.job_page,
        name="job",
    ),
    path(
        "school/<int:school_id>/importeren/<int:job_id>/bevestigen/",
        views.confirm_job,
        name="confirm",
    ),
    path(
        "school/<int:school_id>/importeren/<int:job_id>/annuleren/",
        views.cancel_job,
        name="cancel",
    ),
    path("school/<int:school_id>/importen/", views.history_page, name="history"),
    path(
        "school/<int:school_id>/importen/<int:batch_id>/ongedaan-maken/",
        views.undo_page,
        name="undo",
    ),
]
