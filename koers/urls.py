from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    # Login, logout, password reset and the second factor (django-allauth); its
    # sign-up pages answer that signing up is closed.
    path("account/", include("allauth.urls")),
    path("", include("koers.analysis.urls")),
    path("", include("koers.imports.urls")),
    path("", include("koers.schoolsettings.urls")),
    path("", include("koers.cycle.urls")),
    path("", include("koers.schools.account_urls")),
    path("", include("koers.privacy.audit_urls")),
    path("", include("koers.privacy.rights_urls")),
]
