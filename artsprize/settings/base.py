"""Settings shared by every mode. Each value that differs between deployments comes
from the environment; README.md lists every variable with its default."""

import os
from pathlib import Path

import environ

from artsprize.settings.cache import cache_config
from artsprize.settings.storage import (
    LOCAL_S3_ACCESS_KEY,
    LOCAL_S3_PORT,
    LOCAL_S3_SECRET_KEY,
    storages_config,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = False
# Secrets are read as they are: django-environ would take a value that starts
# with "$" for the name of another variable, and a random key may start so.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
PORT = env.int("PORT", default=8000)
SITE_URL = env("SITE_URL", default=f"http://127.0.0.1:{PORT}")

INSTALLED_APPS = [
    "artsprize.common",
    "artsprize.accounts",
    "artsprize.news",
    "submissions",
    "judging",
    "artsprize.accounts.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "rules.apps.AutodiscoverRulesConfig",
    "csp",
    "storages",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "artsprize.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "artsprize.urls"
WSGI_APPLICATION = "artsprize.wsgi.application"

# Form markup from Jinja2 templates (artsprize/common/form_renderer.py).
FORM_RENDERER = "artsprize.common.form_renderer.FormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "artsprize.common.context_processors.portal",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL says otherwise.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: WAL lets readers and one writer work at
    # once, the timeout waits for the writer, and IMMEDIATE takes the write lock when
    # a transaction starts, which is what select_for_update does elsewhere.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A database that does not answer fails a request (and /healthz) quickly
    # instead of holding a web worker.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": cache_config(
        env("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}")
    )
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: e-mail is the login, verified before first use.
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SIGNUP_FORM_CLASS = "artsprize.accounts.forms.SignupProfileForm"
ACCOUNT_ADAPTER = "artsprize.accounts.adapter.AccountAdapter"
MFA_ADAPTER = "artsprize.accounts.adapter.MFAAdapter"
MFA_FORMS = {"activate_totp": "artsprize.accounts.forms.ActivateTOTPForm"}
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# A person is told by mail when their password, e-mail address or second factor
# changes (the templates under templates/account/email and templates/mfa/email).
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "HK Human Rights Arts Prize"
MFA_RECOVERY_CODE_COUNT = 10

# Internationalisation: English and Traditional Chinese, Hong Kong time.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hant", "繁體中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Hong_Kong"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# Object storage. Without S3_ENDPOINT_URL the embedded local server is used.
S3_ENDPOINT_URL = env("S3_ENDPOINT_URL", default="")
LOCAL_S3 = not S3_ENDPOINT_URL and not env.bool("S3_USE_AWS", default=False)
LOCAL_S3_DIR = VAR_DIR / "s3"
LOCAL_S3_PORT = env.int("LOCAL_S3_PORT", default=LOCAL_S3_PORT)
if LOCAL_S3:
    S3_ENDPOINT_URL = f"http://127.0.0.1:{LOCAL_S3_PORT}"
S3_PRIVATE_BUCKET = env("S3_PRIVATE_BUCKET", default="artsprize-private")
S3_PUBLIC_BUCKET = env("S3_PUBLIC_BUCKET", default="artsprize-public")
S3_PRESIGN_SECONDS = env.int("S3_PRESIGN_SECONDS", default=300)
S3_PUBLIC_BASE_URL = env("S3_PUBLIC_BASE_URL", default="")
# Calls a minute one person may make to the upload API (start, sign, complete…).
UPLOAD_API_RATE_PER_MINUTE = env.int("UPLOAD_API_RATE_PER_MINUTE", default=120)
STORAGES = storages_config(
    endpoint_url=S3_ENDPOINT_URL,
    access_key=env("S3_ACCESS_KEY_ID", default=LOCAL_S3_ACCESS_KEY if LOCAL_S3 else ""),
    secret_key=os.environ.get(
        "S3_SECRET_ACCESS_KEY", LOCAL_S3_SECRET_KEY if LOCAL_S3 else ""
    ),
    region=env("S3_REGION", default="us-east-1"),
    private_bucket=S3_PRIVATE_BUCKET,
    public_bucket=S3_PUBLIC_BUCKET,
    addressing_style=env("S3_ADDRESSING_STYLE", default="path"),
    presign_seconds=S3_PRESIGN_SECONDS,
    public_base_url=S3_PUBLIC_BASE_URL,
)

# Celery: the filesystem broker under var/ unless CELERY_BROKER_URL says otherwise.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
# The filesystem broker's folder (relative to the project unless absolute), its
# exchange tables in control/ inside, so that one folder is the whole broker.
CELERY_BROKER_DIR = BASE_DIR / env("CELERY_BROKER_DIR", default="var/celery/broker")
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR),
        "data_folder_out": str(CELERY_BROKER_DIR),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # Redis hands an unacknowledged message (acks_late) to another worker after
    # this many seconds. It must be longer than the longest task -- processing a
    # video may take PROCESSING_TIME_LIMITS["video"] plus its grace -- or a task
    # still running would be run a second time. A crashed worker's task waits
    # this long for redelivery; the processing sweeper finds such files sooner.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=7200),
        # Look for such messages every 10 s (kombu's default only every 100 s).
        "unacked_restore_interval": 10,
        "unacked_restore_throttle": 1,
    }
