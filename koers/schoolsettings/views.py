"""Settings a school manages itself: ambitions, flag rules, norm tables and the
schoolweging. Every view looks the school up through `get_school_for_user` first,
so another school's id answers 404 for GET and POST alike."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
)

from koers.analysis import services as analysis
from koers.lib.ambitions_file import AmbitionFileError, parse_ambition_file
from koers.lib.analysis.flags import default_rules
from koers.lib.analysis.norms import NormTableError
from koers.lib.values import ValueFormatError, parse_school_year, school_year_of
from koers.results.norms import load_norm_table
from koers.schools.access import (
    get_school,
    requires,
)
from koers.schools.models import School, SchoolWeighting
from koers.schools.roles import Permission
from koers.schoolsettings import presenters, services
from koers.schoolsettings.forms import (
    AmbitionFileForm,
    AmbitionsForm,
    FlagRulesForm,
    NormTableForm,
    WeightingForm,
)
from koers.schoolsettings.rules import RULE_EXPLANATIONS
from koers.schoolsettings.suggestion import suggested_profile

logger = logging.getLogger(__name__)

YEAR_PARAMETER = "jaar"
ALL_YEARS = "alle"
SUGGESTION_PARAMETER = "voorstel"


@requires(Permission.SETTINGS)
@require_GET
def index(request: HttpRequest, school_id: int) -> HttpResponse:
    school = get_school(request, school_id)

    return render(request, "schoolsettings/index.html", {"school": school})


@requires(Permission.SETTINGS)
@require_GET
def ambitions_page(request: HttpRequest, school_id: int) -> HttpResponse:
    school = get_school(request, school_id)

    ambitions = school.ambitions.select_related("school_year").order_by(
        "subject", "metric", "population"
    )
    context = {
        "school": school,
        "scopes": presenters.ambition_scopes(ambitions),
        "years": [
            (year, presenters.year_label(year)) for year in offered_years(school)
        ],
    }
    return render(request, "schoolsettings/ambitions.html", context)


@requires(Permission.SETTINGS)
@require_http_methods(["GET", "POST"])
def edit_ambitions(request: HttpRequest, school_id: int) -> HttpResponse:
    school = get_school(request, school_id)
    year = year_scope(request)
    weighting = services.weighting_for(school, year)
    profile = suggested_profile(
        weighting.value if weighting else None,
        weighting.signal_value_1s2f if weighting else None,
    )

    if request.method == "POST":
        form = AmbitionsForm(request.POST)
        if form.is_valid():
            changes = services.save_targets(school, year, form.chosen_targets())
            messages.success(
                request,
                _(
                    "Ambities voor %(scope)s opgeslagen: %(created)d nieuw, "
                    "%(updated)d gewijzigd, %(deleted)d verwijderd."
                )
                % {
                    "scope": presenters.year_label(year),
                    "created": changes.created,
                    "updated": changes.updated,
                    "deleted": changes.deleted,
                },
            )
            return redirect("schoolsettings:ambitions", school_id=school.pk)
    else:
        initial = AmbitionsForm.initial_for(services.current_targets(school, year))
        if request.GET.get(SUGGESTION_PARAMETER):
            initial.update(
                AmbitionsForm.initial_for(presenters.suggested_values(profile))
            )
        form = AmbitionsForm(initial=initial)

    context = {
        "school": school,
        "year": year,
        "year_text": str(year) if year is not None else ALL_YEARS,
        "scope": presenters.year_label(year),
        "form": form,
        "sections": presenters.form_sections(form),
        "end_fields": presenters.end_fields(form),
        "weighting": weighting,
        "profile": profile,
        "suggestion_rows": presenters.suggestion_rows(profile),
        "suggestion_taken": bool(request.GET.get(SUGGESTION_PARAMETER)),
    }
    return render(request, "schoolsettings/ambitions_edit.html", context)


def year_scope(request: HttpRequest) -> int | None:
    """The school year the ambitions form edits; None for every year. An address
    with a year that cannot be one answers 404 rather than edit another scope."""
    text = request.GET.get(YEAR_PARAMETER, "").strip()
    if text in ("", ALL_YEARS):
        return None
    try:
        year = parse_school_year(text)
    except ValueFormatError:
        year = None
    if year is None or not 2000 <= year <= 2100:
        raise Http404
    return year


def offered_years(school: School) -> list[int | None]:
    current = school_year_of(timezone.localdate())
    years = {*services.ambition_years(school), current, current + 1}
    return [None, *sorted(years)]


@requires(Permission.SETTINGS)
@require_http_methods(["GET", "POST"])
def ambitions_file(request: HttpRequest, school_id: int) -> HttpResponse:
    school = get_school(request, school_id)

    form = AmbitionFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            loaded = parse_ambition_file(upload.name or "", upload.read())
            ambitions, rules = analysis.replace_ambitions(school, loaded)
        except (AmbitionFileError, ValueError) as error:
            form.add_error("file", refusal(upload.name or "", str(error)))
            logger.info("ambitions file refused school=%s", school.pk)
        else:
            messages.success(request, file_loaded_message(ambitions, rules))
            return redirect("schoolsettings:ambitions", school_id=school.pk)

    context = {"school": school, "form": form}
    return render(request, "schoolsettings/ambitions_file.html", context)


def refusal(file_name: str, reason: str) -> str:
    return _("%(file)s is geweigerd: %(reason)s. Er is niets veranderd.") % {
        "file": file_name,
        "reason": reason.rstrip("."),
    }


def file_loaded_message(ambitions: int, rules: int | None) -> str:
    if rules is None:
        return _(
            "%(n)d ambities geladen; de signaleringsregels zijn niet veranderd."
        ) % {"n": ambitions}
    return _(
        "%(n)d ambities geladen; de signaleringsregels komen nu uit het bestand "
        "(%(rules)d met een eigen instelling)."
    ) % {"n": ambitions, "rules": rules}


@requires(Permission.SETTINGS)
@require_http_methods(["GET", "POST"])
def flag_rules_page(request: HttpRequest, school_id: int) -> HttpResponse:
    school = get_school(request, school_id)
    defaults = default_rules()

    form = FlagRulesForm(
        request.POST or None, defaults=defaults, current=analysis.rules_for(school)
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.save_rule_settings(school, form.chosen())
        except ValueError as error:
            form.add_error(
                None, _("%(reason)s Er is niets opgeslagen.") % {"reason": error}
            )
        else:
            messages.success(
                request,
                _("Signaleringsregels opgeslagen; %(n)d wijken af van de standaard.")
                % {"n": changed},
            )
            return redirect("schoolsettings:flag-rules", school_id=school.pk)

    rules = [
        {
            "rule": rule,
            "explanation": RULE_EXPLANATIONS.get(rule.name, ""),
            "fields": form.fields_of(rule),
        }
        for rule in defaults
    ]
    context = {"school": school, "form": form, "rules": rules}
    return render(request, "schoolsettings/flag_rules.html", context)


@requires(Permission.SETTINGS)
@require_http_methods(["GET", "POST"])
def norms_page(request: HttpRequest, school_id: int) -> HttpResponse:
    school = get_school(request, school_id)
    # A norm table holds for every school of this installation and reindexes all
    # their results: the one school of a single-school installation loads its
    # own; with more schools only the administrator does, the schools see
    # coverage.
    may_load = request.user.is_superuser or School.objects.count() == 1
    if request.method == "POST" and not may_load:
        raise PermissionDenied

    form = NormTableForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            loaded = load_norm_table(upload.read())
        except NormTableError as error:
            form.add_error("file", refusal(upload.name or "", error.describe()))
            logger.info("norm table refused school=%s", school.pk)
        else:
            messages.success(
                request,
                _(
                    "%(rows)d normregels geladen; de index van %(changed)d "
                    "resultaten is opnieuw berekend."
                )
                % {"rows": loaded.rows, "changed": loaded.reindexed},
            )
            for line in loaded.replaced:
                messages.warning(request, line)
            logger.info("norm table loaded from settings school=%s", school.pk)
            return redirect("schoolsettings:norms", school_id=school.pk)

    context = {
        "school": school,
        "form": form,
        "may_load": may_load,
        "loaded": services.loaded_norms(),
        "coverage": services.instrument_coverage(school),
    }
    return render(request, "schoolsettings/norms.html", context)


@requires(Permission.SETTINGS)
@require_http_methods(["GET", "POST"])
def weightings_page(request: HttpRequest, school_id: int) -> HttpResponse:
    school = get_school(request, school_id)
    weightings = SchoolWeighting.objects.filter(school=school).select_related(
        "school_year"
    )

    if request.method == "POST":
        form = WeightingForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            services.save_weighting(
                school, data["school_year"], data["value"], data["signal_value_1s2f"]
            )
            messages.success(
                request,
                _("Schoolweging van %(year)s opgeslagen.")
                % {"year": presenters.year_label(data["school_year"])},
            )
            return redirect("schoolsettings:weightings", school_id=school.pk)
    else:
        form = WeightingForm(initial=weighting_initial(request, weightings))

    context = {
        "school": school,
        "form": form,
        "rows": presenters.weighting_rows(
            weightings.order_by("school_year__start_year")
        ),
        "report": analysis.outcomes_for(school),
    }
    return render(request, "schoolsettings/weightings.html", context)


def weighting_initial(
    request: HttpRequest, weightings: QuerySet[SchoolWeighting]
) -> dict[str, object]:
    """The stored values of the year asked for (a link 'aanpassen'), else the
    current school year."""
    asked = request.GET.get(YEAR_PARAMETER, "")
    for weighting in weightings:
        if asked == str(weighting.school_year.start_year):
            return {
                "school_year": weighting.school_year.label,
                "value": weighting.value,
                "signal_value_1s2f": weighting.signal_value_1s2f,
            }
    return {"school_year": presenters.year_label(school_year_of(timezone.localdate()))}


@requires(Permission.SETTINGS)
@require_POST
def delete_weighting(
    request: HttpRequest, school_id: int, start_year: int
) -> HttpResponse:
    school = get_school(request, school_id)

    if services.delete_weighting(school, start_year):
        messages.success(
            request,
            _("Schoolweging van %(year)s verwijderd.")
            % {"year": presenters.year_label(start_year)},
        )
    return redirect("schoolsettings:weightings", school_id=school.pk)
