"""The forms of the account pages: a new account, and another role for an
existing one. A role is always at the school of the page; the form has no
field for a school."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from koers.schools.models import Role, School, SchoolMembership, Teacher

GENERATE = "generate"
TYPED = "typed"


class TeacherChoiceField(forms.ModelChoiceField[Teacher]):
    def label_from_instance(self, obj: Teacher) -> str:
        return f"{obj} ({obj.key})"


class RoleForm(forms.Form):
    """A role at the school, with the teacher record of the LAS for a teacher:
    that record's groups are what the account sees."""

    role = forms.ChoiceField(label=_("Rol"), choices=Role.choices)
    teacher = TeacherChoiceField(
        label=_("Leerkracht in het LAS"),
        queryset=Teacher.objects.none(),
        required=False,
        empty_label=_("— geen —"),
        help_text=_(
            "Alleen voor de rol leerkracht: het account ziet de groepen van deze "
            "leerkracht."
        ),
    )

    def __init__(
        self, *args: Any, school: School, user: User | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.school = school
        self.user = user
        teachers = Teacher.objects.filter(school=school).order_by(
            "surname", "preferred_name", "key"
        )
        self.fields["teacher"].queryset = teachers  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        role = cleaned.get("role")
        teacher = cleaned.get("teacher")
        if role == Role.TEACHER and teacher is None:
            self.add_error(
                "teacher",
                _(
                    "Kies de leerkracht in het LAS: diens groepen zijn wat het "
                    "account ziet."
                ),
            )
        elif role and role != Role.TEACHER and teacher is not None:
            self.add_error(
                "teacher",
                _("Een leerkracht in het LAS hoort alleen bij de rol leerkracht."),
            )
        if role and self.user is not None and self._has_role(role):
            self.add_error("role", _("Het account heeft deze rol al op deze school."))
        return cleaned

    def _has_role(self, role: str) -> bool:
        return SchoolMembership.objects.filter(
            user=self.user, school=self.school, role=role
        ).exists()


class NewAccountForm(RoleForm):
    username = forms.CharField(
        label=_("Gebruikersnaam"),
        max_length=150,
        validators=[User.username_validator],
        help_text=_("Letters, cijfers en . @ + - _; bijvoorbeeld j.jansen."),
    )
    email = forms.EmailField(
        label=_("E-mailadres"),
        required=False,
        help_text=_("Voor 'wachtwoord vergeten'."),
    )
    password_choice = forms.ChoiceField(
        label=_("Eerste wachtwoord"),
        choices=[
            (GENERATE, _("Laat Koers een wachtwoord kiezen (u ziet het één keer)")),
            (TYPED, _("Ik kies zelf een wachtwoord")),
        ],
        initial=GENERATE,
        widget=forms.RadioSelect,
    )
    password = forms.CharField(
        label=_("Wachtwoord"),
        required=False,
        strip=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_(
            "Alleen als u zelf een wachtwoord kiest: minstens 12 tekens, geen "
            "veelgebruikt wachtwoord."
        ),
    )

    field_order = ["username", "email", "role", "teacher", "password_choice"]

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("Deze gebruikersnaam is al in gebruik."))
        return username

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip()
        if email and User.objects.filter(email__iexact=email).exists():
            # Accounts sign in with their e-mail address too; two accounts on
            # one address would make that ambiguous.
            raise ValidationError(_("Dit e-mailadres hoort al bij een account."))
        return email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("password_choice") != TYPED:
            cleaned["password"] = ""
            return cleaned

        password = cleaned.get("password", "")
        if not password:
            self.add_error("password", _("Vul een wachtwoord in."))
            return cleaned
        candidate = User(
            username=cleaned.get("username", ""), email=cleaned.get("email", "")
        )
        try:
            validate_password(password, candidate)
        except ValidationError as error:
            self.add_error("password", error)
        return cleaned
