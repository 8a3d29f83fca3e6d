"""One env-driven settings module.

Embedded start (default): SQLite in ``var/``, a secret key generated once into ``var/``.
Production (``NUANXIN_ENV=production``): ``SECRET_KEY``, ``DATABASE_URL`` and ``ALLOWED_HOSTS``
come from the environment, cookies are secure and two-factor login is required for admins.
"""

import ipaddress
import json
import os
import secrets
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("NUANXIN_VAR_DIR", "").strip() or BASE_DIR / "var")

NUANXIN_ENV = os.environ.get("NUANXIN_ENV", "").strip() or "development"
PRODUCTION = NUANXIN_ENV == "production"
TESTING = "pytest" in sys.modules


def _env(name: str, default: str = "") -> str:
    """A variable of the environment; set but empty counts as unset (``DATABASE_URL=`` in a
    shell or a service file means "the default", not an empty URL)."""
    value = os.environ.get(name, "").strip()
    return value or str(default)


def _env_number(name: str, default, convert=int):
    value = _env(name, str(default))
    try:
        return convert(value)
    except ValueError:
        what = "a whole number" if convert is int else "a number"
        raise ImproperlyConfigured(f"{name} must be {what}, not {value!r}.") from None


def _yuan(value: str) -> Decimal:
    """An amount of money in yuan from the environment (ValueError for anything else)."""
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError(value) from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(value)
    return amount.quantize(Decimal("0.01"))


def _env_json(name: str, default: str):
    value = _env(name, default)
    try:
        return json.loads(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be JSON ({exc}), not {value!r}.") from None


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment in production.")
    # Embedded start: generate once, keep it so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


SECRET_KEY = _secret_key()
DEBUG = _env_bool("DEBUG", False)
ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "simple_history",
    "csp",
    "django_htmx",
    "template_partials",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "nuanxin.core",
    "nuanxin.accounts",
    "nuanxin.orgs",
    "nuanxin.registry",
    "nuanxin.cases",
    "nuanxin.care",
    "nuanxin.hotline",
    "nuanxin.funds",
    "nuanxin.honours",
    "nuanxin.welfare",
    "nuanxin.recuperation",
    "nuanxin.tables",
    "nuanxin.telecom",
    "nuanxin.labour",
    "nuanxin.produce",
    "nuanxin.volunteers",
    "nuanxin.reports",
    "nuanxin.notify",
]

MIDDLEWARE = [
    "nuanxin.core.health.HealthMiddleware",  # /healthz and /readyz before the host check and redirect
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "nuanxin.core.middleware.RequestContextMiddleware",
    "nuanxin.core.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "nuanxin.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "nuanxin.core.middleware.NulCharacterMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "nuanxin.accounts.middleware.SessionTimeoutMiddleware",
    "nuanxin.accounts.middleware.TwoFactorRequiredMiddleware",
    "nuanxin.orgs.middleware.ActiveScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "nuanxin.core.middleware.DatabaseBusyMiddleware",
]

ROOT_URLCONF = "nuanxin.urls"
WSGI_APPLICATION = "nuanxin.wsgi.application"
ASGI_APPLICATION = "nuanxin.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "nuanxin.orgs.context_processors.scope",
                "nuanxin.core.manifest.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DEFAULT_DATABASE_URL = f"sqlite:///{VAR_DIR / 'nuanxin.sqlite3'}"
# One reverse proxy in front (nginx): it terminates HTTPS and appends the client's address to
# X-Forwarded-For, whose last entry is then the client (core.context.client_ip).
NUANXIN_BEHIND_PROXY = _env_bool("NUANXIN_BEHIND_PROXY", False)

DATABASE_URL = _env("DATABASE_URL", DEFAULT_DATABASE_URL)
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0 if TESTING else 60)}
except ValueError as exc:  # an unknown scheme too
    raise ImproperlyConfigured(
        f"DATABASE_URL is not a database address this project reads ({exc}): use sqlite:///PATH or "
        "postgres://USER:PASSWORD@HOST:PORT/NAME, or leave it unset for the embedded SQLite database."
    ) from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and scheduler share the file: WAL lets readers run beside one writer and
    # IMMEDIATE transactions make writers queue instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    if not TESTING:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
