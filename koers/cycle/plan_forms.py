"""The forms of the onderwijsplan pages: one page edits every subject, its three
arrangements and the school agreements of one version."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.forms import modelformset_factory
from django.utils.translation import gettext_lazy as _

from koers.cycle.forms import NOTE_LIMIT, limit_lengths
from koers.cycle.models import Arrangement, PlanSubject, SchoolAgreement, Tier
from koers.cycle.plan_services import (
    ARRANGEMENT_FIELDS,
    SUBJECT_FIELDS,
    AgreementEdit,
    PlanEdit,
    SubjectOffer,
)

MAX_MINUTES_PER_WEEK = 1500
INDEX_LOW, INDEX_HIGH = 1, 99
AGREEMENTS_PREFIX = "agreements"


def text_area(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "cols": 40})


def index_input(label: Any) -> forms.DecimalField:
    out_of_range = _("Een index ligt tussen 1 en 99.")
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=INDEX_LOW,
        max_value=INDEX_HIGH,
        max_digits=4,
        decimal_places=1,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": "4"}),
        error_messages={
            "invalid": _("Vul een getal in, zoals 25 of 62,5."),
            "min_value": out_of_range,
            "max_value": out_of_range,
            "max_digits": out_of_range,
            "max_whole_digits": out_of_range,
            "max_decimal_places": _("Hoogstens één cijfer achter de komma."),
        },
    )


class LimitedForm(forms.ModelForm[Any]):
    """Every text of the onderwijsplan may be long, but not unbounded."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_lengths(self.fields, long_fields=self.fields)


MINUTES_ERROR = _("Vul een heel aantal minuten in, van 0 tot 1.500.")


class PlanSubjectForm(LimitedForm):
    minutes_per_week = forms.IntegerField(
        label=_("Minuten per week"),
        required=False,
        min_value=0,
        max_value=MAX_MINUTES_PER_WEEK,
        widget=forms.NumberInput(attrs={"size": "5"}),
        help_text=_("De tijd op het rooster van een gewone groep (0 tot 1.500)."),
        error_messages={
            "invalid": MINUTES_ERROR,
            "min_value": MINUTES_ERROR,
            "max_value": MINUTES_ERROR,
        },
    )

    class Meta:
        model = PlanSubject
        fields = SUBJECT_FIELDS
        widgets = {
            "learning_line": text_area(4),
            "methods": text_area(2),
            "instruction_model": text_area(3),
        }
        help_texts = {
            "learning_line": _(
                "Welke leerlijn de school volgt en tot welk niveau (1F, 1S/2F), "
                "en de cruciale doelen per blok of thema."
            ),
            "methods": _("De methoden en materialen die elke groep gebruikt."),
            "instruction_model": _(
                "Hoe een les verloopt, bijvoorbeeld EDI of het directe "
                "instructiemodel, en wanneer leerlingen verlengde instructie krijgen."
            ),
        }


