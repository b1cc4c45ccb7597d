"""Django settings for Koers.

Every value a deployment may change comes from the environment. Without any
environment Koers runs on SQLite in the user's data folder, which is what a single
school needs.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from platformdirs import user_data_path

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_secret(name: str, default: str) -> str:
    """A secret from NAME, or from the file named in NAME_FILE."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} moet een geheel getal zijn, niet '{value}'"
        ) from None


def data_dir() -> Path:
    return Path(os.environ.get("KOERS_DATA_DIR") or user_data_path("koers"))


def private_data_dir() -> Path:
    """The data folder, made readable for its owner only: it holds the database
    with pupils' data, the key and the purge ledger."""
    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def default_database_url() -> str:
    return f"sqlite:///{private_data_dir() / 'koers.sqlite3'}"


def local_secret_key() -> str:
    """A key of this installation's own, made at the first start and kept in the
    data folder beside the database (and its back-ups): the key signs sessions and
    makes the pseudonyms of purged pupils, so it must not be one from the source."""
    path = private_data_dir() / "secret_key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(50)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Another process (the worker beside the server) made it first.
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key)
    return key


DEBUG = env_bool("KOERS_DEBUG", False)

# One switch for a server that answers over HTTPS: secure cookies, HSTS and the
# redirect to https. Without it Koers is the demo or a single school's own
# computer, served over plain http on localhost.
PRODUCTION = env_bool("KOERS_PRODUCTION", False)

# The demo and a single-school install run on localhost only; a server deployment
# must set its own key and hosts.
LOCAL_SECRET_KEY = "koers-local-only-not-for-production"  # noqa: S105
SECRET_KEY = env_secret("KOERS_SECRET_KEY", "") or (
    LOCAL_SECRET_KEY if PRODUCTION else local_secret_key()
)
ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("KOERS_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",")
    if host.strip()
]

if PRODUCTION and SECRET_KEY in {"", LOCAL_SECRET_KEY}:
    raise ImproperlyConfigured(
        "KOERS_PRODUCTION staat aan, maar KOERS_SECRET_KEY (of KOERS_SECRET_KEY_FILE) "
        "is niet gezet: Koers start op een server niet met de sleutel voor "
        "lokaal gebruik."
    )
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured(
        "KOERS_PRODUCTION en KOERS_DEBUG staan allebei aan: op een server toont "
        "Koers nooit foutpagina's met details. Zet KOERS_DEBUG uit."
    )
if PRODUCTION and "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "KOERS_PRODUCTION staat aan en KOERS_ALLOWED_HOSTS bevat '*': dan maakt "
        "Koers links (zoals die in een e-mail voor een nieuw wachtwoord) met elke "
        "hostnaam die een aanvraag noemt. Noem de eigen hostnamen."
    )
if PRODUCTION and not os.environ.get("KOERS_ALLOWED_HOSTS"):
    raise ImproperlyConfigured(
        "KOERS_PRODUCTION staat aan, maar KOERS_ALLOWED_HOSTS is niet gezet: noem "
        "de hostnamen waaronder Koers bereikbaar is, gescheiden door komma's."
    )

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "auditlog",
    "django_htmx",
    "django_tasks_db",
    "koers.schools",
    "koers.results",
    "koers.analysis",
    "koers.imports",
    "koers.schoolsettings",
    "koers.cycle",
    "koers.privacy",
]

# How many reverse proxies in front of Koers append to X-Forwarded-For (0: none,
# the header is ignored). The audit trail and the lockout read the address.
KOERS_TRUSTED_PROXIES = env_int("KOERS_TRUSTED_PROXIES", 0)

