"""Distribution parameters of the demo school, each with the reason for its value.

All numbers are choices for a believable demo, not measurements. They are kept in
one place so the tests, the benchmarks and a curious reader can see what the
generator aims for.
"""

from __future__ import annotations

from typing import Final

from koers.lib.records import Domain, Subject

# --- Roster ---------------------------------------------------------------------------

# A Dutch primary class rarely exceeds about 30 pupils; above this a grade is split
# into parallel groups (8A, 8B).
MAX_GROUP_SIZE: Final = 33

# Kleuters (grades 1 and 2) are always taught together in groups 1/2a, 1/2b, ...
MAX_KLEUTER_GROUP_SIZE: Final = 32

# Grades 4 and 5 share their pupils over single-grade groups plus one combination
# group "4/5", the usual answer when two cohorts do not fill whole classes.
COMBINATION_GRADES: Final = (4, 5)
COMBINATION_GROUP_SIZE: Final = 28

# In the first year the grade-6 cohort is a third larger than the others, so it is
# split into parallel groups (6A/6B, later 7A/7B and 8A/8B).
LARGE_COHORT_GRADE: Final = 6
LARGE_COHORT_FACTOR: Final = 1.3

# Cohort sizes vary a little from year to year (uniform, in pupils).
COHORT_JITTER: Final = 2

# Yearly mobility. Around 3 % leave and 3 % arrive, 1.5 % repeat a grade; these are
# round numbers of the right order for an ordinary Dutch primary school.
LEAVE_RATE: Final = 0.03
ARRIVAL_RATE: Final = 0.03
REPEAT_RATE: Final = 0.015
ARRIVAL_GRADES: Final = (3, 4, 5, 6, 7)
REPEAT_GRADES: Final = (2, 3, 4, 5, 6, 7)

# The ECK-iD is optional in EDEXML; about one pupil in twenty has none, so the
# importers must fall back to the LAS key.
MISSING_ECKID_RATE: Final = 0.05

# A few pupils carry an (invalid) BSN so the importers can prove they drop it.
PUPILS_WITH_FAKE_BSN: Final = 3

# LAS pupil numbers are four-digit strings that grow with each new pupil.
FIRST_PUPIL_NUMBER: Final = 4001

# --- Latent positions -----------------------------------------------------------------
# Every pupil has a position per subject in national standard-normal units (z). The
# national percentile is Phi(z). Positions follow an AR(1) process per half year,
# so they drift a little but the national distribution stays N(0, 1).

# Loading on a shared general factor: the correlation between two subjects is
# GENERAL_LOADING ** 2 = 0.64, close to what LVS subjects usually show.
GENERAL_LOADING: Final = 0.8

# Persistence of the latent position from one test moment to the next.
LATENT_PERSISTENCE: Final = 0.97

# Share of observed-score variance that is measurement noise (as an SD in z). With
# the persistence above, consecutive observed scores correlate about 0.85.
MEASUREMENT_NOISE: Final = 0.35

# The school's own effect per subject (z). Slightly weak in begrijpend lezen, so
# the demo school misses a reading ambition; slightly strong in rekenen.
SCHOOL_EFFECT: Final[dict[Subject, float]] = {
    Subject.MATH: 0.15,
    Subject.READING_COMPREHENSION: -0.25,
    Subject.SPELLING: 0.0,
    Subject.TECHNICAL_READING: 0.05,
}

# One group (the first grade-6 group of the last year) grows less in spelling: its
# pupils lose this much z at the M moment and twice as much at the E moment, which a
# group-growth analysis should flag for a group of about 25 pupils.
WEAK_GROWTH_SUBJECT: Final = Subject.SPELLING
WEAK_GROWTH_GRADE: Final = 6
WEAK_GROWTH_STEP: Final = 0.3

# About 4 % of pupils decline steadily in one subject over three measurements, by
# this much z per measurement, enough for a pupil growth flag to fire.
DECLINE_RATE: Final = 0.04
DECLINE_STEP: Final = 0.45
DECLINE_MEASUREMENTS: Final = 3

# A few pupils drop suddenly and stay low (e.g. a life event).
SUDDEN_DROP_RATE: Final = 0.012
SUDDEN_DROP_SIZE: Final = 1.3

# The pupil who took a test "op maat" (a lower level) is a weak reader.
OP_MAAT_READING_POSITION: Final = -1.6

# --- Test administration --------------------------------------------------------------

# Share of expected tests that are missing because the pupil was absent.
ABSENCE_RATE: Final = 0.03

# Exact duplicate rows written into the first ESIS file (ESIS exports contain them).
DUPLICATE_ROWS: Final = 2

# --- Doorstroomtoets ------------------------------------------------------------------

# National shares (2022/23, norms.md section 2) below 1F and at the target level
# (1S for rekenen, 2F for lezen and taalverzorging). The demo cuts the pupils'
# latent positions at the matching national normal quantiles, so with the school
# effects above roughly 96 % reach 1F and 60 % reach the target level.
NATIONAL_REFERENCE_SHARES: Final[dict[Domain, tuple[float, float]]] = {
    Domain.MATH: (0.07, 0.45),
    Domain.READING: (0.02, 0.74),
    Domain.LANGUAGE: (0.02, 0.63),
}

# Which LVS subject's latent position drives each doorstroomtoets domain.
DOMAIN_SUBJECT: Final[dict[Domain, Subject]] = {
    Domain.MATH: Subject.MATH,
    Domain.READING: Subject.READING_COMPREHENSION,
    Domain.LANGUAGE: Subject.SPELLING,
}

# Noise of the doorstroomtoets relative to the LVS position (z).
TRANSITION_NOISE: Final = 0.3

# Test advice bands: rough national shares per advice, lowest first. Invented for the
# demo; they only make the advice follow the test score.
ADVICE_SHARES: Final = (
    ("pro", 0.03),
    ("vmbo-bb", 0.09),
    ("vmbo-kb", 0.12),
    ("vmbo-gt", 0.22),
    ("vmbo-gt/havo", 0.08),
    ("havo", 0.17),
    ("havo/vwo", 0.08),
    ("vwo", 0.21),
)
