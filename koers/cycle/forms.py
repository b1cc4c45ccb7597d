"""Forms of the schoolbespreking and its 20-week records, with Dutch labels.

Every date is checked against the meeting it belongs to: a year typed as 9999 or
0001 is refused here rather than stored, where the calendar would compute with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any, ClassVar, cast

from django import forms
from django.core.validators import MaxLengthValidator
from django.db.models import QuerySet
from django.utils.formats import date_format
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
    Tier,
)
from koers.cycle.services import Measurement, measurement_label, measurement_of
from koers.lib.cycle.calendar import (
    MAX_PERIOD_DAYS,
    default_end,
    meeting_window,
    record_window,
    shift,
)
from koers.lib.records import Period
from koers.schools.models import Pupil

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SHORT_TEXT = forms.Textarea(attrs={"rows": 3})
# Free text is written for people, not pasted from elsewhere: a field of a few
# sentences takes at most LINE_LIMIT characters, minutes and activities NOTE_LIMIT.
LINE_LIMIT = 2_000
NOTE_LIMIT = 10_000
BLANK_CHOICE = _("\N{EN DASH} kies \N{EN DASH}")


def limit_lengths(fields: dict[str, forms.Field], long_fields: Iterable[str]) -> None:
    """Give every unbounded text field its limit, in the form and in the browser."""
    long = set(long_fields)
    for name, field in fields.items():
        if not isinstance(field, forms.CharField) or field.max_length is not None:
            continue
        limit = NOTE_LIMIT if name in long else LINE_LIMIT
        field.max_length = limit
        field.validators.append(MaxLengthValidator(limit))
        field.widget.attrs["maxlength"] = str(limit)


def dutch_blanks(fields: dict[str, forms.Field]) -> None:
    """Name the empty choice of a list in Dutch (Django's own has no translation)."""
    for field in fields.values():
        if not isinstance(field, forms.TypedChoiceField | forms.ChoiceField):
            continue
        if isinstance(field, forms.ModelChoiceField) or isinstance(
            field.widget, forms.RadioSelect
        ):
            continue
        choices: list[tuple[Any, Any]] = list(field.choices)  # type: ignore[arg-type]
        field.choices = [
            (value, BLANK_CHOICE if value == "" else label) for value, label in choices
        ]


def day(value: date) -> str:
    return date_format(value, "j F Y")


class CycleForm(forms.ModelForm):  # type: ignore[type-arg]
    """A form of the cycle: text fields with a length limit, lists in Dutch."""

    long_fields: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_lengths(self.fields, self.long_fields)
        dutch_blanks(self.fields)


class DatedForm(CycleForm):
    """The period of a 20-week record: from the meeting to 20 weeks later.

    `anchor` is the day the record was decided on (the meeting's date): the start
    lies within a school year of it and the period lasts at most a year.
    """

    def __init__(self, *args: Any, anchor: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.anchor = anchor

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        first, last = record_window(self.anchor)
        if starts_on and not first <= starts_on <= last:
            self.add_error(
                "starts_on",
                _("Kies een begindatum van %(first)s tot en met %(last)s.")
                % {"first": day(first), "last": day(last)},
            )
        elif starts_on and ends_on and ends_on <= starts_on:
            self.add_error("ends_on", _("De einddatum moet na de begindatum liggen."))
        elif starts_on and ends_on:
            latest = shift(starts_on, timedelta(days=MAX_PERIOD_DAYS))
            if ends_on > latest:
                self.add_error(
                    "ends_on",
                    _(
                        "Een periode duurt hoogstens een jaar: kies een einddatum "
                        "tot en met %(last)s."
                    )
                    % {"last": day(latest)},
                )
        return cleaned


def period_initial(meeting: Meeting) -> dict[str, date]:
    return {"starts_on": meeting.held_on, "ends_on": default_end(meeting.held_on)}


def check_meeting_date(
    form: forms.BaseForm, held_on: date | None, measurement: Measurement
) -> None:
    """A meeting is held after the measurement it looks back on, in its school
    year or, after E, in the autumn that follows."""
    if held_on is None:
        return
    first, last = meeting_window(*measurement)
    if not first <= held_on <= last:
        form.add_error(
            "held_on",
            _(
                "Na de meting %(measurement)s kan de bespreking van %(first)s tot "
                "en met %(last)s gehouden worden."
            )
            % {
                "measurement": measurement_label(measurement),
                "first": day(first),
                "last": day(last),
            },
        )


class MeetingForm(CycleForm):
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

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if "measurement" in cleaned:
            check_meeting_date(self, cleaned.get("held_on"), self.chosen_measurement())
        return cleaned

    def chosen_measurement(self) -> Measurement:
        year, period = self.cleaned_data["measurement"].split("-")
        return int(year), Period(period)


class MinutesForm(CycleForm):
    long_fields = ("notes",)

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        check_meeting_date(self, cleaned.get("held_on"), measurement_of(self.instance))
        return cleaned

    class Meta:
        model = Meeting
        fields = ["held_on", "participants", "notes"]
        widgets = {
            "held_on": DATE_INPUT,
            "participants": SHORT_TEXT,
            "notes": forms.Textarea(attrs={"rows": 6}),
        }


class DecisionForm(CycleForm):
    class Meta:
        model = Decision
        fields = ["text"]
        widgets = {"text": SHORT_TEXT}


class ActionForm(CycleForm):
    class Meta:
        model = Action
        fields = ["description", "owner", "due_on"]
        widgets = {"description": SHORT_TEXT, "due_on": DATE_INPUT}

    def __init__(self, *args: Any, anchor: date | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.anchor = anchor

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        due_on = cleaned.get("due_on")
        if due_on is None or self.anchor is None:
            return cleaned
        first, last = record_window(self.anchor)
        if not first <= due_on <= last:
            self.add_error(
                "due_on",
                _("Kies een datum van %(first)s tot en met %(last)s.")
                % {"first": day(first), "last": day(last)},
            )
        return cleaned


class DevelopmentPlanForm(DatedForm):
    long_fields = ("activities",)

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
        if cleaned.get("subgroup") and "pupils" in cleaned and not cleaned["pupils"]:
            self.add_error(
                "pupils",
                _(
                    "Kies de leerlingen van de subgroep, of laat de naam van de "
                    "subgroep leeg als de hele groep het krijgt."
                ),
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # No choice is made for the team: without the empty radio button none is
        # checked until someone picks one.
        kind = cast(forms.ChoiceField, self.fields["kind"])
        kind.choices = DecisionKind.choices
        tier = cast(forms.ChoiceField, self.fields["tier"])
        tier.choices = [("", BLANK_CHOICE), *Tier.choices]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        kind = cleaned.get("kind")
        arrangement = kind == DecisionKind.ARRANGEMENT
        if arrangement and not cleaned.get("tier"):
            self.add_error(
                "tier", _("Kies het arrangement waar de leerling naartoe gaat.")
            )
        if kind and not arrangement and cleaned.get("tier"):
            self.add_error(
                "tier",
                _(
                    "Een arrangement hoort alleen bij 'ander arrangement'. Laat het "
                    "leeg, of kies dat besluit."
                ),
            )
        return cleaned


def meeting_choice(meeting: Meeting) -> str:
    return _("%(date)s, na de meting %(measurement)s") % {
        "date": day(meeting.held_on),
        "measurement": measurement_label(measurement_of(meeting)),
    }


class EvaluationForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Conclusie"),
        choices=Outcome.choices,
        widget=forms.RadioSelect,
    )
    evaluation_note = forms.CharField(
        label=_("Toelichting"),
        required=False,
        max_length=NOTE_LIMIT,
        widget=SHORT_TEXT,
        help_text=_("Wat verklaart de uitkomst, en wat neemt de school mee?"),
    )
    meeting = forms.ModelChoiceField(
        label=_("In welke bespreking"),
        queryset=Meeting.objects.none(),
        required=False,
        empty_label=_("buiten een bespreking"),
    )

    def __init__(
        self, *args: Any, meetings: QuerySet[Meeting] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = cast("forms.ModelChoiceField[Meeting]", self.fields["meeting"])
        if meetings is None or not meetings.exists():
            del self.fields["meeting"]
            return
        field.queryset = meetings
        field.label_from_instance = meeting_choice  # type: ignore[method-assign,assignment]
