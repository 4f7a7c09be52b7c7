"""Object storage through django-storages against the suite's S3 server over HTTP.

The server (rclone) checks signatures and expiry itself, so a refusal here is the
store refusing a bad URL, as AWS S3 or MinIO would.
"""

import uuid
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
import requests
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from tests.waiting import wait_until

DATA = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


@pytest.fixture
def folder():
    """A fresh folder of keys for one test: the S3 server lives for the session."""
    return f"tests/{uuid.uuid4().hex}"


def _get(url):
    return requests.get(url, timeout=10)


def _assert_refused(response):
    """The store refused the request with an S3 error and sent none of the file.

    AWS answers 403 to a bad or expired signature; rclone answers 400 to some of
    them (an unsigned request is an "unsupported algorithm" to it).
    """
    assert response.status_code in {400, 403}
    assert response.text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<Error>')
    assert DATA not in response.content


def _with_query(url, **changes):
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def test_a_saved_file_reads_back_lists_and_deletes(folder):
    storage = storages["default"]

    name = storage.save(f"{folder}/a.bin", ContentFile(DATA))

    assert name == f"{folder}/a.bin"
    assert storage.exists(name) is True
    assert storage.size(name) == len(DATA)
    with storage.open(name) as file:
        assert file.read() == DATA
    assert storage.listdir(folder) == ([], ["a.bin"])

    storage.delete(name)

    assert storage.exists(name) is False
    assert storage.listdir(folder) == ([], [])


def test_saving_under_a_taken_name_keeps_both_files(folder):
    storage = storages["default"]
    first = storage.save(f"{folder}/a.bin", ContentFile(b"first"))
    second = storage.save(f"{folder}/a.bin", ContentFile(b"second"))

    assert first == f"{folder}/a.bin"
    assert second != first
    with storage.open(first) as file:
        assert file.read() == b"first"
    with storage.open(second) as file:
        assert file.read() == b"second"
    storage.delete(first)
    storage.delete(second)


def test_a_presigned_url_serves_the_same_bytes(folder, s3_server):
    storage = storages["default"]
    name = storage.save(f"{folder}/a.bin", ContentFile(DATA))

    url = storage.url(name)
    response = _get(url)

    assert url.startswith(f"{s3_server.endpoint_url}/{s3_server.private_bucket}/")
    query = dict(parse_qsl(urlsplit(url).query))
    assert query["X-Amz-Expires"] == "300"
    assert response.status_code == 200
    assert response.content == DATA
    storage.delete(name)


def test_an_original_is_not_served_without_a_signature(folder, s3_server):
    storage = storages["default"]
    name = storage.save(f"{folder}/a.bin", ContentFile(DATA))

    response = _get(f"{s3_server.endpoint_url}/{s3_server.private_bucket}/{name}")

    _assert_refused(response)
    storage.delete(name)


def test_a_presigned_url_expires(folder, s3_server, settings):
    settings.STORAGES = s3_server.storages(presign_seconds=2)
    storage = storages["default"]
    name = storage.save(f"{folder}/a.bin", ContentFile(DATA))
    url = storage.url(name)
    assert dict(parse_qsl(urlsplit(url).query))["X-Amz-Expires"] == "2"
    assert _get(url).status_code == 200

    answers = []

    def refused():
        answers.append(_get(url))
        return answers[-1].status_code != 200

    wait_until(refused, timeout=15, interval=0.25, message="the URL to expire")

    _assert_refused(answers[-1])
    storage.delete(name)


@pytest.mark.parametrize(
    "tamper",
    ["other key", "signature", "longer expiry", "other date", "no signature"],
)
def test_a_tampered_presigned_url_is_refused(folder, tamper):
    storage = storages["default"]
    name = storage.save(f"{folder}/a.bin", ContentFile(DATA))
    other = storage.save(f"{folder}/b.bin", ContentFile(b"someone else's work"))
    url = storage.url(name)
    assert _get(url).status_code == 200
    query = dict(parse_qsl(urlsplit(url).query))

    if tamper == "other key":
        # A URL signed for one object must not open another.
        tampered = url.replace(f"/{name}?", f"/{other}?")
    elif tamper == "signature":
        signature = query["X-Amz-Signature"]
        last = "0" if signature[-1] != "0" else "1"
        tampered = _with_query(url, **{"X-Amz-Signature": signature[:-1] + last})
    elif tamper == "longer expiry":
        tampered = _with_query(url, **{"X-Amz-Expires": "604800"})
    elif tamper == "other date":
        tampered = _with_query(url, **{"X-Amz-Date": "20991231T000000Z"})
    else:
        parts = urlsplit(url)
        query.pop("X-Amz-Signature")
        tampered = urlunsplit(parts._replace(query=urlencode(query)))
    assert tampered != url

    response = _get(tampered)

    _assert_refused(response)
    assert b"someone else" not in response.content
    storage.delete(name)
    storage.delete(other)


def test_a_deleted_file_is_gone_from_its_presigned_url(folder):
    storage = storages["default"]
    name = storage.save(f"{folder}/a.bin", ContentFile(DATA))
    url = storage.url(name)
    assert _get(url).status_code == 200

    storage.delete(name)

    assert storage.exists(name) is False
    assert _get(url).status_code == 404


def test_the_public_storage_keeps_copies_in_its_own_bucket(folder, s3_server):
    public = storages["public"]
    name = public.save(f"{folder}/copy.jpg", ContentFile(DATA))

    url = public.url(name)
    response = _get(url)

    assert url.startswith(f"{s3_server.endpoint_url}/{s3_server.public_bucket}/")
    assert response.status_code == 200
    assert response.content == DATA
    with public.open(name) as file:
        assert file.read() == DATA
    # The copy is not in the private bucket, and the private one has no such key.
    assert storages["default"].exists(name) is False
    public.delete(name)
    assert public.exists(name) is False
