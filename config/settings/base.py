"""Settings shared by every process, driven by environment variables (django-environ).

Defaults are the embedded mode: a SQLite file under ``var/`` and a filesystem Celery broker, so
``make run`` needs no server. Production sets DATABASE_URL, REDIS_URL and SECRET_KEY.

The package: ``base`` (this module: Django, the API, each app's rules), ``celery`` (broker, task options,
the beat schedule), ``production`` (base + celery + the refusals to start without secrets; what
manage.py, wsgi/asgi and the Celery app load by default, with DEBUG=1 for development) and ``test``
(production plus the test suite's environment defaults; pytest loads it).
"""

from decimal import Decimal
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env") if (BASE_DIR / ".env").exists() else None

DEBUG = env.bool("DEBUG", default=False)
_DEV_SECRET = "dev-only-insecure-secret-key-never-use-in-production-0123456789"
# Production (DEBUG off) refuses to start without the secrets unless ALLOW_DEV_SECRET says so
# (config.settings.production).
ALLOW_DEV_SECRET = env.bool("ALLOW_DEV_SECRET", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="") or _DEV_SECRET

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # The admin theme (django-admin-interface; before django.contrib.admin so its templates win). The
    # theme is a data row (系统设置 → 主题), seeded by core's migration with the company's colours.
    "admin_interface",
    "colorfield",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_api_key",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_celery_beat",
    "simple_history",
    "import_export",
    "core",
    "customers",
    "loyalty",
    "care",
    "complaints",
    "engage",
    "retention",
    "appraisal",
    "kpis",  # last of ours: roles are synced after its migrations (core.roles.sync_roles_after_migrate)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.StaffLoginRequiredMiddleware",
    "core.middleware.ApiJsonOnlyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The web process, the worker, beat and the demo seeding share the file. WAL lets readers go on while
    # one writes; IMMEDIATE transactions take the write lock up front, so a writer waits (up to the
    # timeout) instead of failing with "database is locked" when it upgrades a read to a write.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20,
        transaction_mode="IMMEDIATE",
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    )
    # Covering indexes (INCLUDE) are a PostgreSQL feature; SQLite just uses the key columns.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "admin:login"

# --- Internationalisation: Simplified Chinese by default, English available -----------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))

# --- Security (production defaults are strict; check --deploy must be clean) ----------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Paths reachable without a staff login: health probe, the API (it authenticates itself),
# and public pages added by later issues (the online complaint form).
LOGIN_EXEMPT_PREFIXES = ("/healthz", "/api/", "/public/", "/static/", "/i18n/")

# --- Email ----------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="crm@daijia.example")

# --- Sensitive-field encryption (used by customers): comma-separated Fernet keys, newest first.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
# Key for the HMAC "blind index" beside encrypted columns (lookups/uniqueness without plaintext).
BLIND_INDEX_KEY = env.str("BLIND_INDEX_KEY", default="")

