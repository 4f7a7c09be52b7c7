import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth keeps rate limits and used TOTP codes in the cache: each test starts
    with none, whatever the previous test did from the same address."""
    cache.clear()
    yield
    cache.clear()