class ArrangementForm(LimitedForm):
    index_from = index_input(_("Vanaf index"))
    index_below = index_input(_("Tot index"))

    class Meta:
        model = Arrangement
        fields = ARRANGEMENT_FIELDS
        widgets = {
            "entry_criteria": text_area(3),
            "instruction": text_area(3),
            "time": text_area(2),
            "materials": text_area(2),
            "compacting_enriching": text_area(2),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The stored 25.0 is shown as the 25 that was typed.
        for name in ("index_from", "index_below"):
            value = self.initial.get(name)
            if isinstance(value, Decimal) and value == value.to_integral_value():
                self.initial[name] = value.quantize(Decimal(1))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        low: Decimal | None = cleaned.get("index_from")
        high: Decimal | None = cleaned.get("index_below")
        if low is not None and high is not None and low >= high:
            self.add_error(
                "index_below",
                _(
                    "'Tot index' moet hoger zijn dan 'vanaf index': de band loopt "
                    "van laag naar hoog."
                ),
            )
        return cleaned


class AgreementForm(LimitedForm):
    class Meta:
        model = SchoolAgreement
        fields = ("title", "text")
        widgets = {
            "title": forms.TextInput(attrs={"size": "60"}),
            "text": text_area(3),
        }
        labels = {"title": _("Afspraak"), "text": _("Uitwerking")}
        help_texts = {
            "title": _("Kort, bijvoorbeeld: 'Elke les begint met het lesdoel'."),
        }
        error_messages = {
            "title": {"required": _("Geef de afspraak een korte titel.")},
        }


AgreementFormSet = modelformset_factory(
    SchoolAgreement, form=AgreementForm, extra=1, can_delete=True
)


@dataclass(frozen=True, slots=True)
class SubjectForms:
    offer: SubjectOffer
    form: PlanSubjectForm
    arrangement_forms: tuple[ArrangementForm, ...]

    @property
    def has_errors(self) -> bool:
        return bool(self.form.errors) or any(f.errors for f in self.arrangement_forms)


class PlanEditForms:
    """Every form of the edit page of one version, bound to the posted data when
    there is any."""

    def __init__(
        self,
        offers: Sequence[SubjectOffer],
        agreements: QuerySet[SchoolAgreement],
        data: Mapping[str, Any] | None = None,
    ) -> None:
        self.subjects = [
            SubjectForms(
                offer,
                PlanSubjectForm(
                    data, instance=offer.subject, prefix=offer.subject.subject
                ),
                tuple(
                    ArrangementForm(
                        data,
                        instance=arrangement,
                        prefix=f"{offer.subject.subject}-{arrangement.tier}",
                    )
                    for arrangement in offer.arrangements
                ),
            )
            for offer in offers
        ]
        self.agreements = AgreementFormSet(
            data, queryset=agreements, prefix=AGREEMENTS_PREFIX
        )

    def is_valid(self) -> bool:
        valid = [self.agreements.is_valid()]
        for subject in self.subjects:
            valid.append(subject.form.is_valid())
            valid.extend(form.is_valid() for form in subject.arrangement_forms)
            valid.append(check_bands(subject.arrangement_forms))
        return all(valid)

    @property
    def subjects_with_errors(self) -> list[SubjectForms]:
        return [subject for subject in self.subjects if subject.has_errors]

    def edit(self) -> PlanEdit:
        """The changed values, for `save_plan`; only after `is_valid()`."""
        subjects = {
            subject.form.instance.pk: changed_values(subject.form)
            for subject in self.subjects
            if subject.form.has_changed()
        }
        arrangements = {
            form.instance.pk: changed_values(form)
            for subject in self.subjects
            for form in subject.arrangement_forms
            if form.has_changed()
        }
        return PlanEdit(subjects, arrangements, self.kept_agreements())

    def kept_agreements(self) -> list[AgreementEdit]:
        deleted = set(self.agreements.deleted_forms)
        kept = []
        for form in self.agreements.forms:
            pk = form.instance.pk
            if form in deleted or (pk is None and not form.has_changed()):
                continue
            kept.append(
                AgreementEdit(pk, form.cleaned_data["title"], form.cleaned_data["text"])
            )
        return kept


def check_bands(forms_of_subject: Sequence[ArrangementForm]) -> bool:
    """Refuse index bands of one subject that overlap: a pupil's index must point
    to one arrangement. A band without a lower bound starts at the lowest index,
    one without an upper bound runs past the highest. False when one overlaps."""
    bands: list[tuple[ArrangementForm, Decimal, Decimal]] = []
    for form in forms_of_subject:
        if form.errors:
            continue
        low, high = form.cleaned_data["index_from"], form.cleaned_data["index_below"]
        if low is None and high is None:
            continue
        start = Decimal(INDEX_LOW) if low is None else low
        end = Decimal(INDEX_HIGH + 1) if high is None else high
        for other, other_start, other_end in bands:
            if start < other_end and other_start < end:
                form.add_error(
                    "index_from",
                    _(
                        "Deze indexband overlapt met die van het arrangement "
                        "%(tier)s: een leerling hoort bij één arrangement."
                    )
                    % {"tier": Tier(other.instance.tier).label},
                )
                return False
        bands.append((form, start, end))
    return True


def changed_values(form: forms.ModelForm[Any]) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in form.changed_data}


def school_year_label(start_year: int) -> str:
    return f"{start_year}-{start_year + 1}"


class SchoolYearForm(forms.Form):
    school_year = forms.TypedChoiceField(label=_("Schooljaar"), coerce=int)

    def __init__(self, *args: Any, years: Sequence[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.TypedChoiceField, self.fields["school_year"])
        field.choices = [(year, school_year_label(year)) for year in years]


class NewVersionForm(SchoolYearForm):
    # The version the page showed as the newest: a second click on the button
    # then asks for a copy of the same version again, which is refused, instead
    # of silently copying the version the first click made.
    based_on = forms.IntegerField(widget=forms.HiddenInput, required=False)
    summary = forms.CharField(
        label=_("Wat verandert er en waarom"),
        max_length=NOTE_LIMIT,
        widget=text_area(4),
        help_text=_(
            "Bijvoorbeeld: 'Nieuw schooljaar' of 'De schoolbespreking van februari "
            "besloot meer tijd voor begrijpend lezen te geven'. Dit blijft bij de "
            "versie staan."
        ),
        error_messages={
            "required": _("Schrijf kort op wat er verandert en waarom."),
        },
    )
