"""Reference levels: their order, the target level per domain, and subject → domain.

The target level (streefniveau) is 1S for rekenen and 2F for lezen and
taalverzorging. For lezen and taalverzorging a 1S does not count as the target:
only 2F or higher does. Ordering the levels <1F < 1F < 1S < 2F < 2S < 3F makes
both rules a single comparison.
"""

from __future__ import annotations

from koers.lib.records import Domain, ReferenceLevel, Subject

LEVEL_RANK: dict[ReferenceLevel, int] = {
    ReferenceLevel.BELOW_1F: 0,
    ReferenceLevel.F1: 1,
    ReferenceLevel.S1: 2,
    ReferenceLevel.F2: 3,
    ReferenceLevel.S2: 4,
    ReferenceLevel.F3: 5,
}

TARGET_LEVEL: dict[Domain, ReferenceLevel] = {
    Domain.MATH: ReferenceLevel.S1,
    Domain.READING: ReferenceLevel.F2,
    Domain.LANGUAGE: ReferenceLevel.F2,
}

# Subjects without a domain (technisch lezen, woordenschat, overig) have no
# reference level at the end of primary school, so they get no forecast.
SUBJECT_DOMAIN: dict[Subject, Domain] = {
    Subject.MATH: Domain.MATH,
    Subject.READING_COMPREHENSION: Domain.READING,
    Subject.SPELLING: Domain.LANGUAGE,
    Subject.LANGUAGE: Domain.LANGUAGE,
}


def domain_of(subject: Subject) -> Domain | None:
    return SUBJECT_DOMAIN.get(subject)


def reaches_1f(level: ReferenceLevel | None) -> bool:
    """Whether a level is 1F or higher; a missing level has not reached it."""
    return level is not None and LEVEL_RANK[level] >= LEVEL_RANK[ReferenceLevel.F1]


def reaches_target(domain: Domain, level: ReferenceLevel | None) -> bool:
    """Whether a level is the domain's target level or higher (1S rekenen, 2F taal)."""
    if level is None:
        return False
    return LEVEL_RANK[level] >= LEVEL_RANK[TARGET_LEVEL[domain]]
