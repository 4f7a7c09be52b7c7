import pytest

from tests.factories import make_entrant
from tests.upload_helpers import Browser, make_entry


@pytest.fixture
def entrant(db):
    return make_entrant()


@pytest.fixture
def entry(entrant):
    """A draft entry of ``entrant`` in an open round taking every file kind."""
    return make_entry(entrant)


@pytest.fixture
def browser(client, entrant):
    """The upload protocol's browser, signed in as ``entrant``."""
    client.force_login(entrant)
    return Browser(client)
