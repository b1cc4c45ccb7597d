"""The forms of the settings pages, with Dutch labels, help and errors."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from koers.analysis.models import PopulationChoice
from koers.lib.analysis.flags import FlagRule
from koers.lib.analysis.levels import SUBJECT_DOMAIN
from koers.lib.values import ValueFormatError, parse_school_year
from koers.results.models import SubjectChoice
from koers.schoolsettings.rules import PARAMETER_RANGES, ParameterRange, StrOrLazy
from koers.schoolsettings.services import END_POPULATION, AmbitionKey, rule_values
from koers.schoolsettings.suggestion import SUGGESTED_SUBJECTS

# An ambitions file or a norm table is a few kilobytes of text.
MAX_SETTINGS_FILE_BYTES = 1024**2
INDEX_METRICS = ("p80", "p20")
COURSE_METRICS = ("pct_1f", "pct_1s2f")
END_METRICS = ("end_pct_1f", "end_pct_1s2f")
METRIC_LABELS: dict[str, StrOrLazy] = {
    "p80": "p80",
    "p20": "p20",
    "pct_1f": _("% op koers 1F"),
    "pct_1s2f": _("% op koers 1S/2F"),
    "end_pct_1f": _("schoolverlaters % 1F"),
    "end_pct_1s2f": _("schoolverlaters % 1S/2F"),
}
FORM_POPULATIONS = ("school_3_8", "school_6_8", "group")


@dataclass(frozen=True, slots=True)
class TargetField:
    name: str
    key: AmbitionKey
    label: StrOrLazy


def target_fields() -> list[TargetField]:
    """Every target the ambitions form edits: p80 and p20 for each subject, % on
    course for the subjects with a reference level, per population; then the two
    end-of-school targets."""
    fields = []
    for population in FORM_POPULATIONS:
        for subject in SUGGESTED_SUBJECTS:
            metrics: tuple[str, ...] = INDEX_METRICS
            if subject in SUBJECT_DOMAIN:
                metrics += COURSE_METRICS
            for metric in metrics:
                fields.append(
                    TargetField(
                        name=f"{population}-{subject.value}-{metric}",
                        key=(subject.value, metric, population),
                        label=format_lazy(
                            "{} · {} · {}",
                            SubjectChoice(subject.value).label,
                            METRIC_LABELS[metric],
                            PopulationChoice(population).label,
                        ),
                    )
                )
    for metric in END_METRICS:
        fields.append(
            TargetField(
                f"end-{metric}", ("", metric, END_POPULATION), METRIC_LABELS[metric]
            )
        )
    return fields


def target_input(metric: str, label: StrOrLazy) -> forms.DecimalField:
    if metric in INDEX_METRICS:
        low, high = 1, 99
        out_of_range = _("Een indexdoel ligt tussen 1 en 99.")
    else:
        low, high = 0, 100
        out_of_range = _("Een percentage ligt tussen 0 en 100.")
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=low,
        max_value=high,
        max_digits=5,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": "5"}),
        error_messages={
            "invalid": _("Vul een getal in, zoals 25 of 62,5."),
            "min_value": out_of_range,
            "max_value": out_of_range,
            "max_digits": out_of_range,
            "max_whole_digits": out_of_range,
            "max_decimal_places": _("Hoogstens twee cijfers achter de komma."),
        },
    )


class AmbitionsForm(forms.Form):
    """All targets of one scope (a school year, or every year); empty = no target."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.targets = target_fields()
        for target in self.targets:
            self.fields[target.name] = target_input(target.key[1], target.label)

    def clean(self) -> dict[str, Any]:
        """p80 is the index 80% of the pupils reach and p20 the one the strongest
        20% reach: a p80 target above the p20 target asks the impossible."""
        cleaned = super().clean() or {}
        for target in self.targets:
            subject, metric, population = target.key
            if metric != "p80":
                continue
            p20_name = f"{population}-{subject}-p20"
            low, high = cleaned.get(target.name), cleaned.get(p20_name)
            if low is not None and high is not None and low > high:
                self.add_error(
                    target.name,
                    _(
                        "Het doel voor p80 (de index die 80% van de leerlingen "
                        "haalt) kan niet hoger zijn dan het doel voor p20."
                    ),
                )
        return cleaned

    def chosen_targets(self) -> dict[AmbitionKey, Decimal | None]:
        return {t.key: self.cleaned_data.get(t.name) for t in self.targets}

    @classmethod
    def initial_for(cls, targets: dict[AmbitionKey, Decimal]) -> dict[str, Decimal]:
        return {t.name: targets[t.key] for t in target_fields() if t.key in targets}


def checked_upload(upload: UploadedFile[bytes] | None) -> UploadedFile[bytes]:
    if upload is None:
        raise forms.ValidationError(_("Kies een bestand."))
    if (upload.size or 0) > MAX_SETTINGS_FILE_BYTES:
        raise forms.ValidationError(
            _(
                "Het bestand is groter dan %(limit)s; dit is vast niet het goede "
                "bestand. Er is niets veranderd."
            ),
            params={"limit": filesizeformat(MAX_SETTINGS_FILE_BYTES)},
        )
    return upload


class SettingsFileForm(forms.Form):
    """One uploaded file, checked for size before anything reads it."""

    file: forms.FileField

    def clean_file(self) -> UploadedFile[bytes]:
        return checked_upload(self.cleaned_data.get("file"))


class AmbitionFileForm(SettingsFileForm):
    file = forms.FileField(
        label=_("Ambitiebestand (TOML of CSV)"),
        help_text=_(
            "Hetzelfde bestand als voor 'koers ambitions load'. Het vervangt alle "
            "ambities van de school, van alle schooljaren; een TOML-bestand zet ook "
            "de signaleringsregels, en zonder [flag_rules] terug op de standaard."
        ),
    )


