"""The cache part of the settings, shared by the settings modules and tests."""

import environ

DJANGO_REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"
FAIL_OPEN_REDIS_CACHE = "artsprize.common.cache.FailOpenRedisCache"
# A Redis that does not answer is given up on quickly, so that a request goes on
# without it (see artsprize/common/cache.py) instead of holding a web worker.
REDIS_SECONDS = 1


def cache_config(url):
    """The default cache for ``CACHE_URL``: what django-environ makes of it, with
    Django's Redis cache made to fail open while Redis is down."""
    config = environ.Env.cache_url_config(url)
    if config["BACKEND"] == DJANGO_REDIS_CACHE:
        config["BACKEND"] = FAIL_OPEN_REDIS_CACHE
        options = config.setdefault("OPTIONS", {})
        options.setdefault("socket_connect_timeout", REDIS_SECONDS)
        options.setdefault("socket_timeout", REDIS_SECONDS)
    return config
