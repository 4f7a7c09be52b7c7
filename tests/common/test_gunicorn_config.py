"""gunicorn.conf.py, which gunicorn reads from the folder it starts in."""

import gc
import importlib.util
from pathlib import Path

from django.conf import settings

CONFIG = Path(settings.BASE_DIR) / "gunicorn.conf.py"


def test_a_worker_freezes_what_it_loaded_and_collects_less_often():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", CONFIG)
    config = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(config)
    threshold = gc.get_threshold()
    try:
        config.post_worker_init(worker=None)

        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (10_000, 10, 10)
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
