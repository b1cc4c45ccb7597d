from __future__ import annotations

from django.urls import path

from koers.cycle import plan_views as views

urlpatterns = [
    path("school/<int:school_id>/onderwijsplan/", views.plan_page, name="plan"),
    path(
        "school/<int:school_id>/onderwijsplan/beginnen/",
        views.start_plan,
        name="plan-start",
    ),
    path(
        "school/<int:school_id>/onderwijsplan/nieuwe-versie/",
        views.new_plan_version,
        name="plan-new-version",
    ),
    path(
        "school/<int:school_id>/onderwijsplan/verschil/",
        views.plan_diff,
        name="plan-diff",
    ),
    path(
        "school/<int:school_id>/onderwijsplan/<int:number>/",
        views.plan_version,
        name="plan-version",
    ),
    path(
        "school/<int:school_id>/onderwijsplan/<int:number>/bewerken/",
        views.edit_plan,
        name="plan-edit",
    ),
]
