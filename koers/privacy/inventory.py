"""The data inventory (MIN-3): what every stored field holds, why Koers keeps it,
for how long, and how sensitive it is.

Every concrete field of every installed model, Koers's own and those of the
libraries (accounts, second factor, lockout, audit log, tasks), is listed here by
name. Nothing is classified by default: a field that is not named fails
`test_inventory`, so a new field cannot reach a release without a decision about
it. `koers inventory` prints the table as the annex of the
verwerkersovereenkomst; `docs/privacy-inventory.md` is its committed copy.

Fields that hold no personal data (row numbers, links to schools, groups, school
years or tests, timestamps of school records) are named too, with one of the
`NO_PERSONAL_DATA` classifications below. A link to a person (account, pupil,
teacher) never is: it makes its row about that person.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

# A text that is translated when shown (gettext_lazy).
type StrOrLazy = str | _StrPromise


class Category(models.TextChoices):
    IDENTIFICATION = "identificatie", _("identificatie")
    CONTACT = "contact", _("contact")
    ENROLMENT = "inschrijving", _("inschrijving")
    SCHOOL_RESULT = "schoolresultaat", _("schoolresultaat")
    SUPPORT = "begeleiding", _("begeleiding/plan")
    FREE_TEXT = "vrije_tekst", _("vrije tekst")
    ACCOUNT = "account", _("account/beveiliging")
    LOG = "logboek", _("logboek")
    TECHNICAL = "technisch", _("technisch")
    NONE = "geen", _("geen persoonsgegeven")


class Retention(models.TextChoices):
    # RET-1: KOERS_RETENTION_YEARS (two) after the pupil's exit date; the label
    # with the number is `retention_label`.
    DOSSIER = "dossier", _("na vertrek van de leerling")
    # RET-6: until the end of the contract, then exported and deleted.
    SCHOOL = "school", _("zolang de school Koers gebruikt")
    ACCOUNT = "account", _("zolang het account bestaat")
    SESSION = "sessie", _("tot de sessie verloopt (uiterlijk 10 uur)")
    LOCKOUT = "blokkade", _("tot de blokkade verloopt (15 minuten)")
    # LOG-5 and LOG-8.
    LOG = "logboek", _("logboek: 12 maanden")
    TASK = "taak", _("taken: 30 dagen")
    # RET-5: a restored back-up must be purged again.
    LEDGER = "register", _("zolang er back-ups van vóór de verwijdering zijn")
    TECHNICAL = "technisch", _("technisch")


class Sensitivity(models.TextChoices):
    LOW = "laag", _("laag")
    MEDIUM = "midden", _("midden")
    HIGH = "hoog", _("hoog")


@dataclass(frozen=True, slots=True)
class Classification:
    category: Category
    purpose: StrOrLazy
    retention: Retention
    sensitivity: Sensitivity

    @property
    def is_personal(self) -> bool:
        return self.category != Category.NONE


@dataclass(frozen=True, slots=True)
class ModelInventory:
    """The classification of each field of one model, by field name.

    `title` and `meanings` replace a library's English verbose names in the
    document; Koers's own models have Dutch ones.
    """

    label: str
    fields: Mapping[str, Classification]
    title: StrOrLazy | None = None
    meanings: Mapping[str, StrOrLazy] = field(default_factory=dict)


def classify(
    label: str,
    *groups: tuple[str, Classification],
    title: StrOrLazy | None = None,
    meanings: Mapping[str, StrOrLazy] | None = None,
) -> ModelInventory:
    """One model's inventory from groups of space-separated field names."""
    fields: dict[str, Classification] = {}
    for names, classification in groups:
        for name in names.split():
            if name in fields:
                raise ValueError(f"{label}.{name} is classified twice")
            fields[name] = classification
    return ModelInventory(label, fields, title, meanings or {})


# --- no personal data ----------------------------------------------------------

