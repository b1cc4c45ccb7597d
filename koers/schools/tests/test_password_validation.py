"""The minimum length of a password, answered in Dutch (security.md AUTH-4)."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import (
    password_validators_help_texts,
    validate_password,
)
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from koers.schools.password_validation import MinimumLengthValidator
from koers.tests.accounts import make_user
from koers.tests.helpers import make_school, run_koers
from koers.tests.test_sign_in import reset_link

TOO_SHORT = "Dit wachtwoord is te kort: gebruik minstens 12 tekens."


def test_it_refuses_eleven_characters_in_dutch() -> None:
    with translation.override("nl"), pytest.raises(ValidationError) as refused:
        validate_password("elf-tekens!")

    assert refused.value.messages == [TOO_SHORT]
    assert refused.value.error_list[0].code == "password_too_short"


def test_it_accepts_twelve_characters() -> None:
    MinimumLengthValidator(min_length=12).validate("twaalf-teken")


def test_it_says_one_character_in_the_singular() -> None:
    with pytest.raises(ValidationError) as refused:
        MinimumLengthValidator(min_length=1).validate("")

    assert refused.value.messages == [
        "Dit wachtwoord is te kort: gebruik minstens 1 teken."
    ]


def test_its_help_text_is_dutch() -> None:
    with translation.override("nl"):
        texts = password_validators_help_texts()

    assert texts[0] == (
        "Gebruik minstens 12 tekens; een zin van een paar woorden is sterk en "
        "goed te onthouden."
    )


@pytest.mark.django_db
def test_koers_user_add_refuses_a_short_password_in_dutch(
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_school("11AA")

    code = run_koers("user", "add", "ib", "--school", "11AA", "--password", "kort")

    assert code == 2
    assert TOO_SHORT in capsys.readouterr().err
    assert not User.objects.exists()


@pytest.mark.django_db
def test_a_new_password_from_a_reset_link_is_refused_in_dutch() -> None:
    user = make_user("ib-er", make_school("11AA"))
    EmailAddress.objects.create(
        user=user, email="ib@school.nl", primary=True, verified=True
    )
    client = Client()
    client.post(reverse("account_reset_password"), {"email": "ib@school.nl"})
    form_url = client.get(reset_link(mail.outbox[0]))["Location"]

    page = client.post(form_url, {"password1": "te-kort", "password2": "te-kort"})

    assert page.status_code == 200
    assert TOO_SHORT in page.content.decode()