# PostgreSQL: each process (web, worker, scheduler) keeps a bounded pool of connections, so a
# burst of requests waits for a free connection (at most NUANXIN_DB_POOL_TIMEOUT seconds, then
# the "system is busy" answer, 503) instead of opening connections until the server refuses
# more ("too many clients already"). NUANXIN_DB_POOL_MAX=0 turns the pool off (e.g. behind
# PgBouncer). Tests run without it unless NUANXIN_DB_POOL_MAX is set: race tests hold more
# parallel connections than a pool allows; the pool's own tests (tests/test_db_pool.py) turn
# it on. docs/operations.md says how to size it.
NUANXIN_DB_POOL_MAX = _env_number("NUANXIN_DB_POOL_MAX", 10)
NUANXIN_DB_POOL_MIN = _env_number("NUANXIN_DB_POOL_MIN", min(2, max(NUANXIN_DB_POOL_MAX, 0)))
NUANXIN_DB_POOL_TIMEOUT = _env_number("NUANXIN_DB_POOL_TIMEOUT", 10, float)
if NUANXIN_DB_POOL_MAX < 0 or not 0 <= NUANXIN_DB_POOL_MIN <= max(NUANXIN_DB_POOL_MAX, 0):
    raise ImproperlyConfigured(
        "NUANXIN_DB_POOL_MAX must be 0 (no pool) or more, and NUANXIN_DB_POOL_MIN between 0 and "
        f"NUANXIN_DB_POOL_MAX, not {NUANXIN_DB_POOL_MIN} and {NUANXIN_DB_POOL_MAX}."
    )
if not NUANXIN_DB_POOL_TIMEOUT > 0:
    raise ImproperlyConfigured(f"NUANXIN_DB_POOL_TIMEOUT must be more than 0 seconds, not {NUANXIN_DB_POOL_TIMEOUT}.")
NUANXIN_DB_POOL = {
    "min_size": NUANXIN_DB_POOL_MIN,
    "max_size": NUANXIN_DB_POOL_MAX,
    "timeout": NUANXIN_DB_POOL_TIMEOUT,
}
if (
    DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    and NUANXIN_DB_POOL_MAX > 0
    and (not TESTING or "NUANXIN_DB_POOL_MAX" in os.environ)
):
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = dict(NUANXIN_DB_POOL)
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections; Django must not
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # a connection the server dropped is replaced
# --- Read replica for the report pages (docs/scaling.md) -------------------------------------
# DATABASE_REPLICA_URL (postgres://…): the care overview, the chart and the reports read from a
# streaming replica (nuanxin.core.replica); every write, sessions and users stay on the primary.
DATABASE_REPLICA_URL = _env("DATABASE_REPLICA_URL")
# The paths whose GET requests read from it: the pages that only show figures. Not the report
# forms, their filling and approval pages: after a report is saved, approved or returned the
# browser comes back to a page that must show it, and a replica a moment behind shows it as it was.
NUANXIN_REPLICA_PATHS = _env_list(
    "NUANXIN_REPLICA_PATHS",
    ["/care/overview/", "/care/chart/", "/reports/dashboard/", "/reports/brief/", "/reports/rates/"],
)
if DATABASE_REPLICA_URL:
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs PostgreSQL as DATABASE_URL.")
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=0 if TESTING else 60)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # tests read the primary
    if "pool" in DATABASES["default"].get("OPTIONS", {}):
        DATABASES["replica"].setdefault("OPTIONS", {})["pool"] = dict(NUANXIN_DB_POOL)
        DATABASES["replica"]["CONN_MAX_AGE"] = 0
        DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASE_ROUTERS = ["nuanxin.core.replica.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        "nuanxin.core.replica.ReplicaReadsMiddleware",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------------
# REDIS_URL (redis://HOST:6379/0, rediss:// with TLS) puts Django's cache in Redis, shared by every
# web node, worker and scheduler: the public pages' rate limits (core/ratelimit.py) then count
# across nodes. Unset: each process keeps its own cache in memory (one machine, docs/operations.md).
REDIS_URL = _env("REDIS_URL")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL must start with redis://, rediss:// or unix://, not {REDIS_URL!r}.")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": _env("NUANXIN_CACHE_PREFIX", "nuanxin"),
            # A Redis that does not answer fails a request after 2 s instead of hanging a worker.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PRODUCTION_PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
PASSWORD_HASHERS = PRODUCTION_PASSWORD_HASHERS
if TESTING:
    # Argon2 is deliberately slow; tests check the production list separately.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "nuanxin.accounts.validators.LettersAndDigitsValidator"},
]