ROW_ID = Classification(
    Category.NONE,
    _("volgnummer van de rij"),
    Retention.TECHNICAL,
    Sensitivity.LOW,
)
LINK = Classification(
    Category.NONE,
    _("verwijzing naar een school, groep, schooljaar, toets of plan"),
    Retention.TECHNICAL,
    Sensitivity.LOW,
)
RECORD_STATE = Classification(
    Category.NONE,
    _("datum, soort of status van een schoolgegeven"),
    Retention.TECHNICAL,
    Sensitivity.LOW,
)
SCHOOL_DATA = Classification(
    Category.NONE,
    _("gegeven over de school of het bestuur, niet over een persoon"),
    Retention.SCHOOL,
    Sensitivity.LOW,
)
REFERENCE_DATA = Classification(
    Category.NONE,
    _("vaste gegevens van de software: rechten, gegevenssoorten, toetsen, normen"),
    Retention.TECHNICAL,
    Sensitivity.LOW,
)
TASK_STATE = Classification(
    Category.NONE,
    _("welke achtergrondtaak, wanneer en met welke uitkomst"),
    Retention.TASK,
    Sensitivity.LOW,
)
NO_PERSONAL_DATA = (
    ROW_ID,
    LINK,
    RECORD_STATE,
    SCHOOL_DATA,
    REFERENCE_DATA,
    TASK_STATE,
)

# --- links to a person -----------------------------------------------------------

ACCOUNT_ID = Classification(
    Category.IDENTIFICATION,
    _("intern nummer van het account; het logboek verwijst ernaar"),
    Retention.ACCOUNT,
    Sensitivity.LOW,
)
TEACHER_ID = Classification(
    Category.IDENTIFICATION,
    _("intern nummer van de leerkracht"),
    Retention.SCHOOL,
    Sensitivity.LOW,
)
ACCOUNT_LINK = Classification(
    Category.IDENTIFICATION,
    _("koppelt het gegeven aan het account van een medewerker"),
    Retention.ACCOUNT,
    Sensitivity.LOW,
)
AUTHOR = Classification(
    Category.IDENTIFICATION,
    _("wie het vastlegde; leeg zodra het account verwijderd is"),
    Retention.ACCOUNT,
    Sensitivity.LOW,
)
PUPIL_LINK = Classification(
    Category.IDENTIFICATION,
    _("koppelt het gegeven aan de leerling (intern nummer)"),
    Retention.DOSSIER,
    Sensitivity.LOW,
)
TEACHER_LINK = Classification(
    Category.IDENTIFICATION,
    _("koppelt het gegeven aan een leerkracht uit het LAS"),
    Retention.SCHOOL,
    Sensitivity.LOW,
)

# --- accounts and their security ----------------------------------------------------

ACCOUNT_NAME = Classification(
    Category.IDENTIFICATION,
    _("aanmelden en zien wie iets deed"),
    Retention.ACCOUNT,
    Sensitivity.LOW,
)
ACCOUNT_STATE = Classification(
    Category.ACCOUNT,
    _("rechten en status van het account; slapende accounts vinden"),
    Retention.ACCOUNT,
    Sensitivity.LOW,
)
ACCOUNT_SECRET = Classification(
    Category.ACCOUNT,
    _("aanmelden: wachtwoord (alleen als Argon2-hash), sleutels en codes"),
    Retention.ACCOUNT,
    Sensitivity.HIGH,
)
EMAIL = Classification(
    Category.CONTACT,
    _("e-mailadres voor 'wachtwoord vergeten'"),
    Retention.ACCOUNT,
    Sensitivity.LOW,
)
ROLE = Classification(
    Category.ACCOUNT,
    _("welke rol de medewerker op de school heeft, en dus wat het account ziet"),
    Retention.ACCOUNT,
    Sensitivity.LOW,
)
SESSION = Classification(
    Category.ACCOUNT,
    _("de aanmelding: wie, of de tweede stap gedaan is, sinds en tot wanneer"),
    Retention.SESSION,
    Sensitivity.MEDIUM,
)
LOCKOUT = Classification(
    Category.ACCOUNT,
    _("mislukte aanmeldpogingen tellen om raden van wachtwoorden te blokkeren"),
    Retention.LOCKOUT,
    Sensitivity.MEDIUM,
)

# --- logs ------------------------------------------------------------------------

LOG_WHO = Classification(
    Category.LOG,
    _("wie het deed: gebruikersnaam of e-mailadres"),
    Retention.LOG,
    Sensitivity.LOW,
)
LOG_ACTOR = Classification(
    Category.IDENTIFICATION,
    _("wie het deed (account); leeg zodra het account verwijderd is"),
    Retention.LOG,
    Sensitivity.LOW,
)
LOG_WHERE = Classification(
    Category.LOG,
    _("vanaf welk adres en welke browser; misbruik herkennen"),
    Retention.LOG,
    Sensitivity.MEDIUM,
)
LOG_WHAT = Classification(
    Category.LOG,
    _("wat er gebeurde, wanneer en met welk object (alleen het id)"),
    Retention.LOG,
    Sensitivity.LOW,
)
LOG_CHANGES = Classification(
    Category.LOG,
    _("welke velden veranderden; persoonsgegevens gemaskeerd"),
    Retention.LOG,
    Sensitivity.MEDIUM,
)
LOG_TECHNICAL = Classification(
    Category.TECHNICAL,
    _("technische gegevens van het verzoek"),
    Retention.LOG,
    Sensitivity.LOW,
)

