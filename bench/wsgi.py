"""The portal's WSGI application, measured request by request: what gunicorn serves
in the deadline rush.

A request that carries the ``X-Bench-Step`` header (bench/flow.py sends it) is
counted under that step: its thread CPU time (``time.thread_time_ns``, so the
other threads of a gthread worker and the waits for the database are not in it),
and, with ``BENCH_PROFILE`` set, a cProfile of it. Requests without the header (the
warm-up) are served unmeasured. Each worker writes its figures into
``BENCH_MEASURE_DIR`` when it exits: ``<pid>.json`` (per step: requests and CPU
nanoseconds) and, when profiling, ``<pid>-<step>.pstats``.
"""

import atexit
import cProfile
import json
import os
import pstats
import threading
import time
from pathlib import Path

from artsprize.wsgi import application as portal
from bench.profile_report import slug

STEP_KEY = "HTTP_X_BENCH_STEP"
_lock = threading.Lock()
_counts = {}
_profiles = {}
_directory = Path(os.environ["BENCH_MEASURE_DIR"])
# "wall" (cProfile's own clock) or "cpu" (the thread's CPU clock, a system call
# at every call and return: about twice the profiler's overhead); unset: no
# profile.
_clock = os.environ.get("BENCH_PROFILE", "")


def _serve(environ, start_response):
    """The whole answer within the measured call: Django's response is a list of
    small byte strings, and closing it sends ``request_finished``."""
    result = portal(environ, start_response)
    try:
        return list(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()


def application(environ, start_response):
    step = environ.get(STEP_KEY)
    if not step:
        return portal(environ, start_response)
    profile = None
    if _clock == "cpu":
        profile = cProfile.Profile(time.thread_time_ns, 1e-9)
    elif _clock == "wall":
        profile = cProfile.Profile()
    started = time.thread_time_ns()
    if profile is not None:
        profile.enable()
    try:
        return _serve(environ, start_response)
    finally:
        if profile is not None:
            profile.disable()
        spent = time.thread_time_ns() - started
        with _lock:
            count = _counts.setdefault(step, [0, 0])
            count[0] += 1
            count[1] += spent
            if profile is not None:
                if step in _profiles:
                    _profiles[step].add(profile)
                else:
                    _profiles[step] = pstats.Stats(profile)


@atexit.register
def _write():
    with _lock:
        if not _counts:
            return
        pid = os.getpid()
        (_directory / f"{pid}.json").write_text(json.dumps(_counts))
        for step, stats in _profiles.items():
            stats.dump_stats(_directory / f"{pid}-{slug(step)}.pstats")
