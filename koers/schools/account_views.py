"""The account pages of an applicatiebeheerder: who has which role at the
school, with second factor and last login, and the changes an administrator
makes (security.md AUTH-5, AUTH-7).

Every page looks the school up with the permission ACCOUNTS first, and an
account only through its role at that school: an account of another school
answers 404, so the page does not even confirm it exists. An administrator
never changes their own account here, so that nobody locks themselves out or
grants themselves a role.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
)

from koers.schools import accounts
from koers.schools.access import get_school, requires
from koers.schools.account_forms import TYPED, NewAccountForm, RoleForm
from koers.schools.models import Role, School, SchoolMembership
from koers.schools.roles import Permission

logger = logging.getLogger(__name__)


def note(request: HttpRequest, action: str, school: School, account: User) -> None:
    logger.info(
        "account %s school=%s user=%s by=%s",
        action,
        school.pk,
        account.pk,
        request.user.pk,
    )


def get_account(school: School, user_id: int) -> User:
    """An account with a role at the school; any other id answers 404."""
    account = User.objects.filter(pk=user_id, school_memberships__school=school).first()
    if account is None:
        raise Http404
    return account


@requires(Permission.ACCOUNTS)
@require_GET
def account_list(request: HttpRequest, school_id: int) -> HttpResponse:
    school = get_school(request, school_id)

    summaries = accounts.school_accounts(school, timezone.now())

    context = {
        "school": school,
        "accounts": summaries,
        "without_factor": sum(not s.second_factor for s in summaries),
        "dormant": sum(s.dormant and s.user.is_active for s in summaries),
        "dormant_days": accounts.DORMANT_AFTER.days,
    }
    return render(request, "schools/accounts.html", context)


@requires(Permission.ACCOUNTS)
@require_http_methods(["GET", "POST"])
def add_account(request: HttpRequest, school_id: int) -> HttpResponse:
    school = get_school(request, school_id)

    form = NewAccountForm(request.POST or None, school=school)
    if request.method != "POST" or not form.is_valid():
        context = {"school": school, "form": form}
        return render(request, "schools/accounts_add.html", context)

    data = form.cleaned_data
    typed = data["password_choice"] == TYPED
    password = data["password"] if typed else accounts.generate_password()
    grant = accounts.Grant(school, Role(data["role"]), data["teacher"])
    account = accounts.create_account(data["username"], data["email"], password, grant)
    note(request, "added", school, account)

    # The one time a generated password is shown: nothing may keep the page.
    context = {
        "school": school,
        "account": account,
        "password": None if typed else password,
    }
    response = render(request, "schools/accounts_created.html", context)
    add_never_cache_headers(response)
    return response


@requires(Permission.ACCOUNTS)
@require_GET
def account_detail(request: HttpRequest, school_id: int, user_id: int) -> HttpResponse:
    school = get_school(request, school_id)
    account = get_account(school, user_id)

    form = RoleForm(school=school, user=account)
    return render_detail(request, school, account, form)


def render_detail(
    request: HttpRequest,
    school: School,
    account: User,
    form: RoleForm,
    status: int = 200,
) -> HttpResponse:
    (summary,) = accounts.school_accounts(school, timezone.now(), only=account)
    context = {
        "school": school,
        "account": account,
        "summary": summary,
        "form": form,
        "is_self": account.pk == request.user.pk,
        "beyond": accounts.beyond_manager(account, request.user),
        "dormant_days": accounts.DORMANT_AFTER.days,
    }
    return render(request, "schools/accounts_detail.html", context, status=status)


def refusal(
    request: HttpRequest, school: School, account: User, *, reach: bool = False
) -> HttpResponse | None:
    """The page that refuses a change to one's own account, or (with `reach`) to
    an account with access the administrator does not manage; None when the
    change may go ahead."""
    if account.pk == request.user.pk:
        messages.error(
            request,
            _(
                "Uw eigen account wijzigt u hier niet, zodat u zich niet "
                "buitensluit. Vraag een andere applicatiebeheerder."
            ),
        )
    elif reach and accounts.beyond_manager(account, request.user):
        messages.error(
            request,
            _(
                "Dit account heeft ook toegang buiten de scholen die u beheert. "
                "Vraag de beheerder van Koers om dit te doen."
            ),
        )
    else:
        return None
    logger.warning(
        "account change refused school=%s user=%s by=%s",
        school.pk,
        account.pk,
        request.user.pk,
    )
    return render_detail(request, school, account, RoleForm(school=school), 403)


@requires(Permission.ACCOUNTS)
@require_POST
def add_role(request: HttpRequest, school_id: int, user_id: int) -> HttpResponse:
    school = get_school(request, school_id)
    account = get_account(school, user_id)
    if refused := refusal(request, school, account):
        return refused

    form = RoleForm(request.POST, school=school, user=account)
    if not form.is_valid():
        return render_detail(request, school, account, form)

    role = Role(form.cleaned_data["role"])
    grant = accounts.Grant(school, role, form.cleaned_data["teacher"])
    accounts.grant_role(account, grant)
    note(request, "role-granted", school, account)
    messages.success(
        request,
        _("%(username)s heeft nu ook de rol %(role)s.")
        % {"username": account.username, "role": role.label},
    )
    return redirect("accounts:detail", school_id=school.pk, user_id=account.pk)


@requires(Permission.ACCOUNTS)
@require_POST
def remove_role(
    request: HttpRequest, school_id: int, user_id: int, membership_id: int
) -> HttpResponse:
    school = get_school(request, school_id)
    account = get_account(school, user_id)
    membership = SchoolMembership.objects.filter(
        pk=membership_id, user=account, school=school
    ).first()
    if membership is None:
        raise Http404
    if refused := refusal(request, school, account):
        return refused

    accounts.revoke_role(membership)
    note(request, "role-revoked", school, account)

    label = Role(membership.role).label
    values = {"username": account.username, "role": label}
    if SchoolMembership.objects.filter(user=account, school=school).exists():
        messages.success(request, _("De rol %(role)s is weggehaald.") % values)
        return redirect("accounts:detail", school_id=school.pk, user_id=account.pk)
    messages.success(
        request,
        _(
            "De rol %(role)s is weggehaald; %(username)s heeft geen rol meer op "
            "deze school."
        )
        % values,
    )
    return redirect("accounts:list", school_id=school.pk)


@requires(Permission.ACCOUNTS)
@require_POST
def reset_second_factor(
    request: HttpRequest, school_id: int, user_id: int
) -> HttpResponse:
    school = get_school(request, school_id)
    account = get_account(school, user_id)
    if refused := refusal(request, school, account, reach=True):
        return refused

    accounts.reset_second_factor(account)
    note(request, "second-factor-reset", school, account)

    messages.success(
        request,
        _(
            "De tweede stap van %(username)s is gewist en het account is overal "
            "uitgelogd. Bij de volgende login stelt het een nieuwe "
            "authenticator-app in."
        )
        % {"username": account.username},
    )
    return redirect("accounts:detail", school_id=school.pk, user_id=account.pk)


@requires(Permission.ACCOUNTS)
@require_POST
def end_sessions(request: HttpRequest, school_id: int, user_id: int) -> HttpResponse:
    school = get_school(request, school_id)
    account = get_account(school, user_id)
    if refused := refusal(request, school, account):
        return refused

    count = accounts.end_sessions(account)
    note(request, "sessions-ended", school, account)

    messages.success(
        request,
        ngettext(
            "%(username)s is uitgelogd: %(count)d sessie beëindigd.",
            "%(username)s is uitgelogd: %(count)d sessies beëindigd.",
            count,
        )
        % {"username": account.username, "count": count},
    )
    return redirect("accounts:detail", school_id=school.pk, user_id=account.pk)


@requires(Permission.ACCOUNTS)
@require_POST
def deactivate(request: HttpRequest, school_id: int, user_id: int) -> HttpResponse:
    school = get_school(request, school_id)
    account = get_account(school, user_id)
    if refused := refusal(request, school, account, reach=True):
        return refused

    accounts.deactivate(account)
    note(request, "deactivated", school, account)

    messages.success(
        request,
        _(
            "%(username)s is gedeactiveerd en overal uitgelogd; het account kan "
            "niet meer inloggen."
        )
        % {"username": account.username},
    )
    return redirect("accounts:detail", school_id=school.pk, user_id=account.pk)


@requires(Permission.ACCOUNTS)
@require_POST
def activate(request: HttpRequest, school_id: int, user_id: int) -> HttpResponse:
    school = get_school(request, school_id)
    account = get_account(school, user_id)
    if refused := refusal(request, school, account, reach=True):
        return refused

    accounts.activate(account)
    note(request, "activated", school, account)

    messages.success(
        request,
        _("%(username)s kan weer inloggen.") % {"username": account.username},
    )
    return redirect("accounts:detail", school_id=school.pk, user_id=account.pk)