# --- REST API (the platform API issue) -------------------------------------------------------
# Platforms authenticate with "Authorization: Api-Key <key>"; staff may read with their session.
# Views must opt in to platforms (permission IsPlatform / IsPlatformOrStaffReader); the default is
# staff only. Every error is {"code", "message", "errors"} (core.api_errors).
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "platform_api.auth.PlatformAPIKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["platform_api.permissions.IsStaff"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # JSON only: any other body is 415 (core.middleware.ApiJsonOnlyMiddleware answers it first).
    "DEFAULT_PARSER_CLASSES": ["core.api_errors.LimitedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["core.api_errors.JSONRenderer"],
    "DEFAULT_THROTTLE_CLASSES": ["platform_api.throttling.PlatformRateThrottle"],
    "EXCEPTION_HANDLER": "core.api_errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Per-platform rate limits (all keys of a platform together); "N/s|min|hour|day".
API_THROTTLE_RATES = {
    "platform": env.str("API_THROTTLE_PLATFORM", default="1200/min"),
    "platform_batch": env.str("API_THROTTLE_PLATFORM_BATCH", default="120/min"),
    "staff": env.str("API_THROTTLE_STAFF", default="600/min"),
    "anon": env.str("API_THROTTLE_ANON", default="60/min"),
}
API_THROTTLE_CACHE = "api"
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=2 * 1024 * 1024)  # 413 above this
API_BATCH_MAX_ORDERS = env.int("API_BATCH_MAX_ORDERS", default=500)
API_IDEMPOTENCY_TTL_HOURS = env.int("API_IDEMPOTENCY_TTL_HOURS", default=24)
API_KEY_TOUCH_SECONDS = env.int("API_KEY_TOUCH_SECONDS", default=60)  # last_used_at write interval
# Failed API-key attempts per client address and window; above it 429 with Retry-After until the next
# window (platform_api.key_failures; fails open when the cache is down).
API_KEY_FAILURE_RATE = env.str("API_KEY_FAILURE_RATE", default="20/min")
# Reverse proxies in front of the app that append to X-Forwarded-For (0: use REMOTE_ADDR). The client is
# the N-th address from the right; anything further left is the client's own text, never trusted.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
API_REJECTED_PAYLOADS_KEPT = env.int("API_REJECTED_PAYLOADS_KEPT", default=200)  # per platform
# A customer a platform creates without a real full name (only 王先生) gets this prefix + what was sent;
# the admin's entry rules then ask an agent for the real name.
API_PENDING_NAME_PREFIX = env.str("API_PENDING_NAME_PREFIX", default="【待核实】")
# The order endpoints' fast paths (customers/api/fast.py: validation and the push's answer without
# DRF's per-order machinery, same results); off: the serializers alone. bench/README.md has the A/B.
API_FAST_PATHS = env.bool("API_FAST_PATHS", default=True)
# The largest fee one order may carry (CNY): above it a push is refused (400, field "fee"), so a platform
# cannot buy points and tiers with invented fees. A designated-driver trip, even intercity, stays far below.
ORDER_FEE_MAX = Decimal(env.str("ORDER_FEE_MAX", default="3000"))
# Orders booked further ahead than this are refused as impossible dates.
API_ORDER_MAX_FUTURE_DAYS = env.int("API_ORDER_MAX_FUTURE_DAYS", default=366)
# A platform may cancel a completed order (a refund) this many days after its finish; loyalty then
# reverses its points. Default: the points' pending window, when fee disputes arrive.
ORDER_CANCEL_WINDOW_DAYS = env.int("ORDER_CANCEL_WINDOW_DAYS", default=7)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "api": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("API_THROTTLE_REDIS_URL", default=env.str("REDIS_URL", default="")),
            "KEY_PREFIX": "api",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
        if env.str("REDIS_URL", default="")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api"}
    ),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "代驾客户管理系统 平台接口 / Designated-driver CRM platform API",
    "DESCRIPTION": (
        "Platforms push orders, ratings and complaints and read benefits. Authenticate with the header "
        "`Authorization: Api-Key <key>`. Errors are `{\"code\", \"message\", \"errors\"}`; POSTs accept "
        "an `Idempotency-Key` header (kept 24 h)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    # The interactive page works offline: Swagger UI is served from drf-spectacular-sidecar.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Backups (000: data backup): `manage.py backup` / `restore`, and nightly at 02:30 by beat. Keep
# BACKUP_DIR on another disk (or copy it off the machine); FIELD_ENCRYPTION_KEYS are not in the backup.
BACKUP_DIR = Path(env.str("BACKUP_DIR", default=str(VAR_DIR / "backups")))
BACKUP_KEEP = env.int("BACKUP_KEEP", default=14)
# The nightly job does nothing if a backup finished less than this long ago (a repeated delivery).
BACKUP_MIN_INTERVAL_HOURS = env.int("BACKUP_MIN_INTERVAL_HOURS", default=12)
# Fernet keys, comma-separated, newest first: backups are encrypted with the first, restored with any.
# Empty: plain backups. Keep these keys apart from the backups (and from FIELD_ENCRYPTION_KEYS).
BACKUP_ENCRYPTION_KEYS = env.list("BACKUP_ENCRYPTION_KEYS", default=[])
# --- Faults (issue 16): who hears of a failed job; the API when the database is cut off --------
# Operators' addresses, comma-separated: a failed backup (disk full, target unwritable) e-mails them
# at once (core.notifications.email_ops). Empty: the failure is only logged and shown in job_status.
OPS_EMAILS = env.list("OPS_EMAILS", default=[])
# The database refused or cut a platform API request: 503 with this Retry-After (core.api_errors).
API_DATABASE_RETRY_AFTER_SECONDS = env.int("API_DATABASE_RETRY_AFTER_SECONDS", default=5)
# An Idempotency-Key claim with no answer after this long (its request died with the database
# connection) is taken over by the retry; longer than gunicorn's 30 s request timeout.
API_IDEMPOTENCY_IN_FLIGHT_SECONDS = env.int("API_IDEMPOTENCY_IN_FLIGHT_SECONDS", default=60)
# With persistent connections (CONN_MAX_AGE > 0) a connection the server dropped while idle (restart,
# failover, pg_terminate_backend) is replaced at the next request instead of failing it.
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

# --- Past one machine (issue 16; docs/operations.md "How the system grows") ---------------------
# A PostgreSQL read replica (streaming replication of the primary): the dashboard, KPI snapshot reads,
# exports and reports read from it (core.db_routing: never writes; a request that wrote reads the
# primary). Unset: everything uses "default".
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db_url_config(DATABASE_REPLICA_URL)
    DATABASES["replica"].setdefault("CONN_MAX_AGE", DATABASES["default"]["CONN_MAX_AGE"])
    DATABASES["replica"].setdefault("CONN_HEALTH_CHECKS", True)
    # Tests run against one database: the alias reads it through a connection of its own.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
READ_REPLICA_ALIAS = "replica" if DATABASE_REPLICA_URL else ""
DATABASE_ROUTERS = ["core.db_routing.ReplicaRouter"]
# Behind PgBouncer in transaction mode (DATABASE_POOLER=pgbouncer): a server connection serves another
# client after each transaction, so Django's WITH HOLD cursors (.iterator() outside a transaction)
# cannot be used. Session state (advisory locks, temporary tables kept across transactions) must not be
# relied on either: the workers and beat connect to PostgreSQL directly (docker-compose.scale.yml).
if env.str("DATABASE_POOLER", default="") == "pgbouncer":
    for _alias in DATABASES.values():
        _alias["DISABLE_SERVER_SIDE_CURSORS"] = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "kpis.staticfinders.ChartJsFinder",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

COMPANY_NAME = env.str("COMPANY_NAME", default="安心代驾")

# --- Data operations (issue 13, items 8 and 10: exports, backups, secrets, import files, SMS) -------
# Exports escape formula cells through core.spreadsheets; django-import-export's own escaping (a
# leading "=" removed) is switched on as well for any export path of the library.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
# Customer imports: between the dry run and the confirmation the uploaded file is kept encrypted with
# a key that only the confirmation form holds (core.import_storage), in this private directory.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "core.import_storage.EncryptedTempStorage"
IMPORT_TMP_DIR = env.path("IMPORT_TMP_DIR", default=str(VAR_DIR / "import-tmp"))
# Backups without BACKUP_ENCRYPTION_KEYS are refused when DEBUG is off unless this says so explicitly.
BACKUP_ALLOW_UNENCRYPTED = env.bool("BACKUP_ALLOW_UNENCRYPTED", default=False)
# Logs: mobiles and ID numbers are masked in every record, exceptions included (core.log_redaction); the
# Celery worker logs through this configuration instead of its own handlers (config.settings.celery).
LOGGING["filters"] = {"redact_personal_data": {"()": "core.log_redaction.RedactPersonalData"}}
LOGGING["handlers"]["console"]["filters"] = ["redact_personal_data"]

# --- Staff web safety (issue 13 items 4, 9, 10; issue 15 item 10) — staffweb's block -----------
# See docs/security.md ("Staff actions", "Public complaint form", "Admin login", "Attachments").
import datetime as _dt  # noqa: E402

from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE  # noqa: E402

INSTALLED_APPS += ["csp", "axes", "captcha"]
MIDDLEWARE += [
    "csp.middleware.CSPMiddleware",
    "core.login_throttle.LoginAddressThrottleMiddleware",
    "axes.middleware.AxesMiddleware",  # django-axes wants to be last
]
# django-axes checks (and counts) every password login before the model backend does.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# (TRUSTED_PROXY_COUNT, defined with the API settings, also keys the public form's limits and the lockout.)
# Content-Security-Policy on every page (admin, dashboard, public form): scripts only from our own
# origin (or with the per-request nonce), so injected <script> and on…= handlers do not run. Inline
# style attributes stay allowed (the admin uses them; styles cannot run code).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Admin login lockout (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username from
# one address, that pair is refused (429) for AXES_COOLOFF_MINUTES; a correct login resets the count.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = _dt.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "core.http.client_ip_for_axes"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/lockout.html"
AXES_VERBOSE = False
# Beside the per-account lockout: failed admin logins from one address (any usernames) per hour before
# that address may not try again this hour (password spraying); high enough for an office behind one NAT.
ADMIN_LOGIN_FAILURES_PER_ADDRESS_PER_HOUR = env.int("ADMIN_LOGIN_FAILURES_PER_ADDRESS_PER_HOUR", default=30)
# The public complaint form and status page (no login). Limits count in the "api" cache (Redis when
# REDIS_URL is set) and fail closed: no cache, no submission ("请稍后再试", 503).
PUBLIC_RATE_LIMIT_CACHE = "api"
COMPLAINT_PUBLIC_FORM_PER_MOBILE_PER_DAY = env.int("COMPLAINT_PUBLIC_FORM_PER_MOBILE_PER_DAY", default=3)
COMPLAINT_PUBLIC_CAPTCHA_AFTER = env.int("COMPLAINT_PUBLIC_CAPTCHA_AFTER", default=2)  # per address and hour
COMPLAINT_PUBLIC_REPEAT_MINUTES = env.int("COMPLAINT_PUBLIC_REPEAT_MINUTES", default=30)  # same mobile + text
COMPLAINT_PUBLIC_STATUS_PER_HOUR = env.int("COMPLAINT_PUBLIC_STATUS_PER_HOUR", default=10)  # lookups per address
COMPANY_HOTLINE = env.str("COMPANY_HOTLINE", default="400-800-1234")
CAPTCHA_IMAGE_SIZE = (120, 44)
CAPTCHA_LENGTH = 4
CAPTCHA_TIMEOUT = 10  # minutes
CAPTCHA_CHALLENGE_FUNCT = "captcha.helpers.math_challenge"

# --- Staff workspace: menu, search box, error pages (issue 15 items 1, 6, 8) ----------------------
# The search box on every admin page shows at most this many records of each kind (customers, orders,
# complaints); one record found opens it directly.
STAFF_SEARCH_MAX_HITS = env.int("STAFF_SEARCH_MAX_HITS", default=20)
# The sidebar's groups (工作台 … 考核, 报表, 系统设置) as data; each item shown per permission (core.navigation).
from config.navigation import STAFF_NAVIGATION  # noqa: E402, F401

TEMPLATES[0]["OPTIONS"]["context_processors"].append("core.navigation.navigation")
# Start pages (issue 15): a complaint's pending deadline counts as "soon due" on the supervisor's
# start page once this share (%) of its window (receipt → deadline) has passed.
COMPLAINT_DEADLINE_WARNING_PERCENT = env.int("COMPLAINT_DEADLINE_WARNING_PERCENT", default=80)
