"""Settings for the test suite. Services come from the same environment variables as
in production; tests that need PostgreSQL or Redis read their URLs."""

from artsprize.settings.base import *  # noqa: F403
from artsprize.settings.base import DATABASES, VAR_DIR, env

DEBUG = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105
DEMO_DATA_ALLOWED = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A worker started by a test mails to files (filebased) for the test to count:
# locmem's outbox does not leave its process.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend"
)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(VAR_DIR / "test-mail"))
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
ALLOWED_HOSTS = ["*"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that a worker started by a test sees the same data.
    DATABASES["default"]["TEST"] = {
        "NAME": env("TEST_SQLITE_PATH", default=str(VAR_DIR / "test-db.sqlite3"))
    }
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