class NormTableForm(SettingsFileForm):
    file = forms.FileField(
        label=_("Normtabel (CSV)"),
        help_text=_(
            "Kolommen instrument, generation, norm_version, moment, population, "
            "national_mean, national_sd en eventueel sem en source; ';' of ',' "
            "als scheidingsteken, decimale komma of punt."
        ),
    )


def shown_number(value: object) -> str:
    if isinstance(value, bool):
        return str(_("aan")) if value else str(_("uit"))
    return number_format(Decimal(str(value)).normalize(), use_l10n=True)


def parameter_input(
    spec: ParameterRange, default: object
) -> forms.DecimalField | forms.IntegerField:
    range_error = _("Kies een waarde van %(low)s tot en met %(high)s.") % {
        "low": shown_number(spec.minimum),
        "high": shown_number(spec.maximum),
    }
    help_text = _("%(help)s Standaard: %(default)s.") % {
        "help": spec.help_text,
        "default": shown_number(default),
    }
    messages: dict[str, StrOrLazy] = {
        "invalid": _("Vul een getal in."),
        "min_value": range_error,
        "max_value": range_error,
    }
    if spec.whole:
        return forms.IntegerField(
            label=spec.label,
            help_text=help_text,
            min_value=int(spec.minimum),
            max_value=int(spec.maximum),
            error_messages={**messages, "invalid": _("Vul een geheel getal in.")},
        )
    return forms.DecimalField(
        label=spec.label,
        help_text=help_text,
        min_value=spec.minimum,
        max_value=spec.maximum,
        max_digits=6,
        decimal_places=3,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": "6"}),
        error_messages={
            **messages,
            "max_digits": range_error,
            "max_whole_digits": range_error,
            "max_decimal_places": _("Hoogstens drie cijfers achter de komma."),
        },
    )


class FlagRulesForm(forms.Form):
    """Per rule: on or off, and its thresholds; initial values are the school's."""

    def __init__(
        self,
        *args: Any,
        defaults: list[FlagRule],
        current: list[FlagRule],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.rules = defaults
        current_values = {rule.name: rule_values(rule) for rule in current}
        for rule in defaults:
            values = current_values[rule.name]
            for name, default in rule_values(rule).items():
                field_name = f"{rule.name}-{name}"
                if name == "enabled":
                    self.fields[field_name] = forms.BooleanField(
                        label=_("Regel staat aan"),
                        required=False,
                        help_text=_("Standaard: %(default)s.")
                        % {"default": shown_number(default)},
                    )
                else:
                    self.fields[field_name] = parameter_input(
                        PARAMETER_RANGES[(rule.name, name)], default
                    )
                self.initial.setdefault(field_name, values[name])

    def chosen(self) -> dict[str, dict[str, Any]]:
        """The values per rule, as the rules take them (float, int or bool)."""
        chosen: dict[str, dict[str, Any]] = {}
        for rule in self.rules:
            values: dict[str, Any] = {}
            for name in rule_values(rule):
                value = self.cleaned_data[f"{rule.name}-{name}"]
                values[name] = float(value) if isinstance(value, Decimal) else value
            chosen[rule.name] = values
        return chosen

    def fields_of(self, rule: FlagRule) -> list[forms.BoundField]:
        return [self[f"{rule.name}-{name}"] for name in rule_values(rule)]


class WeightingForm(forms.Form):
    school_year = forms.CharField(
        label=_("Schooljaar"),
        max_length=20,
        help_text=_("Bijvoorbeeld 2025-2026."),
    )
    value = forms.DecimalField(
        label=_("Schoolweging"),
        min_value=20,
        max_value=40,
        max_digits=5,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": "6"}),
        help_text=_(
            "De schoolweging van het CBS voor dit schooljaar, tussen 20 en 40; u "
            "vindt hem in het Inspectie-overzicht van de school."
        ),
        error_messages={
            "invalid": _("Vul een getal in, zoals 30,61."),
            "min_value": _("De schoolweging ligt tussen 20 en 40."),
            "max_value": _("De schoolweging ligt tussen 20 en 40."),
            "max_digits": _("De schoolweging ligt tussen 20 en 40."),
            "max_whole_digits": _("De schoolweging ligt tussen 20 en 40."),
            "max_decimal_places": _("Hoogstens twee cijfers achter de komma."),
        },
    )
    signal_value_1s2f = forms.DecimalField(
        label=_("Eigen signaleringswaarde 1S/2F (%)"),
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": "6"}),
        help_text=_(
            "Alleen invullen als Koers voor uw schoolwegingscategorie geen waarde "
            "kent, of als het Inspectie-overzicht van de school een andere noemt. "
            "Een eigen waarde gaat altijd voor de tabel van Koers."
        ),
        error_messages={
            "invalid": _("Vul een getal in, zoals 45,5."),
            "min_value": _("Een percentage ligt tussen 0 en 100."),
            "max_value": _("Een percentage ligt tussen 0 en 100."),
            "max_digits": _("Een percentage ligt tussen 0 en 100."),
            "max_whole_digits": _("Een percentage ligt tussen 0 en 100."),
            "max_decimal_places": _("Hoogstens twee cijfers achter de komma."),
        },
    )

    def clean_school_year(self) -> int:
        text = self.cleaned_data["school_year"]
        try:
            year = parse_school_year(text)
        except ValueFormatError:
            year = None
        if year is None or not 2000 <= year <= 2100:
            raise forms.ValidationError(
                _("'%(text)s' is geen schooljaar; schrijf het als 2025-2026."),
                params={"text": text},
            )
        return year
