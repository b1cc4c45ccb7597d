"""The onderwijsplan pages: the current version, older versions, editing, a new
version and the differences between two versions.

Every view looks the school up through `get_school_for_user` first and a version
only within that school, so another school's id answers 404.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
)

from koers.cycle import plan_diff as diff
from koers.cycle import plan_services as services
from koers.cycle.models import Arrangement, EducationPlan
from koers.cycle.plan_forms import NewVersionForm, PlanEditForms, SchoolYearForm
from koers.lib.values import school_year_of
from koers.schools.access import (
    get_school,
    requires,
)
from koers.schools.models import School, SchoolYear
from koers.schools.roles import Permission

logger = logging.getLogger(__name__)

FROM_PARAMETER = "van"
TO_PARAMETER = "naar"
NEXT_PARAMETER = "next"
ADD_AGREEMENT = "add-agreement"

# What the plan page shows per arrangement, in this order; the index band is
# shown with the entry criteria.
ARRANGEMENT_ROWS = (
    "entry_criteria",
    "instruction",
    "time",
    "materials",
    "compacting_enriching",
)


@dataclass(frozen=True, slots=True)
class ArrangementCell:
    text: str
    band: str = ""


@dataclass(frozen=True, slots=True)
class ArrangementRow:
    label: str
    cells: tuple[ArrangementCell, ...]


@requires(Permission.VIEW_PLAN)
@require_GET
def plan_page(request: HttpRequest, school_id: int) -> HttpResponse:
    school = get_school(request, school_id)

    plan = services.current_plan(school)
    if plan is None:
        form = SchoolYearForm(
            years=offered_years(school),
            initial={"school_year": school_year_of(timezone.localdate())},
        )
        context = {"school": school, "form": form, "standards": standard_labels()}
        return render(request, "cycle/plan_start.html", context)

    return render(request, "cycle/plan.html", plan_context(school, plan))


@requires(Permission.VIEW_PLAN)
@require_GET
def plan_version(request: HttpRequest, school_id: int, number: int) -> HttpResponse:
    school = get_school(request, school_id)

    plan = get_plan(school, number)

    return render(request, "cycle/plan.html", plan_context(school, plan))


@requires(Permission.EDIT_CYCLE)
@require_POST
def start_plan(request: HttpRequest, school_id: int) -> HttpResponse:
    school = get_school(request, school_id)

    form = SchoolYearForm(request.POST, years=offered_years(school))
    if not form.is_valid():
        messages.error(request, _("Kies een schooljaar uit de lijst."))
        return redirect("cycle:plan", school_id=school.pk)

    year = school_year(form.cleaned_data["school_year"])
    try:
        plan = services.start_plan(school, year, acting_user(request))
    except services.PlanError as error:
        messages.error(request, str(error))
        return redirect("cycle:plan", school_id=school.pk)

    messages.success(
        request,
        _(
            "Het onderwijsplan voor %(year)s is begonnen: alle vakken staan "
            "klaar om in te vullen."
        )
        % {"year": year.label},
    )
    return redirect("cycle:plan-edit", school_id=school.pk, number=plan.number)


@requires(Permission.EDIT_CYCLE)
@require_http_methods(["GET", "POST"])
def edit_plan(request: HttpRequest, school_id: int, number: int) -> HttpResponse:
    school = get_school(request, school_id)
    plan = get_plan(school, number)

    try:
        services.check_editable(plan)
        refusal = ""
    except services.PlanFrozenError as error:
        if request.method != "POST":
            messages.warning(request, str(error))
            return redirect("cycle:plan-version", school_id=school.pk, number=number)
        refusal = str(error)
        logger.info("frozen plan edit refused school=%s plan=%s", school.pk, plan.pk)

    data = request.POST if request.method == "POST" else None
    forms = PlanEditForms(services.plan_subjects(plan), plan.agreements.all(), data)
    problem = ""
    if data is not None and not refusal and forms.is_valid():
        try:
            services.save_plan(plan, forms.edit())
        except services.PlanFrozenError as error:
            refusal = str(error)
        except services.PlanError as error:
            problem = str(error)
        else:
            return saved(request, school, plan)

    context = {
        "school": school,
        "plan": plan,
        "forms": forms,
        "refusal": refusal,
        "problem": problem,
        "freeze_reason": services.freeze_reason(plan) if refusal else None,
    }
    return render(
        request, "cycle/plan_edit.html", context, status=409 if refusal else 200
    )


def saved(request: HttpRequest, school: School, plan: EducationPlan) -> HttpResponse:
    messages.success(
        request,
        _("Versie %(number)d van het onderwijsplan is opgeslagen.")
        % {"number": plan.number},
    )
    if request.POST.get(NEXT_PARAMETER) == ADD_AGREEMENT:
        url = reverse("cycle:plan-edit", args=[school.pk, plan.number])
        return redirect(f"{url}#afspraken")
    return redirect("cycle:plan", school_id=school.pk)


@requires(Permission.EDIT_CYCLE)
@require_http_methods(["GET", "POST"])
def new_plan_version(request: HttpRequest, school_id: int) -> HttpResponse:
    school = get_school(request, school_id)
    plan = services.current_plan(school)
    if plan is None:
        return redirect("cycle:plan", school_id=school.pk)

    form = NewVersionForm(
        request.POST or None,
        years=[y for y in offered_years(school) if y >= plan.school_year.start_year],
        initial={"school_year": default_year(school, plan), "based_on": plan.number},
    )
    if request.method == "POST" and form.is_valid():
        base = plan
        if form.cleaned_data["based_on"] is not None:
            base = get_plan(school, form.cleaned_data["based_on"])
        year = school_year(form.cleaned_data["school_year"])
        summary = form.cleaned_data["summary"]
        try:
            copy = services.new_version(base, year, summary, acting_user(request))
        except services.VersionExistsError as error:
            messages.warning(request, str(error))
            return redirect("cycle:plan", school_id=school.pk)
        except services.PlanError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _(
                    "Versie %(number)d is gemaakt als kopie van versie %(previous)d. "
                    "Pas hieronder aan wat verandert."
                )
                % {"number": copy.number, "previous": base.number},
            )
            return redirect("cycle:plan-edit", school_id=school.pk, number=copy.number)

    context = {"school": school, "plan": plan, "form": form}
    return render(request, "cycle/plan_new_version.html", context)


@requires(Permission.VIEW_PLAN)
@require_GET
def plan_diff(request: HttpRequest, school_id: int) -> HttpResponse:
    school = get_school(request, school_id)
    versions = list(
        EducationPlan.objects.filter(school=school)
        .select_related("school_year")
        .order_by("number")
    )

    newer = chosen_version(request, TO_PARAMETER, versions, versions[-1:])
    before_newer = [v for v in versions if newer and v.number == newer.number - 1]
    older = chosen_version(request, FROM_PARAMETER, versions, before_newer)

    context = {
        "school": school,
        "versions": versions,
        "older": older,
        "newer": newer,
        "differences": (diff.plan_differences(older, newer) if older and newer else []),
    }
    return render(request, "cycle/plan_diff.html", context)


def chosen_version(
    request: HttpRequest,
    parameter: str,
    versions: list[EducationPlan],
    default: list[EducationPlan],
) -> EducationPlan | None:
    """The version a query parameter names, or the first of `default` when it
    names none; a number the school has no version of answers 404."""
    text = request.GET.get(parameter, "").strip()
    if not text:
        return default[0] if default else None
    for version in versions:
        if text == str(version.number):
            return version
    raise Http404


def get_plan(school: School, number: int) -> EducationPlan:
    return get_object_or_404(
        EducationPlan.objects.select_related("school_year", "based_on", "created_by"),
        school=school,
        number=number,
    )


def plan_context(school: School, plan: EducationPlan) -> dict[str, Any]:
    versions = list(
        EducationPlan.objects.filter(school=school)
        .select_related("school_year", "created_by")
        .order_by("-number")
    )
    offers = services.plan_subjects(plan)
    return {
        "school": school,
        "plan": plan,
        "newest": versions[0],
        "versions": versions,
        "deviation_count": plan.deviations.count(),
        "agreements_in_plans": services.freeze_reason(plan)
        == services.FreezeReason.AGREEMENTS,
        "editable": services.freeze_reason(plan) is None,
        "standards": standard_labels(),
        "subjects": [(offer, arrangement_rows(offer)) for offer in offers],
        "agreements": plan.agreements.all(),
    }


def arrangement_rows(offer: services.SubjectOffer) -> list[ArrangementRow]:
    """The arrangements as a table with a row per aspect and a column per tier."""
    rows = []
    for name in ARRANGEMENT_ROWS:
        label = diff.field_label(Arrangement, name)
        cells = tuple(
            ArrangementCell(
                getattr(arrangement, name),
                index_band(arrangement) if name == "entry_criteria" else "",
            )
            for arrangement in offer.arrangements
        )
        rows.append(ArrangementRow(label, cells))
    return rows


def index_band(arrangement: Arrangement) -> str:
    """The index band in words: 'index 25 tot 75', 'index onder 25' or 'index 75
    en hoger'; empty when the arrangement names none."""
    low = diff.field_text(arrangement, "index_from")
    high = diff.field_text(arrangement, "index_below")
    if low and high:
        return _("index %(low)s tot %(high)s") % {"low": low, "high": high}
    if high:
        return _("index onder %(high)s") % {"high": high}
    if low:
        return _("index %(low)s en hoger") % {"low": low}
    return ""


def standard_labels() -> list[str]:
    return [str(standard.label) for standard in EducationPlan.standards]


def offered_years(school: School) -> list[int]:
    """The school years a version can be for: every year from the first one the
    school has groups or plans in up to next school year."""
    current = school_year_of(timezone.localdate())
    years = {*services.school_years_with_groups(school), current, current + 1}
    years.update(
        EducationPlan.objects.filter(school=school).values_list(
            "school_year__start_year", flat=True
        )
    )
    return list(range(min(years), max(years) + 1))


def default_year(school: School, plan: EducationPlan) -> int:
    """The newest school year the school has groups in (this school year when it
    has none yet), but never a year before the version the new one copies."""
    with_groups = services.school_years_with_groups(school)
    newest = with_groups[-1] if with_groups else school_year_of(timezone.localdate())
    return max(newest, plan.school_year.start_year)


def school_year(start_year: int) -> SchoolYear:
    year, _created = SchoolYear.objects.get_or_create(start_year=start_year)
    return year


def acting_user(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None