# --- pupils --------------------------------------------------------------------------

PUPIL_ID = Classification(
    Category.IDENTIFICATION,
    _("intern leerlingnummer; logboek en besluiten verwijzen alleen hiernaar"),
    Retention.DOSSIER,
    Sensitivity.LOW,
)
PUPIL_KEY = Classification(
    Category.IDENTIFICATION,
    _("leerlingnummer of ECK-iD uit het LAS, om imports aan de leerling te koppelen"),
    Retention.DOSSIER,
    Sensitivity.MEDIUM,
)
PUPIL_NAME = Classification(
    Category.IDENTIFICATION,
    _("de leerling herkennen in overzichten en besprekingen"),
    Retention.DOSSIER,
    Sensitivity.MEDIUM,
)
BIRTH_DATE = Classification(
    Category.IDENTIFICATION,
    _("leeftijd; een leerling zonder nummer herkennen bij een import"),
    Retention.DOSSIER,
    Sensitivity.MEDIUM,
)
ENROLMENT = Classification(
    Category.ENROLMENT,
    _("in welke groep en jaargroep de leerling zit, en van wanneer tot wanneer"),
    Retention.DOSSIER,
    Sensitivity.LOW,
)
RESULT = Classification(
    Category.SCHOOL_RESULT,
    _("toetsresultaat: de ontwikkeling van de leerling volgen en analyseren"),
    Retention.DOSSIER,
    Sensitivity.MEDIUM,
)
RESULT_CONTEXT = Classification(
    Category.SCHOOL_RESULT,
    _("welke toets, wanneer en tegen welke norm het resultaat geldt"),
    Retention.DOSSIER,
    Sensitivity.LOW,
)
PUPIL_DECISION = Classification(
    Category.SUPPORT,
    _("wat de school voor de leerling besloot, wanneer, en hoe het uitpakte"),
    Retention.DOSSIER,
    Sensitivity.MEDIUM,
)
PUPIL_NOTE = Classification(
    Category.FREE_TEXT,
    _("toelichting bij een besluit over de leerling; geen bijzondere gegevens"),
    Retention.DOSSIER,
    Sensitivity.HIGH,
)

# --- staff and school records -------------------------------------------------------

TEACHER_KEY = Classification(
    Category.IDENTIFICATION,
    _("sleutel van de leerkracht in het LAS, om imports te koppelen"),
    Retention.SCHOOL,
    Sensitivity.LOW,
)
TEACHER_NAME = Classification(
    Category.IDENTIFICATION,
    _("de leerkracht bij de groep tonen en aan een account koppelen"),
    Retention.SCHOOL,
    Sensitivity.LOW,
)
STAFF_NAMES = Classification(
    Category.IDENTIFICATION,
    _("welke medewerkers aanwezig of verantwoordelijk zijn"),
    Retention.SCHOOL,
    Sensitivity.LOW,
)
SCHOOL_TEXT = Classification(
    Category.FREE_TEXT,
    _("tekst over de school of een groep; hoort geen leerlingen te noemen"),
    Retention.SCHOOL,
    Sensitivity.LOW,
)
MEETING_TEXT = Classification(
    Category.FREE_TEXT,
    _("verslag en besluiten van een bespreking; kan leerlingen noemen"),
    Retention.SCHOOL,
    Sensitivity.HIGH,
)
SUBGROUP_TEXT = Classification(
    Category.FREE_TEXT,
    _("voor wie in de groep de afwijking geldt, in woorden; kan leerlingen noemen"),
    Retention.SCHOOL,
    Sensitivity.MEDIUM,
)
GROUP_PLAN = Classification(
    Category.SUPPORT,
    _("voor welke leerlingen een afwijking van het onderwijsplan geldt"),
    Retention.DOSSIER,
    Sensitivity.MEDIUM,
)
MEETING_FIGURES = Classification(
    Category.SUPPORT,
    _("cijfers en signalen zoals besproken; leerlingen alleen als intern nummer"),
    Retention.DOSSIER,
    Sensitivity.MEDIUM,
)
GROUP_FIGURES = Classification(
    Category.SUPPORT,
    _("cijfers van de groep of school bij het besluit en de evaluatie"),
    Retention.SCHOOL,
    Sensitivity.LOW,
)