# Lockout (docs/security.md): this many failures for one username, or from one address, within
# the window; checks under way from one address may reach ADDRESS_FAILURES + ADDRESS_CONCURRENT
# together with its failures; addresses in the trusted networks (comma-separated CIDRs: a
# hospital's exit address) have no address bound, only the username bound.
NUANXIN_LOCKOUT_FAILURES = _env_number("NUANXIN_LOCKOUT_FAILURES", 5)
NUANXIN_LOCKOUT_ADDRESS_FAILURES = _env_number("NUANXIN_LOCKOUT_ADDRESS_FAILURES", 30)
NUANXIN_LOCKOUT_ADDRESS_CONCURRENT = _env_number("NUANXIN_LOCKOUT_ADDRESS_CONCURRENT", 20)
NUANXIN_LOCKOUT_WINDOW_SECONDS = 15 * 60


def _env_networks(name: str) -> tuple:
    networks = []
    for item in _env(name, "").split(","):
        if item.strip():
            try:
                networks.append(ipaddress.ip_network(item.strip()))
            except ValueError as exc:
                raise ImproperlyConfigured(
                    f"{name} must be networks separated by commas (such as 10.20.0.0/16,192.0.2.7), "
                    f"not {item.strip()!r}: {exc}."
                ) from None
    return tuple(networks)


NUANXIN_LOCKOUT_TRUSTED_NETWORKS = _env_networks("NUANXIN_LOCKOUT_TRUSTED_NETWORKS")
NUANXIN_SESSION_IDLE_SECONDS = 30 * 60
NUANXIN_SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
NUANXIN_TOTP_REQUIRED_ROLES = ["city_admin", "org_admin", "auditor"] if PRODUCTION else []
NUANXIN_API_TOKEN_DEFAULT_DAYS = 90

# The address the site is reached at (https://nuanxin.example.org), which links in text
# messages start with; empty: they carry the bare path.
NUANXIN_SITE_URL = _env("NUANXIN_SITE_URL", "")

# --- The psychological care hotline (docs/hotline.md) ----------------------------------------
# Psychological records are kept this many days, then their identifying fields are cleared
# (the coded fields stay for the figures).
NUANXIN_HOTLINE_RETENTION_DAYS = _env_number("NUANXIN_HOTLINE_RETENTION_DAYS", 3 * 365)
# Hours to a crisis case's first contact (imminent risk: 0 = at once); minutes past a due time
# before an overdue callback or crisis case is escalated to the hotline's supervisors.
NUANXIN_HOTLINE_CRISIS_CONTACT_HOURS = _env_number("NUANXIN_HOTLINE_CRISIS_CONTACT_HOURS", 2)
NUANXIN_HOTLINE_CRISIS_IMMINENT_CONTACT_HOURS = _env_number("NUANXIN_HOTLINE_CRISIS_IMMINENT_CONTACT_HOURS", 0)
NUANXIN_HOTLINE_ESCALATION_DELAY_MINUTES = _env_number("NUANXIN_HOTLINE_ESCALATION_DELAY_MINUTES", 30)
# Hours within which a callback is due: by the self-assessment's severity (a partial JSON object
# overrides only its keys), and for a callback arranged during a call.
NUANXIN_HOTLINE_CALLBACK_HOURS = _env_json(
    "NUANXIN_HOTLINE_CALLBACK_HOURS", '{"crisis": 0, "severe": 24, "moderate": 72, "mild": 120}'
)
NUANXIN_HOTLINE_CALL_CALLBACK_HOURS = _env_number("NUANXIN_HOTLINE_CALL_CALLBACK_HOURS", 24)
# A shift short of its minimum seats is notified to the coordinators this many days ahead.
NUANXIN_HOTLINE_GAP_NOTICE_DAYS = _env_number("NUANXIN_HOTLINE_GAP_NOTICE_DAYS", 3)
# The public self-assessment's rate limits (counted in the cache: use a shared cache when
# several web processes serve it, see docs/operations.md).
NUANXIN_HOTLINE_SUBMITS_PER_ADDRESS_PER_HOUR = _env_number("NUANXIN_HOTLINE_SUBMITS_PER_ADDRESS_PER_HOUR", 60)
NUANXIN_HOTLINE_CALLBACKS_PER_MOBILE_PER_DAY = _env_number("NUANXIN_HOTLINE_CALLBACKS_PER_MOBILE_PER_DAY", 3)

