import contextlib

import pytest
from django.db import connection


@pytest.fixture
def database_down(tmp_path):
    """``with database_down():`` the default connection points at a database that
    does not exist; it is put back afterwards. Needs ``transaction=True``: the
    connection is closed, which a test transaction would not survive."""

    @contextlib.contextmanager
    def down():
        original = dict(connection.settings_dict)
        if connection.vendor == "sqlite":
            missing = str(tmp_path / "no-such-folder" / "db.sqlite3")
        else:
            missing = "artsprize_no_such_database"
        connection.close()
        connection.settings_dict["NAME"] = missing
        try:
            yield missing
        finally:
            connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(original)

    return down