# --- imports -----------------------------------------------------------------------

IMPORT_WHO = Classification(
    Category.IDENTIFICATION,
    _("wie importeerde of terugdraaide (gebruikersnaam)"),
    Retention.SCHOOL,
    Sensitivity.LOW,
)
IMPORT_WHEN = Classification(
    Category.LOG,
    _("wanneer de import gedaan of teruggedraaid is"),
    Retention.SCHOOL,
    Sensitivity.LOW,
)
IMPORT_DETAILS = Classification(
    Category.NONE,
    _("controlegetal, formaat en aantallen van de import"),
    Retention.SCHOOL,
    Sensitivity.LOW,
)
IMPORT_FILE = Classification(
    Category.TECHNICAL,
    _("bestandsnaam zoals geüpload, met de naam waaronder Koers het bewaart"),
    Retention.SCHOOL,
    Sensitivity.LOW,
)
IMPORT_REPORT = Classification(
    Category.TECHNICAL,
    _("verslag: aantallen, overgeslagen rijen (rijnummer en reden), meldingen"),
    Retention.SCHOOL,
    Sensitivity.LOW,
)
UNDO_LOG = Classification(
    Category.SCHOOL_RESULT,
    _(
        "de vorige waarden van gewijzigde leerlingen en resultaten, om de import "
        "terug te draaien"
    ),
    Retention.DOSSIER,
    Sensitivity.MEDIUM,
)

# --- the deletion ledger ------------------------------------------------------------

PURGED_PUPIL = Classification(
    Category.IDENTIFICATION,
    _(
        "pseudoniem van een verwijderde leerling, om een teruggezette back-up "
        "opnieuw op te schonen"
    ),
    Retention.LEDGER,
    Sensitivity.LOW,
)
PURGE_DETAILS = Classification(
    Category.LOG,
    _("wanneer en waarom verwijderd is, en hoeveel gegevens"),
    Retention.LEDGER,
    Sensitivity.LOW,
)

# --- background tasks --------------------------------------------------------------

TASK_DATA = Classification(
    Category.TECHNICAL,
    _("invoer en uitkomst van de taak: alleen nummers en aantallen"),
    Retention.TASK,
    Sensitivity.LOW,
)
TASK_ERROR = Classification(
    Category.TECHNICAL,
    _("foutmelding van een mislukte taak, zonder leerlinggegevens"),
    Retention.TASK,
    Sensitivity.MEDIUM,
)


# The English verbose names of django-axes, shared by its four log models.
_AXES_MEANINGS: Mapping[str, StrOrLazy] = {
    "user_agent": _("browser"),
    "ip_address": _("IP-adres"),
    "username": _("gebruikersnaam"),
    "http_accept": _("geaccepteerde inhoud (HTTP)"),
    "path_info": _("pagina"),
    "attempt_time": _("tijdstip van de poging"),
    "locked_out": _("geblokkeerd"),
    "get_data": _("gegevens in de URL"),
    "post_data": _("formuliergegevens, zonder wachtwoord"),
    "failures_since_start": _("aantal mislukte pogingen"),
    "logout_time": _("tijdstip van afmelden"),
    "session_hash": _("hash van de sessiesleutel"),
}


def _axes_log(
    label: str, title: StrOrLazy, *extra: tuple[str, Classification]
) -> ModelInventory:
    return classify(
        label,
        ("id", ROW_ID),
        ("username", LOG_WHO),
        ("user_agent ip_address", LOG_WHERE),
        ("http_accept path_info", LOG_TECHNICAL),
        ("attempt_time", LOG_WHAT),
        *extra,
        title=title,
        meanings=_AXES_MEANINGS,
    )


def _twenty_week_record(
    *groups: tuple[str, Classification],
) -> tuple[tuple[str, Classification], ...]:
    """The fields every 20-week record shares, for a school or group record."""
    return (
        ("id", ROW_ID),
        ("school meeting evaluate_year evaluated_in", LINK),
        (
            "starts_on ends_on evaluate_period created_at evaluated_on outcome",
            RECORD_STATE,
        ),
        ("created_by", AUTHOR),
        *groups,
    )


