"""The embedded default for `make run`: everything on this machine, nothing to set."""

from artsprize.settings.base import *  # noqa: F403
from artsprize.settings.base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = SECRET_KEY or "local-development-only-not-secret"  # noqa: F405
DEMO_DATA_ALLOWED = True
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = DEBUG
