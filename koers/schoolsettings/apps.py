from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolSettingsConfig(AppConfig):
    name = "koers.schoolsettings"
    verbose_name = _("Instellingen van de school")