_INVENTORIES = (
    # --- Django: accounts, permissions, sessions -----------------------------------
    classify("auth.Permission", ("id name content_type codename", REFERENCE_DATA)),
    classify("auth.Group", ("id name", REFERENCE_DATA)),
    classify(
        "auth.Group_permissions",
        ("id group permission", REFERENCE_DATA),
        title=_("rechten van een groep"),
    ),
    classify(
        "auth.User",
        ("id", ACCOUNT_ID),
        ("username first_name last_name", ACCOUNT_NAME),
        ("email", EMAIL),
        ("password", ACCOUNT_SECRET),
        ("last_login is_superuser is_staff is_active date_joined", ACCOUNT_STATE),
    ),
    classify(
        "auth.User_groups",
        ("id group", REFERENCE_DATA),
        ("user", ACCOUNT_LINK),
        title=_("groepen van een gebruiker"),
    ),
    classify(
        "auth.User_user_permissions",
        ("id permission", REFERENCE_DATA),
        ("user", ACCOUNT_LINK),
        title=_("rechten van een gebruiker"),
    ),
    classify("contenttypes.ContentType", ("id app_label model", REFERENCE_DATA)),
    classify("sessions.Session", ("session_key session_data expire_date", SESSION)),
    # --- django-allauth: e-mail addresses and the second factor ---------------------
    classify(
        "account.EmailAddress",
        ("id", ROW_ID),
        ("user", ACCOUNT_LINK),
        ("email", EMAIL),
        ("verified primary", ACCOUNT_STATE),
    ),
    classify(
        "account.EmailConfirmation",
        ("id", ROW_ID),
        ("email_address", ACCOUNT_LINK),
        ("created sent", ACCOUNT_STATE),
        ("key", ACCOUNT_SECRET),
    ),
    classify(
        "mfa.Authenticator",
        ("id", ROW_ID),
        ("user", ACCOUNT_LINK),
        ("type created_at last_used_at", ACCOUNT_STATE),
        ("data", ACCOUNT_SECRET),
        title=_("tweede stap (authenticator-app, herstelcodes)"),
        meanings={
            "type": _("soort"),
            "data": _("geheime sleutel of herstelcodes"),
            "created_at": _("ingesteld op"),
            "last_used_at": _("laatst gebruikt op"),
        },
    ),
    # --- django-axes: lockout and the login log --------------------------------------
    classify(
        "axes.AccessAttempt",
        ("id", ROW_ID),
        (
            "username user_agent ip_address http_accept path_info attempt_time "
            "get_data post_data failures_since_start",
            LOCKOUT,
        ),
        title=_("mislukte aanmeldpogingen (blokkade)"),
        meanings=_AXES_MEANINGS,
    ),
    classify(
        "axes.AccessAttemptExpiration",
        ("access_attempt expires_at", LOCKOUT),
        title=_("einde van een blokkade"),
        meanings={
            "access_attempt": _("aanmeldpoging"),
            "expires_at": _("verloopt op"),
        },
    ),
    _axes_log(
        "axes.AccessLog",
        _("aanmeldlogboek"),
        ("logout_time", LOG_WHAT),
        ("session_hash", LOG_TECHNICAL),
    ),
    _axes_log(
        "axes.AccessFailureLog",
        _("logboek van mislukte aanmeldingen"),
        ("locked_out", LOG_WHAT),
    ),
    # --- django-auditlog: the audit trail ---------------------------------------------
    classify(
        "auditlog.LogEntry",
        ("id", ROW_ID),
        ("content_type", REFERENCE_DATA),
        ("actor", LOG_ACTOR),
        ("actor_email", LOG_WHO),
        ("remote_addr", LOG_WHERE),
        ("cid remote_port", LOG_TECHNICAL),
        ("object_pk object_id object_repr action timestamp additional_data", LOG_WHAT),
        ("changes changes_text serialized_data", LOG_CHANGES),
        title=_("auditlogboek"),
        meanings={
            "object_pk": _("id van het object"),
            "object_id": _("id van het object (getal)"),
            "object_repr": _("omschrijving van het object (het id)"),
            "serialized_data": _("gegevens van het object, gemaskeerd"),
            "action": _("handeling"),
            "changes_text": _("wijzigingen als tekst"),
            "changes": _("wijzigingen"),
            "actor": _("gebruiker"),
            "cid": _("verzoeknummer"),
            "remote_addr": _("IP-adres"),
            "remote_port": _("poort"),
            "timestamp": _("tijdstip"),
            "additional_data": _(
                "extra gegevens: pagina, soort inzage, rol, school, nummer van de "
                "leerling of groep"
            ),
            "actor_email": _("e-mailadres van de gebruiker"),
        },
    ),
    # --- django-tasks-db: background tasks -------------------------------------------
    classify(
        "django_tasks_database.DBTaskResult",
        (
            "id status enqueued_at started_at finished_at priority task_path "
            "worker_ids queue_name backend_name run_after exception_class_path",
            TASK_STATE,
        ),
        ("args_kwargs return_value", TASK_DATA),
        ("traceback", TASK_ERROR),
        title=_("achtergrondtaak"),
        meanings={
            "status": _("status"),
            "enqueued_at": _("in de wachtrij gezet op"),
            "started_at": _("begonnen op"),
            "finished_at": _("klaar op"),
            "args_kwargs": _("invoer"),
            "priority": _("voorrang"),
            "task_path": _("taak"),
            "worker_ids": _("verwerkers"),
            "queue_name": _("wachtrij"),
            "backend_name": _("verwerkingsmethode"),
            "run_after": _("niet eerder dan"),
            "return_value": _("uitkomst"),
            "exception_class_path": _("soort fout"),
            "traceback": _("foutmelding"),
        },
    ),
    # --- schools, pupils, teachers, accounts -----------------------------------------
    classify("schools.Board", ("id name", SCHOOL_DATA)),
    classify("schools.School", ("id board brin branch_code name", SCHOOL_DATA)),
    classify("schools.SchoolYear", ("id start_year", REFERENCE_DATA)),
    classify(
        "schools.Group",
        ("id", ROW_ID),
        ("school school_year", LINK),
        ("name external_key", SCHOOL_DATA),
    ),
    classify(
        "schools.Pupil",
        ("id", PUPIL_ID),
        ("school", LINK),
        ("key eck_id", PUPIL_KEY),
        ("surname prefix preferred_name given_names initials", PUPIL_NAME),
        ("birth_date", BIRTH_DATE),
        ("entry_date exit_date", ENROLMENT),
    ),
    classify(
        "schools.Enrolment",
        ("id", ROW_ID),
        ("group", LINK),
        ("pupil", PUPIL_LINK),
        ("grade start_date end_date", ENROLMENT),
    ),
    classify(
        "schools.Teacher",
        ("id", TEACHER_ID),
        ("school", LINK),
        ("key", TEACHER_KEY),
        ("surname prefix preferred_name initials", TEACHER_NAME),
    ),
    classify(
        "schools.Teacher_groups",
        ("id", ROW_ID),
        ("group", LINK),
        ("teacher", TEACHER_LINK),
        title=_("groepen van een leerkracht"),
    ),
    classify(
        "schools.SchoolWeighting",
        ("id", ROW_ID),
        ("school school_year", LINK),
        ("value signal_value_1s2f", SCHOOL_DATA),
    ),
    classify(
        "schools.SchoolMembership",
        ("id", ROW_ID),
        ("school", LINK),
        ("user", ACCOUNT_LINK),
        ("role", ROLE),
        ("teacher", TEACHER_LINK),
    ),
    classify(
        "schools.BoardMembership",
        ("id", ROW_ID),
        ("board", LINK),
        ("user", ACCOUNT_LINK),
    ),
    # --- results and imports ----------------------------------------------------------
    classify(
        "results.ImportBatch",
        ("id", ROW_ID),
        ("school", LINK),
        ("checksum format counts", IMPORT_DETAILS),
        ("file_name", IMPORT_FILE),
        ("imported_by undone_by", IMPORT_WHO),
        ("imported_at undone_at", IMPORT_WHEN),
        ("report", IMPORT_REPORT),
        ("undo_log", UNDO_LOG),
    ),
    classify(
        "results.Instrument", ("id supplier subject name generation", REFERENCE_DATA)
    ),
    classify(
        "results.NormRow",
        (
            "id instrument generation norm_version moment population national_mean "
            "national_sd sem source",
            REFERENCE_DATA,
        ),
    ),
    classify(
        "results.TestResult",
        ("id", ROW_ID),
        ("instrument school_year import_batch", LINK),
        ("pupil", PUPIL_LINK),
        (
            "period moment_grade grade_at_test test_version administered_on scale "
            "norm_label index_source index_coarse",
            RESULT_CONTEXT,
        ),
        (
            "raw_score ability_score level_iv level_ae percentile dle didactic_age "
            "functioning_level reference_level derived index_value",
            RESULT,
        ),
    ),
    classify(
        "results.TransitionTestResult",
        ("id", ROW_ID),
        ("school_year import_batch", LINK),
        ("pupil", PUPIL_LINK),
        ("supplier administered_on", RESULT_CONTEXT),
        ("level_reading level_language level_math advice", RESULT),
        # An exemption is granted for a severe disability or a recent arrival in
        # the Netherlands: it hints at health or origin, so it counts as high.
        (
            "exempt",
            Classification(
                Category.SCHOOL_RESULT,
                _("ontheffing van de doorstroomtoets; reden wordt niet bewaard"),
                Retention.DOSSIER,
                Sensitivity.HIGH,
            ),
        ),
    ),
    classify(
        "imports.ImportJob",
        ("id", ROW_ID),
        ("school", LINK),
        ("status files_done task_id", RECORD_STATE),
        ("user", AUTHOR),
        ("created_at finished_at", IMPORT_WHEN),
        ("files current_file", IMPORT_FILE),
        ("preview summaries error", IMPORT_REPORT),
        meanings={"user": _("geüpload door")},
    ),
    # --- the school's settings and ambitions ------------------------------------------
    classify(
        "analysis.Ambition",
        ("id", ROW_ID),
        ("school school_year", LINK),
        ("subject metric population target", SCHOOL_DATA),
        ("rationale", SCHOOL_TEXT),
    ),
    classify("analysis.FlagRuleSetting", ("id school rule parameters", SCHOOL_DATA)),
    # --- the cycle: onderwijsplan, meetings and 20-week records -----------------------
    classify(
        "cycle.EducationPlan",
        ("id", ROW_ID),
        ("school school_year based_on", LINK),
        ("number created_at", RECORD_STATE),
        ("summary", SCHOOL_TEXT),
        ("created_by", AUTHOR),
    ),
    classify(
        "cycle.PlanSubject",
        ("id", ROW_ID),
        ("plan", LINK),
        ("subject minutes_per_week", SCHOOL_DATA),
        ("learning_line methods instruction_model", SCHOOL_TEXT),
    ),
    classify(
        "cycle.Arrangement",
        ("id", ROW_ID),
        ("plan_subject", LINK),
        ("tier index_from index_below", SCHOOL_DATA),
        (
            "entry_criteria instruction time materials compacting_enriching",
            SCHOOL_TEXT,
        ),
    ),
    classify(
        "cycle.SchoolAgreement",
        ("id", ROW_ID),
        ("plan", LINK),
        ("position", SCHOOL_DATA),
        ("title text", SCHOOL_TEXT),
    ),
    classify(
        "cycle.Meeting",
        ("id", ROW_ID),
        ("school school_year", LINK),
        ("kind after_period held_on closed_at", RECORD_STATE),
        ("participants", STAFF_NAMES),
        ("notes", MEETING_TEXT),
        ("pack", MEETING_FIGURES),
        ("created_by", AUTHOR),
    ),
    classify(
        "cycle.Decision", ("id", ROW_ID), ("meeting", LINK), ("text", MEETING_TEXT)
    ),
    classify(
        "cycle.Action",
        ("id", ROW_ID),
        ("meeting", LINK),
        ("due_on done_on", RECORD_STATE),
        ("description", SCHOOL_TEXT),
        ("owner", STAFF_NAMES),
    ),
    classify(
        "cycle.ProfessionalDevelopmentPlan",
        *_twenty_week_record(
            ("gap_year", LINK),
            (
                "subject metric population gap_period target value_at_start n_at_start",
                SCHOOL_DATA,
            ),
            ("evidence", GROUP_FIGURES),
            ("goal activities success_criterion evaluation_note", SCHOOL_TEXT),
            ("owner", STAFF_NAMES),
        ),
    ),
    classify(
        "cycle.ProfessionalDevelopmentPlan_agreements",
        ("id", ROW_ID),
        ("professionaldevelopmentplan schoolagreement", LINK),
        title=_("schoolafspraken van een professionaliseringsaanpak"),
        meanings={
            "professionaldevelopmentplan": _("professionaliseringsaanpak"),
            "schoolagreement": _("schoolafspraak"),
        },
    ),
    classify(
        "cycle.GroupDeviation",
        *_twenty_week_record(
            ("group plan", LINK),
            ("subject element", SCHOOL_DATA),
            ("figures evidence", GROUP_FIGURES),
            ("subgroup", SUBGROUP_TEXT),
            (
                "from_text to_text reason expected_effect evaluation_note",
                SCHOOL_TEXT,
            ),
        ),
    ),
    classify(
        "cycle.GroupDeviation_pupils",
        ("id", ROW_ID),
        ("groupdeviation", LINK),
        ("pupil", GROUP_PLAN),
        title=_("leerlingen van een afwijking"),
        meanings={"groupdeviation": _("afwijking")},
    ),
    classify(
        "cycle.PupilDecision",
        ("id", ROW_ID),
        ("school meeting evaluate_year evaluated_in", LINK),
        ("created_by", AUTHOR),
        ("pupil", PUPIL_LINK),
        (
            "starts_on ends_on evaluate_period created_at evaluated_on outcome "
            "subject kind tier",
            PUPIL_DECISION,
        ),
        ("flag evidence", RESULT),
        ("reason evaluation_note", PUPIL_NOTE),
    ),
    # --- privacy: the deletion ledger ------------------------------------------------
    classify(
        "privacy.PurgeRecord",
        ("id", ROW_ID),
        ("school school_code", LINK),
        ("pupil_key", PURGED_PUPIL),
        ("purged_at reason counts replayed", PURGE_DETAILS),
    ),
)

