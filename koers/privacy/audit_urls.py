from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from koers.privacy import audit_views as views

app_name = "audit"

urlpatterns: list[URLPattern | URLResolver] = [
    path("school/<int:school_id>/logboek/", views.log_page, name="log"),
    path("school/<int:school_id>/logboek.csv", views.log_csv, name="log-csv"),
    path(
        "school/<int:school_id>/logboek/bereik.csv",
        views.scope_csv,
        name="scope-csv",
    ),
]
