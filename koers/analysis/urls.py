from __future__ import annotations

from django.urls import path

from koers.analysis import chart_views, export_views, report_views, views

app_name = "analysis"

urlpatterns = [
    path("", views.home, name="home"),
    path("school/<int:school_id>/", views.school_page, name="school-overview"),
    path("school/<int:school_id>/start/", views.start_page, name="school-start"),
    path("groep/<int:group_id>/", views.group_page, name="group-overview"),
    path("groep/<int:group_id>/cohort/", views.cohort_page, name="cohort"),
    path("leerling/<int:pupil_id>/", views.pupil_page, name="pupil-overview"),
    # Charts, one SVG image each. The fixed name comes first: it would otherwise
    # be read as a subject.
    path(
        "school/<int:school_id>/grafiek/eindresultaten.svg",
        chart_views.outcomes_chart,
        name="outcomes-chart",
    ),
    path(
        "school/<int:school_id>/grafiek/<slug:subject>.svg",
        chart_views.school_chart,
        name="school-chart",
    ),
    path(
        "groep/<int:group_id>/grafiek/cohort.svg",
        chart_views.cohort_chart,
        name="cohort-chart",
    ),
    path(
        "groep/<int:group_id>/grafiek/<slug:subject>.svg",
        chart_views.group_chart,
        name="group-chart",
    ),
    path(
        "leerling/<int:pupil_id>/grafiek.svg",
        chart_views.pupil_chart,
        name="pupil-chart",
    ),
    path(
        "school/<int:school_id>/rapport.pdf",
        report_views.school_report,
        name="school-report",
    ),
    path(
        "groep/<int:group_id>/rapport.pdf",
        report_views.group_report,
        name="group-report",
    ),
    path(
        "leerling/<int:pupil_id>/rapport.pdf",
        report_views.pupil_report,
        name="pupil-report",
    ),
    # Downloads of the overviews; `fmt` is csv or xlsx, anything else answers 404.
    path(
        "school/<int:school_id>/export.<str:fmt>",
        export_views.school_export,
        name="school-export",
    ),
    path(
        "groep/<int:group_id>/export.<str:fmt>",
        export_views.group_export,
        name="group-export",
    ),
    path(
        "leerling/<int:pupil_id>/export.<str:fmt>",
        export_views.pupil_export,
        name="pupil-export",
    ),
]