INVENTORY: Mapping[str, ModelInventory] = {entry.label: entry for entry in _INVENTORIES}

# Library app names that are English or a package name; the document is Dutch.
APP_TITLES: Mapping[str, StrOrLazy] = {
    "auth": _("Accounts en rechten"),
    "account": _("E-mailadressen van accounts"),
    "mfa": _("Tweede stap bij het aanmelden"),
    "axes": _("Aanmeldpogingen en aanmeldlogboek"),
    "auditlog": _("Auditlogboek"),
    "django_tasks_database": _("Achtergrondtaken"),
}

# Dutch names for fields that have no verbose_name (mostly links), in any model.
COMMON_MEANINGS: Mapping[str, StrOrLazy] = {
    "id": _("ID"),
    "app_label": _("onderdeel"),
    "board": _("bestuur"),
    "school_year": _("schooljaar"),
    "group": _("groep"),
    "pupil": _("leerling"),
    "teacher": _("leerkracht"),
    "user": _("gebruiker"),
    "permission": _("recht"),
    "instrument": _("toets"),
    "import_batch": _("import"),
    "plan": _("onderwijsplan"),
    "plan_subject": _("vak in het onderwijsplan"),
    "based_on": _("gemaakt uit versie"),
    "meeting": _("schoolbespreking"),
    "created_by": _("vastgelegd door"),
    "evaluate_year": _("schooljaar van de evaluatie"),
    "gap_year": _("schooljaar van de meting"),
}

