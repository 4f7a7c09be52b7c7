from pathlib import Path

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "artsprize.common"
    label = "common"
    verbose_name = _("Common")

    def ready(self):
        make_sqlite_folders(settings.DATABASES)


def make_sqlite_folders(databases):
    """SQLite creates its file but not the folder it lies in: on a fresh clone
    ``var/`` does not exist yet when ``migrate`` or the test run first opens the
    database."""
    for database in databases.values():
        if database["ENGINE"] != "django.db.backends.sqlite3":
            continue
        names = [database.get("NAME"), (database.get("TEST") or {}).get("NAME")]
        for name in names:
            if name and str(name) != ":memory:" and not str(name).startswith("file:"):
                Path(name).parent.mkdir(parents=True, exist_ok=True)
