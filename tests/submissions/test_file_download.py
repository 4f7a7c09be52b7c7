from urllib.parse import quote

import pytest
import requests
from django.urls import reverse

from submissions.enums import FileState
from submissions.models import ArtworkFile
from tests import factories
from tests.upload_helpers import Browser, make_entry

pytestmark = pytest.mark.django_db

NAME = '海港 "night" <b>.jpg'


@pytest.fixture
def uploaded(client):
    entrant = factories.make_entrant()
    entry = make_entry(entrant)
    client.force_login(entrant)
    status, answer = Browser(client).upload(
        entry, NAME, b"\xff\xd8jpeg bytes", "image/jpeg"
    )
    assert status == 200, answer
    client.logout()
    return ArtworkFile.objects.get(pk=answer["file"])


def test_the_entrant_downloads_their_original_as_an_attachment(client, uploaded):
    client.force_login(uploaded.entry.entrant)

    response = client.get(reverse("file_download", args=[uploaded.pk]))

    assert response.status_code == 302
    stored = requests.get(response.url, timeout=10)
    assert stored.status_code == 200
    assert stored.content == b"\xff\xd8jpeg bytes"
    assert stored.headers["Content-Type"] == "image/jpeg"
    assert stored.headers["X-Content-Type-Options"] == "nosniff"
    disposition = stored.headers["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert f"filename*=UTF-8''{quote(uploaded.original_name, safe='')}" in disposition


@pytest.mark.parametrize("who", ["another entrant", "caseworker", "staff"])
def test_nobody_else_downloads_from_the_entrants_page(client, uploaded, who):
    maker = {
        "another entrant": factories.make_entrant,
        "caseworker": factories.make_caseworker,
        "staff": factories.make_staff,
    }[who]
    client.force_login(maker())
    assert client.get(reverse("file_download", args=[uploaded.pk])).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, uploaded):
    response = client.get(reverse("file_download", args=[uploaded.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_an_unfinished_upload_cannot_be_downloaded(client, uploaded):
    ArtworkFile.objects.filter(pk=uploaded.pk).update(state=FileState.AWAITING_UPLOAD)
    client.force_login(uploaded.entry.entrant)
    assert client.get(reverse("file_download", args=[uploaded.pk])).status_code == 404
