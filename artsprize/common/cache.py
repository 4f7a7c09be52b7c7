"""Django's Redis cache, kept answering while Redis is down.

The portal's cache holds rate-limit counters and other throwaway values
(allauth's sign-in limits and their locks, the upload API's limit) and copies of
sessions, which are kept in the database (``SESSION_ENGINE`` is ``cached_db``: a
miss reads the database). A Redis outage must not turn every request into a
server error, so this backend fails open: while Redis cannot be reached, reads
miss, writes are dropped, ``add`` says it added (a rate limiter's lock is then
taken, and the request goes through) and ``incr`` counts from zero. Each such
answer is logged. Nothing may rely on this cache for correctness, with one
exception the README states: a session signed out while Redis cannot be reached
keeps its copy in Redis until it expires, or until a Redis without persistence
restarts.
"""

import functools
import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

_UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


def _fail_open(answer):
    """Call the method; when Redis cannot be reached, log it and return
    ``answer(*args, **kwargs)`` instead."""

    def decorator(method):
        @functools.wraps(method)
        def wrapped(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except _UNREACHABLE:
                logger.warning(
                    "The cache cannot be reached: %s went through without it.",
                    method.__name__,
                    exc_info=True,
                )
                return answer(*args, **kwargs)

        return wrapped

    return decorator


def _nothing(*args, **kwargs):
    return None


def _missing(*args, **kwargs):
    return False


def _done(*args, **kwargs):
    return True


def _default(key, default=None, version=None):
    return default


def _first_count(key, delta=1, version=None):
    return delta


class FailOpenRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache``, failing open (see the
    module's docstring). The settings use it for every ``redis://`` CACHE_URL."""

    add = _fail_open(_done)(RedisCache.add)
    get = _fail_open(_default)(RedisCache.get)
    set = _fail_open(_nothing)(RedisCache.set)
    touch = _fail_open(_missing)(RedisCache.touch)
    delete = _fail_open(_missing)(RedisCache.delete)
    get_many = _fail_open(lambda *args, **kwargs: {})(RedisCache.get_many)
    has_key = _fail_open(_missing)(RedisCache.has_key)
    incr = _fail_open(_first_count)(RedisCache.incr)
    set_many = _fail_open(lambda *args, **kwargs: [])(RedisCache.set_many)
    delete_many = _fail_open(_nothing)(RedisCache.delete_many)
    clear = _fail_open(_missing)(RedisCache.clear)