# --- The produce supply (docs/produce.md) ----------------------------------------------------
# Pickup codes matching no parcel one person may type in an hour (counted in the cache).
NUANXIN_PRODUCE_WRONG_CODES_PER_HOUR = _env_number("NUANXIN_PRODUCE_WRONG_CODES_PER_HOUR", 20)

# --- Special funds (docs/funds.md) ------------------------------------------------------------
# An entry (or a batch recorded at once) above this many yuan needs the parent organisation's
# approver too, unless the organisation's own threshold says otherwise (set by the level above).
NUANXIN_FUNDS_THRESHOLD = _env_number("NUANXIN_FUNDS_THRESHOLD", "50000", convert=_yuan)
# The aid-team health project and the fee waiver (docs/recuperation.md, docs/telecom.md).
# A number sent to its carrier and not confirmed within this many days is shown and reminded.
NUANXIN_TELECOM_CONFIRM_DAYS = _env_number("NUANXIN_TELECOM_CONFIRM_DAYS", 3)

SESSION_ENGINE = "django.contrib.sessions.backends.db"
# The cookie lives as long as the absolute limit; SessionTimeoutMiddleware ends idle sessions
# on the server (audited, with a message), which a cookie that vanished silently could not.
SESSION_COOKIE_AGE = NUANXIN_SESSION_ABSOLUTE_SECONDS
# Saved when changed only: the idle clock is stamped at most once a minute (accounts/middleware.py).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Security headers -----------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = _env_number("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if NUANXIN_BEHIND_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "nuanxin_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
# Production serves the collected files (`nuanxin collectstatic`); the embedded start and the
# tests serve straight from the package through whitenoise's finders, with nothing to collect.
STATIC_ROOT = VAR_DIR / "static" if PRODUCTION else None
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
WHITENOISE_USE_FINDERS = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Attachments (nuanxin/core/attachments.py): private files, never under a served path; read only
# through the attachment view, which applies the owning record's policy (docs/operations.md).
if _env("NUANXIN_S3_BUCKET"):
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _env("NUANXIN_S3_BUCKET"),
            "endpoint_url": _env("NUANXIN_S3_ENDPOINT_URL") or None,
            "region_name": _env("NUANXIN_S3_REGION") or None,
            "access_key": _env("NUANXIN_S3_ACCESS_KEY_ID") or None,  # else boto3's own chain
            "secret_key": _env("NUANXIN_S3_SECRET_ACCESS_KEY") or None,
            "location": _env("NUANXIN_S3_PREFIX", "private"),
            "addressing_style": _env("NUANXIN_S3_ADDRESSING_STYLE") or None,  # "path" for MinIO
            "default_acl": None,  # the bucket's own (private) policy
            "file_overwrite": False,
        },
    }
elif TESTING:  # in memory; a test that needs the disk overrides it
    STORAGES["private"] = {"BACKEND": "django.core.files.storage.InMemoryStorage"}
else:
    STORAGES["private"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": Path(_env("NUANXIN_PRIVATE_DIR", str(VAR_DIR / "private"))),
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }

# --- Background work ------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend"
        ),
    }
}
# The scheduler's lease (seconds): a scheduler that died is replaced by a waiting one this long
# after its last tick at the latest. The tick (15 s by default) must be shorter.
NUANXIN_SCHEDULER_LEASE_SECONDS = _env_number("NUANXIN_SCHEDULER_LEASE_SECONDS", 60)
if NUANXIN_SCHEDULER_LEASE_SECONDS < 2:
    raise ImproperlyConfigured(
        f"NUANXIN_SCHEDULER_LEASE_SECONDS must be 2 or more, not {NUANXIN_SCHEDULER_LEASE_SECONDS}."
    )

# --- The web server (``nuanxin web``: gunicorn) ----------------------------------------------
# Processes and threads per process; a sync worker (threads 1) serves one request at a time.
# Default: two processes per CPU this process may use (4 with 2 CPUs), each with its database pool:
# the CPUs it may run on and a cgroup v2 quota (a container's, a systemd unit's), not the host's cores.
from nuanxin.core.cpus import usable_cpus  # noqa: E402 (no Django in it)

