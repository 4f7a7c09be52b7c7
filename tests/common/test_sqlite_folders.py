from artsprize.common.apps import make_sqlite_folders


def test_the_folders_of_sqlite_files_are_made_before_the_database_opens(tmp_path):
    databases = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": tmp_path / "var" / "db.sqlite3",
            "TEST": {"NAME": str(tmp_path / "elsewhere" / "test.sqlite3")},
        },
        "other": {"ENGINE": "django.db.backends.postgresql", "NAME": "artsprize"},
        "memory": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"},
    }

    make_sqlite_folders(databases)

    assert sorted(path.name for path in tmp_path.iterdir()) == ["elsewhere", "var"]
