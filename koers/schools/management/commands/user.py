"""`koers user add NAME --school BRIN [--password ...]`"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandParser

from koers.commands import KoersCommand, get_school, usage_error
from koers.schools.models import SchoolMembership


class Command(KoersCommand):
    cli_name = "user"
    help = (
        "Maakt een account voor de webapplicatie met toegang tot een of meer "
        "scholen, of geeft een bestaand account toegang tot een school erbij."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help="een account maken of toegang geven")
        add.add_argument("username", metavar="NAAM")
        add.add_argument("--school", required=True, action="append", metavar="BRIN")
        add.add_argument(
            "--password",
            help="een nieuw wachtwoord (minstens 10 tekens); zonder deze optie "
            "kiest Koers er een voor een nieuw account en blijft het wachtwoord "
            "van een bestaand account zoals het is",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"].strip()
        if not username:
            raise usage_error("Geef een naam voor het account.")
        schools = [get_school(code) for code in options["school"]]

        user = User.objects.filter(username=username).first()
        created = user is None
        password = options["password"]
        if created and password is None:
            password = secrets.token_urlsafe(12)
        if user is None:
            user = User(username=username)
        if password is not None:
            self.check_password(password, user)
            user.set_password(password)
        user.save()
        for school in schools:
            SchoolMembership.objects.get_or_create(user=user, school=school)

        names = ", ".join(str(school) for school in schools)
        if created:
            self.stdout.write(
                f"Account {username} aangemaakt, met toegang tot {names}."
            )
        else:
            self.stdout.write(f"Account {username} heeft toegang tot {names}.")
        if password is not None and options["password"] is None:
            self.stdout.write(f"Wachtwoord: {password}")
        elif password is not None and not created:
            self.stdout.write("Het wachtwoord is vervangen.")

    def check_password(self, password: str, user: User) -> None:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise usage_error(" ".join(error.messages)) from None
