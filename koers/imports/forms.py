from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

# Files per upload: a school's exports of one moment are a handful of files.
MAX_FILES = 20


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that accepts several files; cleans to a list."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[bytes]]:
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(file, initial) for file in files]


class UploadForm(forms.Form):
    # An empty file is not refused here, where the message could not say which
    # file it was: the preview shows it as rejected by name, beside the others.
    uploads = MultipleFileField(
        allow_empty_file=True,
        label=_("Bestanden"),
        help_text=_(
            "Kies een of meer exports: EDEXML, OSO-dossiers, ESIS-toetsresultaten, "
            "Doorstroomtoets-berichten, ParnasSys-leerlingenlijsten of tabellen "
            "met toetsresultaten (csv of xlsx). Koers herkent het formaat aan de "
            "inhoud. Eerst ziet u wat er zou veranderen; er wordt pas iets "
            "opgeslagen als u dat bevestigt."
        ),
    )

    def clean_uploads(self) -> list[UploadedFile[bytes]]:
        files: list[UploadedFile[bytes]] = self.cleaned_data["uploads"]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(
                _("Kies hoogstens %(max)d bestanden tegelijk."),
                params={"max": MAX_FILES},
            )

        limit = settings.KOERS_MAX_IMPORT_BYTES
        too_big = [file.name or "" for file in files if (file.size or 0) > limit]
        if too_big:
            raise forms.ValidationError(
                _(
                    "Te groot (meer dan %(limit)s), niet opgeslagen: %(files)s. "
                    "Splits de export of vraag de beheerder om de grens "
                    "(KOERS_MAX_IMPORT_BYTES) te verhogen."
                ),
                params={"limit": filesizeformat(limit), "files": ", ".join(too_big)},
            )
        return files