# Deployments (or test workers) sharing one Redis keep apart by their queue's name.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="celery")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
# The outbox (artsprize.common.outbox): how often beat looks for messages the
# broker lost, and how long after its last sending a message not yet done is sent
# again. Longer than a task usually waits in the queue, or busy queues get copies.
OUTBOX_SWEEP_SECONDS = env.int("OUTBOX_SWEEP_SECONDS", default=60)
OUTBOX_RESEND_AFTER_SECONDS = env.int("OUTBOX_RESEND_AFTER_SECONDS", default=300)
# How often beat checks for rounds due to open or close, in seconds.
ROUND_CLOCK_SECONDS = env.float("ROUND_CLOCK_SECONDS", default=30.0)
# How many days the link of a judge's invitation works.
JUDGE_INVITATION_DAYS = env.int("JUDGE_INVITATION_DAYS", default=14)

# Processing of uploaded works. Each kind has a time limit in seconds: past it
# the run is stopped (soft limit) and, PROCESSING_GRACE_SECONDS later, killed.
PROCESSING_TIME_LIMITS = {
    "image": env.int("PROCESSING_IMAGE_SECONDS", default=120),
    "document": env.int("PROCESSING_DOCUMENT_SECONDS", default=180),
    "audio": env.int("PROCESSING_AUDIO_SECONDS", default=600),
    "video": env.int("PROCESSING_VIDEO_SECONDS", default=3600),
}
PROCESSING_GRACE_SECONDS = env.int("PROCESSING_GRACE_SECONDS", default=30)
# How often the sweeper looks for files whose processing was lost (a worker that
# died, a message the filesystem broker had already handed out), and how long a
# queued file may wait before it is queued again.
PROCESSING_SWEEP_SECONDS = env.int("PROCESSING_SWEEP_SECONDS", default=60)
PROCESSING_REQUEUE_AFTER_SECONDS = env.int(
    "PROCESSING_REQUEUE_AFTER_SECONDS", default=900
)
# The largest image decoded, in pixels; larger ones are refused from the header.
# JPEG is decoded at a fraction of its size; other formats (PNG, TIFF, WebP,
# HEIC, GIF) are decoded whole, so their limit is lower: 50 megapixels keep a
# worker under 300 MB.
IMAGE_MAX_PIXELS = env.int("IMAGE_MAX_PIXELS", default=100_000_000)
IMAGE_MAX_PIXELS_FULL_DECODE = env.int(
    "IMAGE_MAX_PIXELS_FULL_DECODE", default=50_000_000
)

# E-mail: printed to the console unless EMAIL_URL names an SMTP server.
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="HK Human Rights Arts Prize <noreply@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Security headers for every mode; production adds HSTS and secure cookies.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 14 * 24 * 3600
# Sessions are kept in the database and read from the cache: every request reads
# its session, and a cache read costs a twentieth of a query. A cache that is
# down or was emptied falls back to the database.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "artsprize.common.views.csrf_failure"
# Files are read from, and uploaded straight to, object storage.
STORAGE_ORIGINS = [
    origin for origin in (S3_ENDPOINT_URL, S3_PUBLIC_BASE_URL) if origin
] or ["https:"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *STORAGE_ORIGINS],
        "media-src": ["'self'", *STORAGE_ORIGINS],
        "connect-src": ["'self'", *STORAGE_ORIGINS],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Who runs the prize, credited in the footer of the public pages, in each language.
PRIZE_ORGANISER_EN = env("PRIZE_ORGANISER_EN", default="Justice Centre Hong Kong")
PRIZE_ORGANISER_ZH_HANT = env("PRIZE_ORGANISER_ZH_HANT", default="公義中心")

# The version of the Personal Information Collection Statement shown at sign-up.
PICS_VERSION = "2026-11"
# Demo data prints passwords: only allowed where this is True.
DEMO_DATA_ALLOWED = False
# Rounds whose closing is nearer than this show a countdown.
COUNTDOWN_DAYS = 30

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "botocore": {"level": "WARNING"},
        "urllib3": {"level": "WARNING"},
    },
}
