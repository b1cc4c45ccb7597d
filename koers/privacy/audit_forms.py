"""The search form of the audit trail."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from koers.privacy.audit_search import (
    KIND_LABELS,
    Criteria,
    entries_of,
    pupils_matching,
)
from koers.schools.models import School

# The largest id a database row can have (a signed 64-bit integer).
MAX_ID = 2**63 - 1


class AuditSearchForm(forms.Form):
    gebruiker = forms.TypedChoiceField(
        label=_("Gebruiker"), required=False, coerce=int, empty_value=None
    )
    leerlingnummer = forms.CharField(
        label=_("Leerlingnummer"), required=False, max_length=256
    )
    # Bounded by the database's integer: a longer number overflowed the query.
    leerling = forms.IntegerField(
        label=_("Koers-nummer van de leerling"),
        required=False,
        min_value=1,
        max_value=MAX_ID,
    )
    van = forms.DateField(
        label=_("Van"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    tot = forms.DateField(
        label=_("Tot en met"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    actie = forms.ChoiceField(label=_("Actie"), required=False)

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.school = school
        # Everyone with a role at the school, and whoever else left a trace in
        # its trail (board staff, a former member).
        users = User.objects.filter(
            Q(school_memberships__school=school)
            | Q(pk__in=entries_of(school).values("actor_id"))
        ).distinct()
        self.fields["gebruiker"].choices = [  # type: ignore[attr-defined]
            ("", _("iedereen")),
            *((user.pk, user.get_username()) for user in users.order_by("username")),
        ]
        self.fields["actie"].choices = [  # type: ignore[attr-defined]
            ("", _("alle")),
            *KIND_LABELS.items(),
        ]

    @property
    def refused(self) -> bool:
        """Asked with a value that is not valid: the page shows the error and
        no entries, never the unfiltered trail as if the filter applied."""
        return self.is_bound and not self.is_valid()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("van"), cleaned.get("tot")
        if start and end and end < start:
            self.add_error("tot", _("De einddatum ligt voor de begindatum."))
        return cleaned

    def criteria(self) -> Criteria:
        data = self.cleaned_data
        return Criteria(
            user_id=data.get("gebruiker"),
            pupil_ids=(
                frozenset(
                    pupils_matching(
                        self.school,
                        data.get("leerlingnummer", ""),
                        data.get("leerling"),
                    )
                )
                if self.asks_for_pupil
                else None
            ),
            start=data.get("van"),
            end=data.get("tot"),
            kind=data.get("actie", ""),
        )

    @property
    def asks_for_pupil(self) -> bool:
        return bool(self.cleaned_data.get("leerlingnummer")) or bool(
            self.cleaned_data.get("leerling")
        )
