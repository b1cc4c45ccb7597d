from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolsConfig(AppConfig):
    name = "koers.schools"
    verbose_name = _("Scholen")

    def ready(self) -> None:
        # Connects the receivers that note a sign-in and a new second factor.
        from koers.schools import auth  # noqa: F401
