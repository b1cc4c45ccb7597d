"""`koers user add NAME --school BRIN [--password ...]`"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import CommandParser

from koers.commands import KoersCommand, get_school
from koers.schools.models import SchoolMembership


class Command(KoersCommand):
    cli_name = "user"
    help = "Maakt een account voor de webapplicatie met toegang tot een school."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help="een account maken of bijwerken")
        add.add_argument("username", metavar="NAAM")
        add.add_argument("--school", required=True, action="append", metavar="BRIN")
        add.add_argument(
            "--password",
            help="zonder deze optie kiest Koers een sterk wachtwoord en toont het",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        schools = [get_school(code) for code in options["school"]]
        password = options["password"] or secrets.token_urlsafe(12)
        user, created = User.objects.get_or_create(username=options["username"])
        user.set_password(password)
        user.save()
        for school in schools:
            SchoolMembership.objects.get_or_create(user=user, school=school)

        verb = "aangemaakt" if created else "bijgewerkt"
        self.stdout.write(f"Account {user.username} {verb}.")
        if not options["password"]:
            self.stdout.write(f"Wachtwoord: {password}")
