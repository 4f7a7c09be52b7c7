"""The benchmarks' settings: the local settings, with the collected static files in
the benchmark's own temporary folder.

With DEBUG off, pages need the static files' manifest; collecting them into the
project's ``staticfiles/`` would leave a stale copy that shadows the files other
people are editing.
"""

import os
from pathlib import Path

from artsprize.settings.local import *  # noqa: F403

STATIC_ROOT = Path(os.environ["BENCH_STATIC_ROOT"])
