"""The pages of the cycle: the calendar, a schoolbespreking with its pack and
minutes, and the 20-week records decided in it with their evaluation.

Every object is looked up within the user's schools; anything else answers 404.
A closed meeting keeps its pack and minutes as they were: only its actions can
still be ticked off.
"""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from koers.analysis import reports
from koers.analysis.report_views import attachment
from koers.analysis.services import SchoolResults
from koers.cycle import presenters, services
from koers.cycle.forms import (
    ActionForm,
    DecisionForm,
    DevelopmentPlanForm,
    DeviationForm,
    EvaluationForm,
    MeetingForm,
    MinutesForm,
    PupilDecisionForm,
    period_initial,
)
from koers.cycle.models import (
    Action,
    EducationPlan,
    GroupDeviation,
    Meeting,
    ProfessionalDevelopmentPlan,
    PupilDecision,
    TwentyWeekRecord,
)
from koers.cycle.pack import build_pack
from koers.lib.analysis.ambitions import AmbitionMetric, Population
from koers.lib.cycle.calendar import CycleStatus
from koers.lib.records import Subject
from koers.lib.values import school_year_of
from koers.schools.access import (
    declared,
    get_school,
    requires,
    schools_for,
)
from koers.schools.models import Pupil, School, SchoolYear
from koers.schools.roles import Permission

logger = logging.getLogger(__name__)

RECORD_MODELS: dict[str, type[TwentyWeekRecord]] = {
    "aanpak": ProfessionalDevelopmentPlan,
    "afwijking": GroupDeviation,
    "leerlingbesluit": PupilDecision,
}


def get_meeting_for_user(request: HttpRequest, meeting_id: int) -> Meeting:
    meeting = (
        Meeting.objects.select_related("school", "school_year")
        .filter(pk=meeting_id, school__in=schools_for(request.user, declared(request)))
        .first()
    )
    if meeting is None:
        raise Http404
    return meeting


def get_record_for_user(
    request: HttpRequest, model: type[TwentyWeekRecord], record_id: int
) -> TwentyWeekRecord:
    record: TwentyWeekRecord | None = (
        model._default_manager.select_related("school", "meeting", "evaluate_year")
        .filter(pk=record_id, school__in=schools_for(request.user, declared(request)))
        .first()
    )
    if record is None:
        raise Http404
    return record


def open_meeting(request: HttpRequest, meeting: Meeting) -> bool:
    """Whether the meeting still takes changes; if not, say so."""
    if meeting.closed_at is None:
        return True
    messages.error(request, _("Deze bespreking is vastgesteld en verandert niet meer."))
    return False


# --- calendar ----------------------------------------------------------------


@requires(Permission.VIEW_SCHOOL, post=Permission.EDIT_CYCLE)
def cycle_page(request: HttpRequest, school_id: int) -> HttpResponse:
    """The meetings, and every 20-week record with what it waits for."""
    school = get_school(request, school_id)

    today = timezone.localdate()
    records = [
        (record, services.status_of(record, today))
        for record in services.open_records(school)
    ]
    meetings = Meeting.objects.filter(school=school).select_related("school_year")

    context = {
        "school": school,
        "meetings": [
            (meeting, services.measurement_label(services.measurement_of(meeting)))
            for meeting in meetings
        ],
        "records": [
            {
                "record": record,
                "status": status,
                "status_label": presenters.status_label(status),
                "due": presenters.due_text(record),
            }
            for record, status in records
        ],
        "counts": {
            status: sum(1 for _, s in records if s == status)
            for status in (CycleStatus.OPEN, CycleStatus.DUE, CycleStatus.OVERDUE)
        },
        # Done actions of a meeting still open stay in view, so a wrong tick can
        # be undone where it was made.
        "actions": Action.objects.filter(
            Q(done_on__isnull=True) | Q(meeting__closed_at__isnull=True),
            meeting__school=school,
        ).order_by("due_on", "pk"),
        "today": today,
    }
    logger.info("cycle viewed school=%s", school.pk)
    return render(request, "cycle/cycle.html", context)


# --- meetings ------------------------------------------------------------------