MIDDLEWARE = [
    "koers.schools.remote_address.TrustedRemoteAddress",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "koers.middleware.NoStore",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "koers.schools.middleware.SessionLimits",
    "koers.schools.middleware.SecondFactorRequired",
    "auditlog.middleware.AuditlogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "koers.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "koers.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("KOERS_DATABASE_URL") or default_database_url(),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Two writers at once (a double click, the import worker beside the web
    # server): the second waits for the first instead of failing with
    # "database is locked" halfway through its transaction.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands")]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
# Without collectstatic (a single school's machine) WhiteNoise serves the files
# straight from the apps; a server deployment sets KOERS_STATIC_ROOT and collects.
STATIC_ROOT = (
    Path(os.environ["KOERS_STATIC_ROOT"])
    if os.environ.get("KOERS_STATIC_ROOT")
    else None
)
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True

# Long passwords without composition rules or forced rotation (ASVS 6.2), hashed
# with Argon2; PBKDF2 stays to read hashes made before Argon2 was the default.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "koers.schools.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# django-axes checks every login first, so that a locked account or address is
# refused before its password is even compared.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "analysis:home"
LOGOUT_REDIRECT_URL = "account_login"

# Accounts are made by an applicatiebeheerder (`koers user add`), never by signing
# up. The same answers for known and unknown accounts; the second factor on every
# new session.
ACCOUNT_ADAPTER = "koers.schools.auth.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# A reset asked for an unknown address sends nothing: Koers mails no strangers.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# django-axes counts wrong passwords (the adapter leaves them to it); allauth's
# limit on failed logins counts wrong codes of the second factor: five per
# account in five minutes, ten a minute from one address.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/300s/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_ADAPTER = "koers.schools.auth.MFAAdapter"
# Accounts come from the applicatiebeheerder, never from signing up, so an e-mail
# address nobody confirmed is no attacker's: it must not stop a set-up (a reset
# request records the address as unconfirmed).
MFA_ALLOW_UNVERIFIED_EMAIL = True
MFA_TOTP_ISSUER = "Koers"
MFA_PASSKEY_LOGIN_ENABLED = False

# Ten wrong passwords lock the account for a quarter of an hour, from wherever
# they came. Not the address as well: a school's staff share one address, and
# ten wrong guesses by anyone would lock out all of them.
AXES_FAILURE_LIMIT = env_int("KOERS_LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes warns when the address is not among them, for setups that lock on cookies
# or user agents, which an attacker rotates; the account name cannot be rotated.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# allauth's form posts `login`, but hands `username` or `email` to the backends.
AXES_USERNAME_CALLABLE = "koers.schools.auth.login_identifier"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False

# Idle for half an hour or signed in for ten hours: sign in again, with the
# second factor (checked in koers.schools.middleware.SessionLimits).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
KOERS_SESSION_MAX_AGE = dt.timedelta(hours=10)

# Password-reset mails; a single school's machine without mail gets a new
# password from `koers user add NAME --password`.
_MAIL_BACKEND = os.environ.get(
    "KOERS_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
_MAIL_OPTIONS: dict[str, object] = {}
if _MAIL_BACKEND.endswith("smtp.EmailBackend"):
    _MAIL_OPTIONS = {
        "host": os.environ.get("KOERS_EMAIL_HOST", "localhost"),
        "port": env_int("KOERS_EMAIL_PORT", 587),
        "username": os.environ.get("KOERS_EMAIL_USER", ""),
        "password": env_secret("KOERS_EMAIL_PASSWORD", ""),
        "use_tls": env_bool("KOERS_EMAIL_TLS", True),
    }
MAILERS = {"default": {"BACKEND": _MAIL_BACKEND, "OPTIONS": _MAIL_OPTIONS}}
DEFAULT_FROM_EMAIL = os.environ.get("KOERS_EMAIL_FROM", "koers@localhost")

# Security headers and cookies (security.md WEB-1, WEB-2, AUTH-6). On a server
# the cookies are sent over HTTPS only, under `__Host-` names that a browser
# accepts only from this host over HTTPS; locally Koers runs over plain http.
SESSION_COOKIE_SECURE = PRODUCTION
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
if PRODUCTION:
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# HTTPS only, for a year, on every subdomain too; behind a reverse proxy that ends
# TLS, KOERS_PROXY_SSL_HEADER names the header in which it says "https".
SECURE_SSL_REDIRECT = PRODUCTION
SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
_PROXY_SSL_HEADER = os.environ.get("KOERS_PROXY_SSL_HEADER", "").strip()
if _PROXY_SSL_HEADER:
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + _PROXY_SSL_HEADER.upper().replace("-", "_"),
        "https",
    )

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Only Koers's own files: no inline script or style, no eval, no other site, no
# framing. `data:` images are the QR code on the page that sets up the second
# factor.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Uploads and imports: bigger files are rejected before they are parsed.
KOERS_MAX_IMPORT_BYTES = env_int("KOERS_MAX_IMPORT_BYTES", 200 * 1024**2)
# Request limits (security.md WEB-9); a request over any of them gets 400. Files
# do not count towards the memory size: they stream to disk, each dropped past
# KOERS_MAX_IMPORT_BYTES (koers.imports.uploads). The form fields of a request
# fit in a megabyte and a thousand fields (the onderwijsplan's edit page is the
# biggest form). An import takes at most 20 files (koers.imports.forms.MAX_FILES):
# one more still reaches the form, which says so in Dutch.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024**2
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 21
# Uploaded files wait here, under generated names, until they are imported or the
# upload is cancelled. Outside the static files: nothing here is ever served.
KOERS_UPLOAD_DIR = data_dir() / "uploads"

# Imports from the browser run in the background: the queue is a table in the
# same database, worked off by `koers manage db_worker`. The tests of
# koers.imports switch to django.tasks.backends.immediate.ImmediateBackend.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# A failed request is logged as status, URL name, user id and a traceback of code
# frames, never with its POST data, local variables or the exception's message
# (security.md ERR-1). Django's own logger gets only this handler, which also
# leaves out the mail handler that would send the request to ADMINS.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_facts": {"()": "koers.request_logging.RequestFacts"}},
    "formatters": {
        "plain": {
            "()": "koers.request_logging.CodeFramesFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {
        "console": {
            "class": "koers.request_logging.ConsoleHandler",
            "formatter": "plain",
            "filters": ["request_facts"],
        }
    },
    "loggers": {
        "koers": {
            "handlers": ["console"],
            "level": os.environ.get("KOERS_LOG_LEVEL", "WARNING"),
        },
        "django": {"handlers": ["console"], "level": "WARNING"},
    },
}

# Retention (security.md RET-1 to RET-5): `koers purge` removes pupils who left
# more than this many years ago. Every purge is also written to a ledger file
# outside the database, so that it can be applied again after a back-up of the
# database is restored.
KOERS_RETENTION_YEARS = env_int("KOERS_RETENTION_YEARS", 2)
# The audit trail and login records, and finished background tasks, are removed
# by the same `koers purge` after this long (koers.privacy.log_retention).
KOERS_LOG_RETENTION_MONTHS = env_int("KOERS_LOG_RETENTION_MONTHS", 12)
KOERS_TASK_RETENTION_DAYS = env_int("KOERS_TASK_RETENTION_DAYS", 30)
KOERS_PURGE_LEDGER = Path(
    os.environ.get("KOERS_PURGE_LEDGER") or data_dir() / "purge-ledger.jsonl"
)
