"""Django's minimum length for passwords, with the message in Dutch: Django
6.1's Dutch catalogue lacks this sentence, so the form and `koers user add`
would otherwise answer in English."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        message: str = ngettext(
            "Dit wachtwoord is te kort: gebruik minstens %(min_length)d teken.",
            "Dit wachtwoord is te kort: gebruik minstens %(min_length)d tekens.",
            self.min_length,
        ) % {"min_length": self.min_length}
        return message

    def get_help_text(self) -> str:
        text: str = ngettext(
            "Gebruik minstens %(min_length)d teken; een zin van een paar woorden "
            "is sterk en goed te onthouden.",
            "Gebruik minstens %(min_length)d tekens; een zin van een paar woorden "
            "is sterk en goed te onthouden.",
            self.min_length,
        ) % {"min_length": self.min_length}
        return text