@requires(Permission.EDIT_CYCLE)
def meeting_new(request: HttpRequest, school_id: int) -> HttpResponse:
    school = get_school(request, school_id)

    results = SchoolResults.load(school)
    measurements = services.measurements(results)
    today = timezone.localdate()
    initial = {"held_on": today}
    if measurements:
        latest = measurements[-1]
        initial["held_on"] = services.default_meeting_date(results, latest, today)
    form = MeetingForm(request.POST or None, measurements=measurements, initial=initial)
    if request.method == "POST" and form.is_valid():
        measurement = form.chosen_measurement()
        existing = services.open_meeting_after(school, measurement)
        if existing is not None:
            return _already_prepared(request, existing)
        meeting = _create_meeting(request, form, school, measurement)
        if meeting is None:
            return redirect("cycle:cycle", school_id=school.pk)
        return redirect("cycle:meeting", meeting_id=meeting.pk)

    context = {"school": school, "form": form, "measurements": measurements}
    return render(request, "cycle/meeting_new.html", context)


def _create_meeting(
    request: HttpRequest,
    form: MeetingForm,
    school: School,
    measurement: services.Measurement,
) -> Meeting | None:
    """Save the new meeting; None when another request just prepared one after
    the same measurement (the same button clicked twice at once)."""
    year, period = measurement
    meeting: Meeting = form.save(commit=False)
    meeting.school = school
    meeting.school_year, _created = SchoolYear.objects.get_or_create(start_year=year)
    meeting.after_period = period.value
    meeting.created_by = request.user  # type: ignore[assignment]
    try:
        with transaction.atomic():
            meeting.save()
    except IntegrityError:
        messages.warning(
            request, _("Deze schoolbespreking is net al voorbereid; zie hieronder.")
        )
        return None
    logger.info("meeting created school=%s meeting=%s", school.pk, meeting.pk)
    return meeting


