"""Forms of the schoolbespreking and its 20-week records, with Dutch labels."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from koers.cycle.models import (
    Action,
    Decision,
    DecisionKind,
    GroupDeviation,
    Meeting,
    Outcome,
    ProfessionalDevelopmentPlan,
    PupilDecision,
    SchoolAgreement,
)
from koers.cycle.services import Measurement, measurement_label
from koers.lib.cycle.calendar import default_end
from koers.lib.records import Period
from koers.schools.models import Pupil

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SHORT_TEXT = forms.Textarea(attrs={"rows": 3})


class DatedForm(forms.ModelForm):  # type: ignore[type-arg]
    """The period of a 20-week record: from the meeting to 20 weeks later."""

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on <= starts_on:
            self.add_error("ends_on", _("De einddatum ligt na de begindatum."))
        return cleaned


def period_initial(meeting: Meeting) -> dict[str, date]:
    return {"starts_on": meeting.held_on, "ends_on": default_end(meeting.held_on)}


class MeetingForm(forms.ModelForm):  # type: ignore[type-arg]
    measurement = forms.ChoiceField(
        label=_("Na welke meting"),
        help_text=_("De resultaten waarop de bespreking terugkijkt."),
    )

    class Meta:
        model = Meeting
        fields = ["held_on", "participants"]
        widgets = {"held_on": DATE_INPUT, "participants": SHORT_TEXT}
        help_texts = {
            "participants": _("Namen of functies, één per regel."),
        }

    def __init__(self, *args: Any, measurements: Sequence[Measurement], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["measurement"]).choices = [
            (f"{year}-{period.value}", measurement_label((year, period)))
            for year, period in reversed(measurements)
        ]
        self.order_fields(["measurement", "held_on", "participants"])

    def chosen_measurement(self) -> Measurement:
        year, period = self.cleaned_data["measurement"].split("-")
        return int(year), Period(period)


class MinutesForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Meeting
        fields = ["held_on", "participants", "notes"]
        widgets = {
            "held_on": DATE_INPUT,
            "participants": SHORT_TEXT,
            "notes": forms.Textarea(attrs={"rows": 6}),
        }


class DecisionForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Decision
        fields = ["text"]
        widgets = {"text": SHORT_TEXT}


class ActionForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Action
        fields = ["description", "owner", "due_on"]
        widgets = {"description": SHORT_TEXT, "due_on": DATE_INPUT}


class DevelopmentPlanForm(DatedForm):
    class Meta:
        model = ProfessionalDevelopmentPlan
        fields = [
            "goal",
            "agreements",
            "activities",
            "owner",
            "success_criterion",
            "starts_on",
            "ends_on",
        ]
        widgets = {
            "goal": SHORT_TEXT,
            "agreements": forms.CheckboxSelectMultiple,
            "activities": forms.Textarea(attrs={"rows": 5}),
            "success_criterion": SHORT_TEXT,
            "starts_on": DATE_INPUT,
            "ends_on": DATE_INPUT,
        }
        help_texts = {
            "activities": _(
                "Bijvoorbeeld een studiedag, klassenbezoeken met een kijkwijzer, "
                "coaching of collegiale consultatie, met data."
            ),
            "success_criterion": _(
                "Wat moet de volgende meting laten zien? Koers zet de cijfers ernaast."
            ),
        }

    def __init__(
        self, *args: Any, agreements: Sequence[SchoolAgreement], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = cast(
            "forms.ModelMultipleChoiceField[SchoolAgreement]", self.fields["agreements"]
        )
        field.queryset = SchoolAgreement.objects.filter(
            pk__in=[agreement.pk for agreement in agreements]
        )


def display_name(pupil: Pupil) -> str:
    return pupil.display_name


class DeviationForm(DatedForm):
    class Meta:
        model = GroupDeviation
        fields = [
            "element",
            "from_text",
            "to_text",
            "subgroup",
            "pupils",
            "reason",
            "expected_effect",
            "starts_on",
            "ends_on",
        ]
        widgets = {
            "from_text": SHORT_TEXT,
            "to_text": SHORT_TEXT,
            "pupils": forms.CheckboxSelectMultiple,
            "reason": SHORT_TEXT,
            "expected_effect": SHORT_TEXT,
            "starts_on": DATE_INPUT,
            "ends_on": DATE_INPUT,
        }
        help_texts = {
            "subgroup": _(
                "Leeg laten als de hele groep het krijgt; anders bijvoorbeeld "
                "'instructietafel rekenen' en kies de leerlingen hieronder."
            ),
            "from_text": _("Wat het onderwijsplan voor deze groep zegt."),
            "reason": _("Wat in de cijfers hiertoe leidt. De cijfers worden bewaard."),
        }

    def __init__(self, *args: Any, pupils: Sequence[Pupil], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast("forms.ModelMultipleChoiceField[Pupil]", self.fields["pupils"])
        field.queryset = Pupil.objects.filter(pk__in=[pupil.pk for pupil in pupils])
        field.label_from_instance = display_name  # type: ignore[method-assign,assignment]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("pupils") and not cleaned.get("subgroup"):
            self.add_error(
                "subgroup",
                _("Geef de subgroep een naam, zodat het verslag leesbaar is."),
            )
        return cleaned


class PupilDecisionForm(DatedForm):
    class Meta:
        model = PupilDecision
        fields = ["kind", "tier", "reason", "starts_on", "ends_on"]
        widgets = {
            "kind": forms.RadioSelect,
            "reason": SHORT_TEXT,
            "starts_on": DATE_INPUT,
            "ends_on": DATE_INPUT,
        }
        help_texts = {
            "tier": _("Alleen bij een ander arrangement."),
            "reason": _(
                "Ook bij 'geen verandering': waarom is het aanbod van de school genoeg?"
            ),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        arrangement = cleaned.get("kind") == DecisionKind.ARRANGEMENT
        if arrangement and not cleaned.get("tier"):
            self.add_error(
                "tier", _("Kies het arrangement waar de leerling naartoe gaat.")
            )
        if not arrangement and cleaned.get("tier"):
            cleaned["tier"] = ""
        return cleaned


class EvaluationForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Conclusie"),
        choices=Outcome.choices,
        widget=forms.RadioSelect,
    )
    evaluation_note = forms.CharField(
        label=_("Toelichting"),
        required=False,
        widget=SHORT_TEXT,
        help_text=_("Wat verklaart de uitkomst, en wat neemt de school mee?"),
    )
