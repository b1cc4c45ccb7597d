"""`koers user add|list|reset-mfa|remove`: accounts for the web application.

Accounts are only made here (or by an applicatiebeheerder in the web
application), never by signing up. Each account signs in with a password and a
code from an authenticator app, set up at its first login.
"""

from __future__ import annotations

import logging
from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandParser
from django.db import transaction
from django.utils import timezone

from koers.commands import KoersCommand, get_school, usage_error
from koers.schools import accounts
from koers.schools.models import (
    Board,
    BoardMembership,
    Role,
    School,
    SchoolMembership,
    Teacher,
)

logger = logging.getLogger(__name__)

# The Dutch words an administrator types for each role.
ROLE_NAMES = {
    "leerkracht": Role.TEACHER,
    "ib": Role.SUPPORT,
    "directie": Role.DIRECTOR,
    "beheer": Role.ADMIN,
    "privacy": Role.PRIVACY,
}


class Command(KoersCommand):
    cli_name = "user"
    help = (
        "Accounts voor de webapplicatie: maken, een rol op een school of bestuur "
        "geven, tonen, de tweede stap opnieuw laten instellen of verwijderen."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)

        add = actions.add_parser(
            "add", help="een account maken of het toegang tot een school geven"
        )
        add.add_argument("username", metavar="NAAM")
        add.add_argument("--school", action="append", default=[], metavar="BRIN")
        add.add_argument(
            "--role",
            choices=sorted(ROLE_NAMES),
            default="ib",
            help="de rol op de school (standaard ib: intern begeleider of "
            "kwaliteitscoördinator)",
        )
        add.add_argument(
            "--teacher",
            metavar="SLEUTEL",
            help="voor een leerkracht: de sleutel of naam van de leerkracht in "
            "het LAS; diens groepen zijn wat het account ziet",
        )
        add.add_argument(
            "--board", metavar="BESTUUR", help="toegang tot de cijfers van een bestuur"
        )
        add.add_argument("--email", help="e-mailadres, voor 'wachtwoord vergeten'")
        add.add_argument(
            "--password",
            help="een nieuw wachtwoord (minstens 12 tekens); zonder deze optie "
            "kiest Koers er een voor een nieuw account en blijft het wachtwoord "
            "van een bestaand account zoals het is",
        )

        actions.add_parser("list", help="alle accounts met rol, tweede stap en login")

        reset = actions.add_parser(
            "reset-mfa",
            help="de tweede stap wissen (telefoon kwijt): bij de volgende login "
            "stelt het account een nieuwe in",
        )
        reset.add_argument("username", metavar="NAAM")

        remove = actions.add_parser("remove", help="een account verwijderen")
        remove.add_argument("username", metavar="NAAM")

        dormant = actions.add_parser(
            "disable-dormant",
            help="accounts zonder login in 90 dagen uitschakelen (dagelijks te "
            "plannen); een uitgeschakeld account kan niet meer inloggen",
        )
        dormant.add_argument(
            "--dry-run",
            action="store_true",
            help="alleen tonen welke accounts het zou uitschakelen",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "add":
            self.add(options)
        elif action == "list":
            self.list_accounts()
        elif action == "reset-mfa":
            self.reset_mfa(self.existing(options["username"]))
        elif action == "disable-dormant":
            self.disable_dormant(dry_run=options["dry_run"])
        else:
            self.remove(self.existing(options["username"]))

    @transaction.atomic
    def add(self, options: dict[str, Any]) -> None:
        username = options["username"].strip()
        if not username:
            raise usage_error("Geef een naam voor het account.")
        schools = [get_school(code) for code in options["school"]]
        board = self.board(options["board"]) if options["board"] else None
        if not schools and board is None:
            raise usage_error(
                "Geef een school (--school BRIN) of een bestuur (--board)."
            )
        role = ROLE_NAMES[options["role"]]
        teachers = [
            self.teacher(school, options["teacher"], role) for school in schools
        ]

        user = User.objects.filter(username=username).first()
        created = user is None
        password = options["password"]
        if created and password is None:
            password = accounts.generate_password()
        if user is None:
            user = User(username=username)
        if options["email"]:
            user.email = options["email"].strip()
        if password is not None:
            self.check_password(password, user)
            user.set_password(password)
        user.save()
        for school, teacher in zip(schools, teachers, strict=True):
            SchoolMembership.objects.update_or_create(
                user=user, school=school, role=role, defaults={"teacher": teacher}
            )
        if board is not None:
            BoardMembership.objects.get_or_create(user=user, board=board)

        places = [str(school) for school in schools]
        if board is not None:
            places.append(f"bestuur {board.name}")
        names = ", ".join(places)
        role_text = f" ({role.label})" if schools else ""
        if created:
            self.stdout.write(
                f"Account {username} aangemaakt{role_text}, met toegang tot "
                f"{names}. Bij de eerste login stelt het een authenticator-app in."
            )
        else:
            self.stdout.write(f"Account {username} heeft toegang tot {names}.")
        if password is not None and options["password"] is None:
            self.stdout.write(f"Wachtwoord: {password}")
        elif password is not None and not created:
            self.stdout.write("Het wachtwoord is vervangen.")
        logger.info("account added user=%s role=%s", user.pk, role)

    def list_accounts(self) -> None:
        now = timezone.now()
        with_factor = set(
            Authenticator.objects.filter(type=Authenticator.Type.TOTP).values_list(
                "user_id", flat=True
            )
        )
        for user in User.objects.order_by("username"):
            roles = [
                f"{m.get_role_display()} {m.school.brin}{m.school.branch_code}"
                for m in SchoolMembership.objects.filter(user=user).select_related(
                    "school"
                )
            ]
            roles += [
                f"bestuur {m.board.name}"
                for m in BoardMembership.objects.filter(user=user).select_related(
                    "board"
                )
            ]
            factor = (
                "tweede stap ingesteld"
                if user.pk in with_factor
                else ("GEEN tweede stap")
            )
            last = (
                user.last_login.strftime("%d-%m-%Y")
                if user.last_login
                else "nooit ingelogd"
            )
            state = ""
            if not user.is_active:
                state = " · uitgeschakeld"
            elif accounts.is_dormant(user, now):
                state = " · slapend (90 dagen niet ingelogd)"
            self.stdout.write(
                f"{user.username}: {'; '.join(roles) or 'geen toegang'} · {factor} "
                f"· laatste login {last}{state}"
            )

    @transaction.atomic
    def disable_dormant(self, dry_run: bool) -> None:
        """AUTH-7: an account nobody used for 90 days is switched off, so that a
        forgotten account of someone who left cannot be taken over."""
        now = timezone.now()
        dormant = [
            user
            for user in User.objects.filter(is_active=True).order_by("username")
            if accounts.is_dormant(user, now)
        ]
        for user in dormant:
            if not dry_run:
                accounts.deactivate(user)
            self.stdout.write(f"{user.username}")
        verb = "zou uitschakelen" if dry_run else "uitgeschakeld"
        self.stdout.write(f"{len(dormant)} slapende accounts {verb}.")

    def reset_mfa(self, user: User) -> None:
        accounts.reset_second_factor(user)
        self.stdout.write(
            f"De tweede stap van {user.username} is gewist; bij de volgende login "
            "stelt het account een nieuwe authenticator-app in."
        )

    @transaction.atomic
    def remove(self, user: User) -> None:
        """Take every role away and switch the account off, but keep its row: the
        audit trail names who read which pupil's file by this account, and must
        still do so after the person has left (security.md LOG-6)."""
        SchoolMembership.objects.filter(user=user).delete()
        BoardMembership.objects.filter(user=user).delete()
        Authenticator.objects.filter(user=user).delete()
        user.set_unusable_password()
        user.save(update_fields=["password"])
        accounts.deactivate(user)
        self.stdout.write(
            f"Account {user.username} verwijderd: het heeft geen toegang meer en kan "
            "niet meer inloggen. De naam blijft in het logboek staan bij wat het "
            "account deed."
        )
        logger.info("account removed user=%s", user.pk)

    def existing(self, username: str) -> User:
        user = User.objects.filter(username=username.strip()).first()
        if user is None:
            raise usage_error(f"Er is geen account '{username}'.")
        return user

    def board(self, name: str) -> Board:
        board = Board.objects.filter(name=name.strip()).first()
        if board is None:
            known = ", ".join(Board.objects.values_list("name", flat=True)) or "geen"
            raise usage_error(
                f"Er is geen bestuur '{name}'. Bekende besturen: {known}."
            )
        return board

    def teacher(self, school: School, key: str | None, role: Role) -> Teacher | None:
        if role != Role.TEACHER:
            if key:
                raise usage_error("--teacher hoort alleen bij --role leerkracht.")
            return None
        if not key:
            raise usage_error(
                "Een leerkracht ziet de eigen groepen: geef met --teacher de "
                "sleutel of naam van de leerkracht in het LAS."
            )
        found = [
            teacher
            for teacher in Teacher.objects.filter(school=school)
            if key.strip().lower() in {teacher.key.lower(), str(teacher).lower()}
        ]
        if len(found) != 1:
            raise usage_error(
                f"Geen leerkracht '{key}' op {school} (of meer dan één): gebruik "
                "de sleutel uit het LAS, zoals in de import van de groepen."
            )
        return found[0]

    def check_password(self, password: str, user: User) -> None:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise usage_error(" ".join(error.messages)) from None