def _already_prepared(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    messages.warning(
        request,
        _(
            "Na deze meting is al een schoolbespreking in voorbereiding (%(date)s). "
            "U ziet die hier; stel haar eerst vast voordat u een nieuwe maakt."
        )
        % {"date": date_format(meeting.held_on, "j F Y")},
    )
    logger.info("meeting exists already meeting=%s", meeting.pk)
    return redirect("cycle:meeting", meeting_id=meeting.pk)


def meeting_context(meeting: Meeting) -> dict[str, Any]:
    """Everything the meeting page and its PDF show."""
    pack = meeting.pack if meeting.pack is not None else build_pack(meeting)
    view = presenters.pack_view(meeting, pack)
    return {
        "school": meeting.school,
        "meeting": meeting,
        "pack": view,
        "closed": meeting.closed_at is not None,
        "evaluates": services.measurement_label(services.evaluation_moment(meeting)),
        "decisions": meeting.decisions.all(),
        "actions": meeting.actions.all(),
        "development_plans": ProfessionalDevelopmentPlan.objects.filter(
            meeting=meeting
        ),
        "deviations": GroupDeviation.objects.filter(meeting=meeting).select_related(
            "group"
        ),
        "pupil_decisions": PupilDecision.objects.filter(meeting=meeting).select_related(
            "pupil"
        ),
        "standards": [s.label for s in Meeting.standards],
        "deletable": deletable(meeting),
        "groups_year": presenters.year_label(school_year_of(meeting.held_on)),
    }


def deletable(meeting: Meeting) -> bool:
    """A meeting prepared by mistake can go while it is open and decides nothing."""
    made = any(
        model._default_manager.filter(meeting=meeting).exists()
        for model in RECORD_MODELS.values()
    )
    return meeting.closed_at is None and not made and not meeting.decisions.exists()


@requires(Permission.VIEW_SCHOOL, post=Permission.EDIT_CYCLE)
def meeting_page(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = get_meeting_for_user(request, meeting_id)

    context = {
        **meeting_context(meeting),
        "minutes_form": MinutesForm(instance=meeting),
        "decision_form": DecisionForm(),
        "action_form": ActionForm(),
    }
    logger.info("meeting viewed meeting=%s", meeting.pk)
    return render(request, "cycle/meeting.html", context)


@requires(Permission.EDIT_CYCLE)
@require_POST
def meeting_minutes(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = get_meeting_for_user(request, meeting_id)
    if not open_meeting(request, meeting):
        return redirect("cycle:meeting", meeting_id=meeting.pk)

    form = MinutesForm(request.POST, instance=meeting)
    if form.is_valid():
        form.save()
        messages.success(request, _("Het verslag is opgeslagen."))
        logger.info("meeting minutes saved meeting=%s", meeting.pk)
        return redirect("cycle:meeting", meeting_id=meeting.pk)
    context = {
        **meeting_context(meeting),
        "minutes_form": form,
        "decision_form": DecisionForm(),
        "action_form": ActionForm(),
    }
    return render(request, "cycle/meeting.html", context, status=400)


@requires(Permission.EDIT_CYCLE)
@require_POST
def meeting_decision(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = get_meeting_for_user(request, meeting_id)
    if not open_meeting(request, meeting):
        return redirect("cycle:meeting", meeting_id=meeting.pk)

    form = DecisionForm(request.POST)
    if form.is_valid():
        decision = form.save(commit=False)
        decision.meeting = meeting
        decision.save()
        logger.info("meeting decision added meeting=%s", meeting.pk)
        return redirect(f"{_meeting_url(meeting)}#besluiten")
    context = {
        **meeting_context(meeting),
        "minutes_form": MinutesForm(instance=meeting),
        "decision_form": form,
        "action_form": ActionForm(),
    }
    return render(request, "cycle/meeting.html", context, status=400)


@requires(Permission.EDIT_CYCLE)
@require_POST
def meeting_action(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = get_meeting_for_user(request, meeting_id)
    if not open_meeting(request, meeting):
        return redirect("cycle:meeting", meeting_id=meeting.pk)

    form = ActionForm(request.POST, anchor=meeting.held_on)
    if form.is_valid():
        action = form.save(commit=False)
        action.meeting = meeting
        action.save()
        logger.info("meeting action added meeting=%s", meeting.pk)
        return redirect(f"{_meeting_url(meeting)}#acties")
    context = {
        **meeting_context(meeting),
        "minutes_form": MinutesForm(instance=meeting),
        "decision_form": DecisionForm(),
        "action_form": form,
    }
    return render(request, "cycle/meeting.html", context, status=400)


@requires(Permission.EDIT_CYCLE)
@require_POST
def action_done(request: HttpRequest, action_id: int) -> HttpResponse:
    """Tick an action off (or on again); also after the meeting was closed."""
    action = (
        Action.objects.select_related("meeting")
        .filter(
            pk=action_id,
            meeting__school__in=schools_for(request.user, declared(request)),
        )
        .first()
    )
    if action is None:
        raise Http404

    action.done_on = None if action.done_on else timezone.localdate()
    action.save(update_fields=["done_on"])
    if action.done_on:
        messages.success(request, _("De actie is afgevinkt."))
    else:
        messages.success(request, _("De actie staat weer open."))
    logger.info("action toggled action=%s done=%s", action.pk, bool(action.done_on))
    # Only a page of this site: the field comes from the form, not from Koers.
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = f"{_meeting_url(action.meeting)}#acties"
    return redirect(target)


@requires(Permission.EDIT_CYCLE)
@require_POST
def meeting_close(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Fix the pack and the minutes as they are now."""
    meeting = get_meeting_for_user(request, meeting_id)
    if not open_meeting(request, meeting):
        return redirect("cycle:meeting", meeting_id=meeting.pk)

    meeting.pack = build_pack(meeting)
    meeting.closed_at = timezone.now()
    meeting.save(update_fields=["pack", "closed_at"])
    messages.success(request, _("De bespreking is vastgesteld."))
    logger.info("meeting closed meeting=%s", meeting.pk)
    return redirect("cycle:meeting", meeting_id=meeting.pk)


# --- 20-week records -----------------------------------------------------------------


@requires(Permission.EDIT_CYCLE)
def development_plan_new(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """A professionalisation plan for a missed school ambition (from the query)."""
    meeting = get_meeting_for_user(request, meeting_id)
    if not open_meeting(request, meeting):
        return redirect("cycle:meeting", meeting_id=meeting.pk)
    try:
        subject = Subject(request.GET.get("vak", ""))
        metric = AmbitionMetric(request.GET.get("maat", ""))
        population = Population(request.GET.get("populatie", ""))
    except ValueError:
        raise Http404 from None
    if not services.counted(metric, population):
        raise Http404
    existing = ProfessionalDevelopmentPlan.objects.filter(
        meeting=meeting,
        subject=subject.value,
        metric=metric.value,
        population=population.value,
    ).first()
    if existing is not None:
        return _recorded_already(
            request,
            existing,
            _("Voor deze ambitie is in deze bespreking al een aanpak vastgelegd."),
        )

    results = SchoolResults.load(meeting.school)
    measurement = services.measurement_of(meeting)
    start = services.school_value(results, measurement, subject, metric, population)
    target = results.targets_for(measurement[0]).get((subject, metric, population))
    if start.value is None or target is None:
        messages.error(
            request, _("Voor deze ambitie zijn er geen cijfers bij deze meting.")
        )
        return redirect("cycle:meeting", meeting_id=meeting.pk)

    plan = EducationPlan.objects.filter(school=meeting.school).first()
    agreements = list(plan.agreements.all()) if plan else []
    form = DevelopmentPlanForm(
        request.POST or None,
        agreements=agreements,
        initial=period_initial(meeting),
        anchor=meeting.held_on,
    )
    if request.method == "POST" and form.is_valid():
        record = form.save(commit=False)
        _fill_record(record, meeting, request)
        record.subject = subject.value
        record.metric = metric.value
        record.population = population.value
        record.gap_year = meeting.school_year
        record.gap_period = meeting.after_period
        record.target = Decimal(str(round(target, 2)))
        record.value_at_start = Decimal(str(round(start.value, 2)))
        record.n_at_start = start.n
        try:
            with transaction.atomic():
                record.save()
                form.save_m2m()
        except IntegrityError:
            return _twin_refused(request, meeting)
        logger.info(
            "development plan created plan=%s meeting=%s", record.pk, meeting.pk
        )
        return redirect("cycle:development-plan", record_id=record.pk)

    context = {
        "school": meeting.school,
        "meeting": meeting,
        "form": form,
        "gap": {
            "subject": presenters.subject_label(subject.value),
            "metric": presenters.metric_label(metric.value),
            "population": presenters.population_label(population.value),
            "target": target,
            "value": start.value,
            "n": start.n,
            "interval": presenters.interval(*(start.interval or (None, None))),
        },
        "evaluates": services.measurement_label(services.evaluation_moment(meeting)),
    }
    return render(request, "cycle/development_plan_new.html", context)


@requires(Permission.EDIT_CYCLE)
def deviation_new(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """What a group does differently from the onderwijsplan for 20 weeks."""
    meeting = get_meeting_for_user(request, meeting_id)
    if not open_meeting(request, meeting):
        return redirect("cycle:meeting", meeting_id=meeting.pk)
    group = (
        services.groups_of_meeting(meeting)
        .filter(pk=_int(request.GET.get("groep")))
        .first()
    )
    try:
        subject = Subject(request.GET.get("vak", ""))
    except ValueError:
        raise Http404 from None
    if group is None:
        raise Http404

    plan = EducationPlan.objects.filter(school=meeting.school).first()
    if plan is None:
        messages.error(
            request,
            _(
                "Een afwijking beschrijft wat anders gaat dan het onderwijsplan. "
                "Leg eerst het onderwijsplan vast."
            ),
        )
        return redirect("cycle:plan", school_id=meeting.school.pk)

    results = SchoolResults.load(meeting.school)
    measurement = services.measurement_of(meeting)
    figures = [
        s
        for s in services.group_verdicts(results, group, measurement)
        if s["subject"] == subject.value
    ]
    pupils = sorted(
        Pupil.objects.filter(enrolments__group=group).distinct(),
        key=lambda p: p.sort_name,
    )
    form = DeviationForm(
        request.POST or None,
        pupils=pupils,
        initial={**period_initial(meeting), "from_text": _plan_text(plan, subject)},
        anchor=meeting.held_on,
    )
    if request.method == "POST" and form.is_valid():
        record = form.save(commit=False)
        _fill_record(record, meeting, request)
        record.group = group
        record.subject = subject.value
        twin = services.same_deviation(meeting, record, form.cleaned_data["pupils"])
        if twin is not None:
            return _recorded_already(
                request,
                twin,
                _("Deze afwijking is in deze bespreking al precies zo vastgelegd."),
            )
        record.plan = plan
        record.figures = {
            "school_year": measurement[0],
            "period": measurement[1].value,
            "subjects": figures,
        }
        with transaction.atomic():
            record.save()
            form.save_m2m()
        logger.info("deviation created deviation=%s meeting=%s", record.pk, meeting.pk)
        return redirect("cycle:deviation", record_id=record.pk)

    context = {
        "school": meeting.school,
        "meeting": meeting,
        "group": group,
        "subject_label": presenters.subject_label(subject.value),
        "plan": plan,
        "figures": [
            (s["n"], presenters.verdicts(s["verdicts"]), s["mean_growth"])
            for s in figures
        ],
        "form": form,
        "evaluates": services.measurement_label(services.evaluation_moment(meeting)),
    }
    return render(request, "cycle/deviation_new.html", context)


@requires(Permission.EDIT_CYCLE)
def pupil_decision_new(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """A decision for a pupil with a signal at the meeting's measurement."""
    meeting = get_meeting_for_user(request, meeting_id)
    if not open_meeting(request, meeting):
        return redirect("cycle:meeting", meeting_id=meeting.pk)
    pupil = Pupil.objects.filter(
        school=meeting.school, pk=_int(request.GET.get("leerling"))
    ).first()
    try:
        subject = Subject(request.GET.get("vak", ""))
    except ValueError:
        raise Http404 from None
    if pupil is None:
        raise Http404
    existing = PupilDecision.objects.filter(
        meeting=meeting, pupil=pupil, subject=subject.value
    ).first()
    if existing is not None:
        return _recorded_already(
            request,
            existing,
            _(
                "Voor deze leerling en dit vak is in deze bespreking al een besluit "
                "vastgelegd. Pas dat besluit aan als er iets anders besloten is."
            ),
        )

    results = SchoolResults.load(meeting.school)
    flag = next(
        (
            f
            for f in services.flags_at(
                results, services.measurement_of(meeting), {pupil.pk}
            )
            if f.subject == subject
        ),
        None,
    )
    if flag is None:
        raise Http404

    form = PupilDecisionForm(
        request.POST or None, initial=period_initial(meeting), anchor=meeting.held_on
    )
    if request.method == "POST" and form.is_valid():
        record = form.save(commit=False)
        _fill_record(record, meeting, request)
        record.pupil = pupil
        record.subject = subject.value
        record.flag = services.flag_snapshot(flag)
        try:
            with transaction.atomic():
                record.save()
        except IntegrityError:
            return _twin_refused(request, meeting)
        logger.info(
            "pupil decision created decision=%s meeting=%s", record.pk, meeting.pk
        )
        return redirect(f"{_meeting_url(meeting)}#leerlingen")

    context = {
        "school": meeting.school,
        "meeting": meeting,
        "pupil": pupil,
        "subject_label": presenters.subject_label(subject.value),
        "flag": flag,
        "form": form,
        "evaluates": services.measurement_label(services.evaluation_moment(meeting)),
        "earlier": PupilDecision.objects.filter(pupil=pupil).order_by("-starts_on"),
    }
    return render(request, "cycle/pupil_decision_new.html", context)


def record_page(request: HttpRequest, kind: str, record_id: int) -> HttpResponse:
    """A 20-week record with its figures now and, once due, the evaluation form."""
    record = get_record_for_user(request, RECORD_MODELS[kind], record_id)
    status = services.status_of(record)

    form = EvaluationForm(
        request.POST or None, meetings=services.evaluation_meetings(record)
    )
    if request.method == "POST":
        if status == CycleStatus.EVALUATED or status == CycleStatus.OPEN:
            messages.error(request, _("Dit kan nu niet geëvalueerd worden."))
            return redirect(request.path)
        if form.is_valid():
            _evaluate(record, form, request)
            messages.success(request, _("De evaluatie is vastgelegd."))
            return redirect(request.path)

    evidence = record.evidence
    if evidence is None:
        evidence = services.evidence_for(record, SchoolResults.load(record.school))
    context = {
        "school": record.school,
        "record": record,
        "kind": kind,
        "status": status,
        "status_label": presenters.status_label(status),
        "due": presenters.due_text(record),
        "evidence": evidence,
        "suggestion": presenters.outcome_label(evidence.get("suggestion")),
        "form": form,
        "can_evaluate": status in (CycleStatus.DUE, CycleStatus.OVERDUE),
        "standards": [s.label for s in record.standards],
        "labels": _record_labels(record),
        "changeable": changeable(record),
    }
    logger.info("cycle record viewed kind=%s record=%s", kind, record.pk)
    return render(request, f"cycle/{kind}.html", context)


@requires(Permission.VIEW_SCHOOL, post=Permission.EDIT_CYCLE)
def development_plan_page(request: HttpRequest, record_id: int) -> HttpResponse:
    return record_page(request, "aanpak", record_id)


@requires(Permission.VIEW_SCHOOL, post=Permission.EDIT_CYCLE)
def deviation_page(request: HttpRequest, record_id: int) -> HttpResponse:
    return record_page(request, "afwijking", record_id)


@requires(Permission.VIEW_SCHOOL, post=Permission.EDIT_CYCLE)
def pupil_decision_page(request: HttpRequest, record_id: int) -> HttpResponse:
    return record_page(request, "leerlingbesluit", record_id)


def changeable(record: TwentyWeekRecord) -> bool:
    """A record can be corrected or removed until it is evaluated or the meeting
    that decided it is closed: after that the minutes show it as it was."""
    meeting = record.meeting
    return not record.evaluated and (meeting is None or meeting.closed_at is None)


def record_form(
    request: HttpRequest, record: TwentyWeekRecord
) -> DevelopmentPlanForm | DeviationForm | PupilDecisionForm:
    data = request.POST if request.method == "POST" else None
    anchor = record_anchor(record)
    if isinstance(record, ProfessionalDevelopmentPlan):
        plan = EducationPlan.objects.filter(school=record.school).first()
        agreements = list(plan.agreements.all()) if plan else []
        agreements += [a for a in record.agreements.all() if a not in agreements]
        return DevelopmentPlanForm(
            data, instance=record, agreements=agreements, anchor=anchor
        )
    if isinstance(record, GroupDeviation):
        pupils = sorted(
            Pupil.objects.filter(enrolments__group=record.group).distinct(),
            key=lambda p: p.sort_name,
        )
        return DeviationForm(data, instance=record, pupils=pupils, anchor=anchor)
    return PupilDecisionForm(data, instance=record, anchor=anchor)


def record_anchor(record: TwentyWeekRecord) -> date:
    """The day a record was decided on: its meeting's, else the day it was made."""
    if record.meeting is not None:
        return record.meeting.held_on
    return timezone.localdate(record.created_at)


def record_edit(request: HttpRequest, kind: str, record_id: int) -> HttpResponse:
    record = get_record_for_user(request, RECORD_MODELS[kind], record_id)
    if not changeable(record):
        messages.error(
            request, _("Dit is geëvalueerd of vastgesteld en verandert niet meer.")
        )
        return redirect(record.get_absolute_url())

    form = record_form(request, record)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("De wijziging is opgeslagen."))
        logger.info("cycle record edited kind=%s record=%s", kind, record.pk)
        return redirect(record.get_absolute_url())

    context = {"school": record.school, "record": record, "form": form, "kind": kind}
    return render(request, "cycle/record_edit.html", context)


@require_POST
def record_delete(request: HttpRequest, kind: str, record_id: int) -> HttpResponse:
    record = get_record_for_user(request, RECORD_MODELS[kind], record_id)
    if not changeable(record):
        messages.error(
            request, _("Dit is geëvalueerd of vastgesteld en verandert niet meer.")
        )
        return redirect(record.get_absolute_url())

    meeting = record.meeting
    record.delete()
    messages.success(request, _("Verwijderd."))
    logger.info("cycle record deleted kind=%s record=%s", kind, record_id)
    if meeting is not None:
        return redirect("cycle:meeting", meeting_id=meeting.pk)
    return redirect("cycle:cycle", school_id=record.school.pk)


@requires(Permission.EDIT_CYCLE)
@require_POST
def meeting_delete(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Remove a meeting prepared by mistake: only while open and still empty."""
    meeting = get_meeting_for_user(request, meeting_id)
    if not deletable(meeting):
        messages.error(
            request,
            _(
                "Alleen een bespreking die nog niet is vastgesteld en waarin nog "
                "niets is besloten, kan weg."
            ),
        )
        return redirect("cycle:meeting", meeting_id=meeting.pk)

    school = meeting.school
    meeting.delete()
    messages.success(request, _("De bespreking is verwijderd."))
    logger.info("meeting deleted meeting=%s", meeting_id)
    return redirect("cycle:cycle", school_id=school.pk)


# --- helpers -----------------------------------------------------------------------


def _fill_record(
    record: TwentyWeekRecord, meeting: Meeting, request: HttpRequest
) -> None:
    """The fields every 20-week record takes from the meeting that decided it."""
    year, period = services.evaluation_moment(meeting)
    record.school = meeting.school
    record.meeting = meeting
    record.evaluate_year, _created = SchoolYear.objects.get_or_create(start_year=year)
    record.evaluate_period = period.value
    record.created_by = request.user  # type: ignore[assignment]


def _evaluate(
    record: TwentyWeekRecord, form: EvaluationForm, request: HttpRequest
) -> None:
    """Store the conclusion with the figures it was drawn from."""
    meeting = form.cleaned_data.get("meeting")
    record.evidence = services.evidence_for(record, SchoolResults.load(record.school))
    record.outcome = form.cleaned_data["outcome"]
    record.evaluation_note = form.cleaned_data["evaluation_note"]
    record.evaluated_on = timezone.localdate()
    record.evaluated_in = meeting
    record.save()
    logger.info(
        "cycle record evaluated kind=%s record=%s outcome=%s",
        type(record).__name__,
        record.pk,
        record.outcome,
    )


def _record_labels(record: TwentyWeekRecord) -> dict[str, str]:
    labels = {}
    if isinstance(record, ProfessionalDevelopmentPlan | GroupDeviation | PupilDecision):
        labels["subject"] = presenters.subject_label(record.subject)
    if isinstance(record, ProfessionalDevelopmentPlan):
        labels["metric"] = presenters.metric_label(record.metric)
        labels["population"] = presenters.population_label(record.population)
    return labels


def _plan_text(plan: EducationPlan, subject: Subject) -> str:
    """What the plan says for the subject, as the starting text of a deviation."""
    item = plan.subjects.filter(subject=subject.value).first()
    if item is None:
        return ""
    parts = [
        item.instruction_model,
        _("%(minutes)s minuten per week") % {"minutes": item.minutes_per_week}
        if item.minutes_per_week
        else "",
    ]
    return "; ".join(part for part in parts if part)


def _recorded_already(
    request: HttpRequest, record: TwentyWeekRecord, text: str
) -> HttpResponse:
    """Show the record that exists instead of making a second one."""
    messages.warning(request, text)
    logger.info(
        "cycle record exists already kind=%s record=%s",
        type(record).__name__,
        record.pk,
    )
    return redirect(record.get_absolute_url())


def _twin_refused(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    """The same form arrived twice at once and the database let the first in."""
    messages.warning(
        request, _("Dit is net al vastgelegd; u ziet het in de bespreking.")
    )
    return redirect("cycle:meeting", meeting_id=meeting.pk)


def _meeting_url(meeting: Meeting) -> str:
    return reverse("cycle:meeting", kwargs={"meeting_id": meeting.pk})


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return 0


@requires(Permission.VIEW_SCHOOL)
def meeting_pdf(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The pack and the minutes as one A4 document."""
    meeting = get_meeting_for_user(request, meeting_id)

    pdf = reports.render_pdf("cycle/report/meeting.html", meeting_context(meeting))
    name = f"schoolbespreking_{meeting.school.brin}_{meeting.held_on:%Y-%m-%d}.pdf"
    logger.info("meeting pdf printed meeting=%s", meeting.pk)
    return attachment(pdf, name)


@requires(Permission.EDIT_CYCLE)
def record_edit_page(request: HttpRequest, kind: str, record_id: int) -> HttpResponse:
    return record_edit(request, kind, record_id)


@requires(Permission.EDIT_CYCLE)
def record_delete_page(request: HttpRequest, kind: str, record_id: int) -> HttpResponse:
    return record_delete(request, kind, record_id)
