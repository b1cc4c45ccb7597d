from __future__ import annotations

from django.urls import path

from koers.analysis import views

app_name = "analysis"

urlpatterns = [
    path("", views.home, name="home"),
    path("school/<int:school_id>/", views.school_page, name="school-overview"),
    path("groep/<int:group_id>/", views.group_page, name="group-overview"),
    path("leerling/<int:pupil_id>/", views.pupil_page, name="pupil-overview"),
]