NUANXIN_WEB_WORKERS = _env_number("NUANXIN_WEB_WORKERS", 2 * usable_cpus())
NUANXIN_WEB_THREADS = _env_number("NUANXIN_WEB_THREADS", 1)
# A request still running after this many seconds is cut off and its worker replaced.
NUANXIN_WEB_TIMEOUT = _env_number("NUANXIN_WEB_TIMEOUT", 60)
# Connections waiting to be accepted (Django's development server had 10).
NUANXIN_WEB_BACKLOG = _env_number("NUANXIN_WEB_BACKLOG", 2048)
for _name in ("NUANXIN_WEB_WORKERS", "NUANXIN_WEB_THREADS", "NUANXIN_WEB_TIMEOUT", "NUANXIN_WEB_BACKLOG"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be 1 or more, not {globals()[_name]}.")

# --- Import of the official tables (docs/import.md) ----------------------------------------
# Uploads are kept as the batch's private attachment (STORAGES["private"]) until read.
NUANXIN_IMPORT_MAX_BYTES = _env_number("NUANXIN_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
NUANXIN_IMPORT_MAX_ROWS = _env_number("NUANXIN_IMPORT_MAX_ROWS", 200000)
NUANXIN_DUPLICATE_LOOKUPS_PER_DAY = _env_number("NUANXIN_DUPLICATE_LOOKUPS_PER_DAY", 20)  # docs/security.md
# An upload over the byte limit is dropped as it arrives, not first kept on disk (core/uploads.py).
FILE_UPLOAD_HANDLERS = [
    "nuanxin.core.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- Notifications: text messages and e-mail (docs/notifications.md) -------------------------
# SMS backend: console (development), file (tests: JSON lines), or the provider backend.
NUANXIN_SMS_BACKEND = os.environ.get(
    "NUANXIN_SMS_BACKEND",
    "nuanxin.notify.sms.FileBackend" if TESTING else "nuanxin.notify.sms.ConsoleBackend",
)
NUANXIN_SMS_FILE = Path(os.environ.get("NUANXIN_SMS_FILE", VAR_DIR / ("sms-test.jsonl" if TESTING else "sms.jsonl")))
# The provider backend: an HTTP JSON POST signed with HMAC-SHA256 (see nuanxin/notify/sms.py).
NUANXIN_SMS_PROVIDER = {
    "URL": os.environ.get("NUANXIN_SMS_PROVIDER_URL", ""),
    "ACCESS_KEY": os.environ.get("NUANXIN_SMS_ACCESS_KEY", ""),
    "SECRET": os.environ.get("NUANXIN_SMS_SECRET", ""),
    "SIGN_NAME": os.environ.get("NUANXIN_SMS_SIGN_NAME", ""),
    "TIMEOUT": _env_number("NUANXIN_SMS_TIMEOUT", 10, float),
}
# Our template names -> the provider's approved template ids, e.g. '{"care_week_due": "SMS_123"}'.
NUANXIN_SMS_TEMPLATES = _env_json("NUANXIN_SMS_TEMPLATES", "{}")
NUANXIN_NOTIFY_MAX_ATTEMPTS = _env_number("NUANXIN_NOTIFY_MAX_ATTEMPTS", 5)
NUANXIN_NOTIFY_RETRY_SECONDS = _env_number("NUANXIN_NOTIFY_RETRY_SECONDS", 60)  # doubles per attempt
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _env_number("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "nuanxin@localhost")

# --- Logging --------------------------------------------------------------------------------
# Every handler masks mobiles and ID numbers (a full mobile searched for is in the request line
# of the access log); the web server's access log ("django.server") gets the same filter.
# NUANXIN_LOG_FORMAT=json writes every line as one JSON object (core/logformat.py), the web
# server's access log too (`nuanxin web`).
NUANXIN_LOG_FORMAT = _env("NUANXIN_LOG_FORMAT", "plain")
if NUANXIN_LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured(f"NUANXIN_LOG_FORMAT must be plain or json, not {NUANXIN_LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "personal_numbers": {"()": "nuanxin.core.logmask.MaskPersonalNumbers"},
        "refusal_on_one_line": {"()": "nuanxin.core.loglines.RefusalOnOneLine"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "nuanxin.core.logformat.JsonFormatter"},
        "server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler", "formatter": NUANXIN_LOG_FORMAT, "filters": ["personal_numbers"]
        },
        "server": {
            "class": "logging.StreamHandler",
            "formatter": "json" if NUANXIN_LOG_FORMAT == "json" else "server",
            "filters": ["personal_numbers"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"filters": ["refusal_on_one_line"]},
        "django.server": {"handlers": ["server"], "level": "INFO", "propagate": False},
    },
}
