from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from koers.schools import account_views as views

app_name = "accounts"

ACCOUNT = "school/<int:school_id>/accounts/<int:user_id>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("school/<int:school_id>/accounts/", views.account_list, name="list"),
    path("school/<int:school_id>/accounts/nieuw/", views.add_account, name="add"),
    path(ACCOUNT, views.account_detail, name="detail"),
    path(f"{ACCOUNT}rol/", views.add_role, name="add-role"),
    path(
        f"{ACCOUNT}rol/<int:membership_id>/weghalen/",
        views.remove_role,
        name="remove-role",
    ),
    path(
        f"{ACCOUNT}tweede-stap/wissen/",
        views.reset_second_factor,
        name="reset-second-factor",
    ),
    path(f"{ACCOUNT}uitloggen/", views.end_sessions, name="end-sessions"),
    path(f"{ACCOUNT}deactiveren/", views.deactivate, name="deactivate"),
    path(f"{ACCOUNT}activeren/", views.activate, name="activate"),
]
