from __future__ import annotations

from django import forms

from koers.schools.models import Pupil


class PupilCorrectionForm(forms.ModelForm[Pupil]):
    """The fields a parent may have corrected (AVG art. 16): the name and the
    birth date. Identifiers and dates of entry and exit come from the LAS."""

    class Meta:
        model = Pupil
        fields = [
            "surname",
            "prefix",
            "preferred_name",
            "given_names",
            "initials",
            "birth_date",
        ]
        # ISO, the only format an `<input type=date>` shows: the localised
        # "06-06-2018" would leave the field empty and wipe the date on save.
        widgets = {
            "birth_date": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
        }
