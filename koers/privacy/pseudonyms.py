"""Pseudonymous pupil ids: the same pupil always gets the same one, and it cannot
be turned back into the pupil without the installation's secret key.

The deletion ledger and the audit entries of a purged pupil carry this id, so
that counts per pupil remain and a restored back-up can be purged again, while
nobody can tell from them who the pupil was.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

PREFIX = "ll-"
# 20 hex characters: 80 bits, far beyond any collision within one installation.
LENGTH = 20


def pupil_pseudonym(pupil_id: int) -> str:
    message = f"koers:pupil:{pupil_id}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256)
    return PREFIX + digest.hexdigest()[:LENGTH]


def is_pseudonym(value: object) -> bool:
    return (
        isinstance(value, str)
        and value.startswith(PREFIX)
        and len(value) == len(PREFIX) + LENGTH
    )
