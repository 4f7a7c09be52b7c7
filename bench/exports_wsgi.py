"""The portal's WSGI application, with Python's allocations traced for the
requests of bench/exports.py that ask for it.

A request carrying ``X-Bench-Trace: <name>`` runs with ``tracemalloc`` on from
its start until gunicorn closes its response, that is after the last byte was
sent; the peak of traced memory over that span, and what was still allocated
at its end, are written to ``BENCH_MEASURE_DIR/trace-<name>.json``. Any other
request is served as it is. A traced file response is read and sent by
gunicorn a block at a time, as its wrapper hides the file from ``sendfile``.
"""

import json
import os
import re
import tracemalloc
from pathlib import Path

from artsprize.wsgi import application as portal

TRACE_KEY = "HTTP_X_BENCH_TRACE"
NAME = re.compile(r"^[a-z0-9-]+$")


class _Traced:
    """The response of a traced request; closing it ends the trace."""

    def __init__(self, result, path):
        self.result = result
        self.path = path

    def __iter__(self):
        return iter(self.result)

    def close(self):
        try:
            close = getattr(self.result, "close", None)
            if close is not None:
                close()
        finally:
            current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            # Written whole, then renamed: the reader never sees half of it.
            partial = self.path.with_suffix(".partial")
            partial.write_text(json.dumps({"peak": peak, "current": current}))
            partial.rename(self.path)


def application(environ, start_response):
    name = environ.get(TRACE_KEY, "")
    if not NAME.match(name):
        return portal(environ, start_response)
    path = Path(os.environ["BENCH_MEASURE_DIR"]) / f"trace-{name}.json"
    tracemalloc.start()
    try:
        result = portal(environ, start_response)
    except BaseException:
        tracemalloc.stop()
        raise
    return _Traced(result, path)
