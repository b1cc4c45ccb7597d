from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "koers.privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from koers.privacy import audit_accounts
        from koers.privacy.audit_registry import register_models

        register_models()
        audit_accounts.connect()
