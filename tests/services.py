"""Where the tests find PostgreSQL, Redis and the S3 server.

A test that needs a service it cannot reach is skipped on a developer's machine and
fails under CI=true, so that CI never passes by skipping.
"""

import os

import pytest

CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition, reason):
    if condition:
        return
    if CI:
        pytest.fail(f"{reason} (CI=true: a missing service fails the run)")
    pytest.skip(reason)


def redis_url():
    """The Redis to test against: REDIS_URL, or CELERY_BROKER_URL when it is Redis."""
    url = os.environ.get("REDIS_URL", "")
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not url and broker.startswith("redis://"):
        url = broker
    return url


def redis_available(url):
    if not url:
        return False
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False
    return True
