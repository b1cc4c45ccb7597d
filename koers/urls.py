from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("inloggen/", auth_views.LoginView.as_view(), name="login"),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("koers.analysis.urls")),
    path("", include("koers.imports.urls")),
    path("", include("koers.schoolsettings.urls")),
    path("", include("koers.cycle.urls")),
]
