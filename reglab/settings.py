"""Settings for reglab. Everything that differs between machines comes from the environment."""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    """A boolean from the environment; anything but a clear yes/no fails loudly."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (on/off, true/false, 1/0), not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envints(name: str, default: str) -> list[int]:
    try:
        return [int(item) for item in envlist(name, default)]
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be whole numbers separated by commas") from None


DEBUG = envbool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random value in production, "
            "or set DJANGO_DEBUG=on for local development (make run does both for you)."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-DJANGO_DEBUG"

ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "reglab.apps.LoginProtectionConfig",  # django-axes, named for organisers
    "workshops",
    "registrations",
    "proposals",
    # After registrations: its `db_worker` command (reglab's worker) stands in for the
    # library's own, so whoever follows django-tasks-db's docs runs the one that keeps going.
    "reglab.apps.MailTasksConfig",  # django_tasks_db, named for organisers
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The page's language: the django_language cookie (the switch), else Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    # ...except in the admin, which stays Swedish for the organisers.
    "reglab.middleware.SwedishAdminMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Last, so it sees the login attempts the admin's view makes.
    "axes.middleware.AxesMiddleware",
    # Innermost: a lost database connection anywhere below becomes a friendly 503 page.
    "reglab.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "reglab.urls"
WSGI_APPLICATION = "reglab.wsgi.application"

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
                "django.template.context_processors.csp",
            ],
        },
    },
]

# The embedded default is an SQLite file beside manage.py; DATABASE_URL switches to PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DJANGO_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so two registrations queue up instead of
    # failing with "database is locked" halfway through.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
else:
    # Django's backend, health-checking only connections idle for a while (reglab/postgresql).
    DATABASES["default"]["ENGINE"] = "reglab.postgresql"
    # Bounded waits: a registration queues at most LOCK_TIMEOUT ms for a locked workshop row
    # (then the person is asked to try again), and no query runs longer than STATEMENT_TIMEOUT.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c lock_timeout={envint('REGLAB_DB_LOCK_TIMEOUT_MS', 5000)} "
        f"-c statement_timeout={envint('REGLAB_DB_STATEMENT_TIMEOUT_MS', 15000)}"
    )
    # Server-side binding sends a statement's text without its values, the same text on every
    # call, so psycopg can prepare it on the connection (at its 5th use) and PostgreSQL keeps
    # its plan: no parsing or planning per request. Off for a pooler that cannot keep prepared
    # statements (PgBouncer in transaction mode before 1.22).
    if envbool("REGLAB_DB_PREPARED", True):
        DATABASES["default"]["OPTIONS"].update(server_side_binding=True, prepare_threshold=5)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "sv"
# The switch in base.html names each in itself (README, Språk / Languages).
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
# The choice is a cookie, not a URL prefix: a private link, a QR code or an e-mailed URL stays
# one URL per thing. A year, like a preference; not a session (the public pages keep none).
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: console under make run, SMTP from the environment in production.
MAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
MAILERS = {
    "default": {
        "BACKEND": MAIL_BACKEND,
        "OPTIONS": (
            {
                "host": os.environ.get("EMAIL_HOST", "localhost"),
                "port": envint("EMAIL_PORT", 25),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": envbool("EMAIL_USE_TLS", False),
                "use_ssl": envbool("EMAIL_USE_SSL", False),
                "timeout": envint("EMAIL_TIMEOUT", 10),
            }
            if MAIL_BACKEND.endswith("smtp.EmailBackend")
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Reglab <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The address participants' private links start with, in e-mails (no request there).
SITE_URL = os.environ.get("REGLAB_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# E-mails leave as tasks (registrations/emails.py). "immediate": sent right after the commit,
# inside the request (make run, tests). "database": stored with the registration's commit and
# sent by a separate worker, `manage.py mail_worker`, so no request waits on the mail server.
TASK_BACKENDS = {
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
_tasks = os.environ.get("REGLAB_TASKS", "immediate")
if _tasks not in TASK_BACKENDS:
    raise ImproperlyConfigured(f"REGLAB_TASKS must be one of {', '.join(TASK_BACKENDS)}")
TASKS = {"default": {"BACKEND": TASK_BACKENDS[_tasks]}}

# The worker (`manage.py mail_worker`, registrations/tasks_db.py). A task that failed for a
# reason that may pass (the mail server is down, the database connection dropped) is tried
# again after each of these pauses in turn, in seconds: 1 min, 5 min, 30 min, 2 h, then every
# 4 h, the last try about 23 hours after the first. After the last it stays failed.
TASK_RETRY_DELAYS = envints(
    "REGLAB_TASK_RETRY_DELAYS", "60,300,1800,7200,14400,14400,14400,14400,14400"
)
# A task still RUNNING after this many seconds lost its worker (killed, machine gone): it is
# taken up again. Far longer than one message takes (EMAIL_TIMEOUT per step of SMTP).
TASK_RUNNING_TIMEOUT = envint("REGLAB_TASK_RUNNING_TIMEOUT", 15 * 60)
# "idle": the worker runs only on CPU time the web workers leave (Linux's SCHED_IDLE), so
# during a rush confirmations wait a little instead of slowing the registrations down; the
# mails are queued in the database and nothing is lost. "normal" keeps the usual priority
# (for a worker on a machine of its own, or one that is never idle).
WORKER_PRIORITIES = ("idle", "normal")
WORKER_PRIORITY = os.environ.get("REGLAB_WORKER_PRIORITY", "idle")
if WORKER_PRIORITY not in WORKER_PRIORITIES:
    raise ImproperlyConfigured(
        f"REGLAB_WORKER_PRIORITY must be one of {', '.join(WORKER_PRIORITIES)}"
    )
# And while the other processes keep most of the machine's CPUs busy (a rush), the worker
# waits before each message, for at most this many seconds in a row; then it sends anyway
# until the machine is quiet again. 0: never waits. It waits with the task claimed, so the
# wait must end well before the task would count as left by a lost worker.
WORKER_GIVE_WAY_SECONDS = envint("REGLAB_WORKER_GIVE_WAY_SECONDS", 60)
if not 0 <= WORKER_GIVE_WAY_SECONDS <= TASK_RUNNING_TIMEOUT // 2:
    raise ImproperlyConfigured(
        "REGLAB_WORKER_GIVE_WAY_SECONDS must be between 0 and half of "
        f"REGLAB_TASK_RUNNING_TIMEOUT ({TASK_RUNNING_TIMEOUT // 2})"
    )
# The link and "already registered" mails go to whatever address someone types into a form:
# at most this many of them per address per hour, so nobody can flood a mailbox.
MAIL_CAP_PER_HOUR = envint("REGLAB_MAIL_CAP_PER_HOUR", 5)

# Cache (the rate limits and the programme version): Redis when REDIS_URL is set, else this
# process's memory. What each process keeps for itself, and why: reglab/caches.py. While
# Redis is unreachable each process uses its own memory and tries again every few seconds
# (reglab/cache_backends.py); the timeouts (seconds) bound a Redis that hangs.
CACHES = {
    "default": (
        {
            "BACKEND": "reglab.cache_backends.RedisWithLocalFallback",
            "LOCATION": os.environ["REDIS_URL"],
            "OPTIONS": {
                "socket_connect_timeout": envint("REGLAB_REDIS_TIMEOUT_MS", 500) / 1000,
                "socket_timeout": envint("REGLAB_REDIS_TIMEOUT_MS", 500) / 1000,
            },
        }
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
}

REGLAB_RATELIMIT = envbool("REGLAB_RATELIMIT", True)

LOGIN_URL = "admin:login"
# Only organisers' logins use sessions (the public pages keep nothing in one): a working day,
# then log in again. `manage.py clearsessions` (README, Drift) deletes the expired ones.
SESSION_COOKIE_AGE = envint("DJANGO_SESSION_COOKIE_AGE", 10 * 60 * 60)

# Organisers' logins: django-axes locks out an address + user name after repeated failures.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("REGLAB_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(hours=1)
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_LOCKOUT_TEMPLATE = "lockout.html"
AXES_RESET_ON_SUCCESS = True
# The same client address as the rate limits (X-Forwarded-For only behind a trusted proxy).
AXES_CLIENT_IP_CALLABLE = "reglab.ratelimit.client_ip"
# No banner on every manage.py command (make run's output), and its log lines name only
# what a lockout is counted by, not the browser too.
AXES_VERBOSE = False

# Security. Cookies are secure and HSTS is sent when the site is served over HTTPS.
HTTPS = envbool("DJANGO_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = envbool("DJANGO_SECURE_SSL_REDIRECT", HTTPS)
SECURE_HSTS_SECONDS = envint("DJANGO_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
BEHIND_PROXY = envbool("DJANGO_BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# Every handler masks private links' tokens (reglab/logs.py). Django's loggers get these
# handlers instead of its defaults (a console and a mail handler on "django"); runserver's
# request log keeps its format.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"private_tokens": {"()": "reglab.logs.MaskPrivateTokens"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["private_tokens"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["private_tokens"],
        },
    },
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": ["django.server"], "propagate": False},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
