"""gunicorn's settings for the portal, read from the folder gunicorn starts in
(``gunicorn artsprize.wsgi``); options on the command line win."""

import gc


def post_worker_init(worker):
    """Keep the garbage collector off what lives as long as the worker.

    Django, the portal's modules and every view (imported here through the URLconf)
    stay for the worker's life; frozen, the collector no longer walks them on each
    full collection. A request makes thousands of short-lived objects: collecting
    the youngest generation after every 700 allocations, Python's default, runs it
    several times a request; after every 10,000, it runs about once.
    """
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports every view)
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