# A link to one of these makes a row about a person, so it is never
# "geen persoonsgegeven" (checked by test_inventory).
PERSON_MODELS = frozenset({"auth.User", "schools.Pupil", "schools.Teacher"})


@dataclass(frozen=True, slots=True)
class FieldEntry:
    model: type[models.Model]
    field: models.Field[Any, Any]
    classification: Classification | None

    @property
    def name(self) -> str:
        return f"{self.model._meta.label}.{self.field.name}"

    @property
    def classified(self) -> Classification:
        if self.classification is None:
            raise LookupError(f"{self.name} is not in the data inventory")
        return self.classification

    @property
    def meaning(self) -> str:
        entry = INVENTORY.get(self.model._meta.label)
        if entry and self.field.name in entry.meanings:
            return str(entry.meanings[self.field.name])

        verbose = str(self.field.verbose_name)
        # Without a verbose_name, Django uses the English field name.
        if verbose == self.field.name.replace("_", " "):
            return str(COMMON_MEANINGS.get(self.field.name, verbose))
        return verbose


def retention_label(retention: Retention) -> str:
    if retention == Retention.DOSSIER:
        years = settings.KOERS_RETENTION_YEARS
        return gettext("%(years)s jaar na vertrek van de leerling") % {"years": years}
    return str(retention.label)


def stored_models() -> list[type[models.Model]]:
    """Every model with a table of its own, in the order of INSTALLED_APPS:
    many-to-many tables included, proxy models (which share their parent's
    table) left out."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if not model._meta.proxy
    ]


def stored_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The columns of the model's own table (a parent's are the parent's)."""
    return list(model._meta.local_concrete_fields)


def field_entries() -> Iterator[FieldEntry]:
    for model in stored_models():
        entry = INVENTORY.get(model._meta.label)
        for stored in stored_fields(model):
            classification = entry.fields.get(stored.name) if entry else None
            yield FieldEntry(model, stored, classification)


def unclassified_fields() -> list[str]:
    return [entry.name for entry in field_entries() if entry.classification is None]


def stale_entries() -> list[str]:
    """Classified names that no stored field has (a field renamed or removed)."""
    present = {entry.name for entry in field_entries()}
    return sorted(
        f"{entry.label}.{name}"
        for entry in INVENTORY.values()
        for name in entry.fields
        if f"{entry.label}.{name}" not in present
    )
