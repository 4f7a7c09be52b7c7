"""Builders and a small "browser" for the upload protocol tests.

The browser talks to the portal through Django's test client and to the store
through ``requests`` over real HTTP, as a web page would with fetch().
"""

import datetime
import json
import os
import uuid
from urllib.parse import parse_qs, urlsplit

import requests
from django.urls import reverse
from django.utils import timezone

from submissions import storage
from submissions.enums import EntryState, FileState, MediaKind, RoundState
from submissions.models import ArtworkFile, Entry
from tests.factories import make_category, make_round

ALL_FILE_KINDS = [
    MediaKind.IMAGE,
    MediaKind.VIDEO,
    MediaKind.AUDIO,
    MediaKind.DOCUMENT,
]


def make_open_round(**fields):
    """A round taking entries now, with one category that takes every file kind."""
    now = timezone.now()
    values = {
        "opens_at": now - datetime.timedelta(days=1),
        "closes_at": now + datetime.timedelta(days=7),
    }
    values.update(fields)
    round_ = make_round(complete=True, **values)
    round_.state = RoundState.OPEN
    round_.save(update_fields=["state"])
    round_.categories.all().delete()
    make_category(round_, media_kinds=ALL_FILE_KINDS, min_age=None)
    return round_


def make_entry(entrant, *, round_=None, category=None, filed_by=None, **fields):
    round_ = round_ or (category.round if category else make_open_round())
    category = category or round_.categories.get()
    values = {"title_en": "Harbour at dawn", "state": EntryState.DRAFT}
    values.update(fields)
    return Entry.objects.create(
        round=round_, category=category, entrant=entrant, filed_by=filed_by, **values
    )


def stored_file(
    entry,
    data,
    *,
    name="work.jpg",
    kind=MediaKind.IMAGE,
    content_type="image/jpeg",
    **fields,
):
    """An ArtworkFile whose original ``data`` sits in storage, as after a
    completed upload; ``fields`` set the rest (another state, a reason)."""
    key = f"{storage.ORIGINALS_PREFIX}{entry.round_id}/{uuid.uuid4().hex}"
    storage.client().put_object(
        Bucket=storage.bucket(), Key=key, Body=data, ContentType=content_type
    )
    values = {"state": FileState.UPLOADED, "uploaded_at": timezone.now(), **fields}
    return ArtworkFile.objects.create(
        entry=entry,
        owner=entry.entrant,
        kind=kind,
        key=key,
        original_name=name,
        content_type=content_type,
        declared_size=len(data),
        size=len(data),
        **values,
    )


def payload(size):
    """``size`` random bytes: every part differs, and so does every ETag."""
    return os.urandom(size)


class Browser:
    """Calls the upload API as the page's script does, and PUTs to the store."""

    def __init__(self, client):
        self.client = client

    def call(self, method, name, *, file=None, data=None):
        url = reverse(name, args=[file] if file is not None else [])
        if method == "GET":
            response = self.client.get(url)
        else:
            response = self.client.post(
                url, json.dumps(data or {}), content_type="application/json"
            )
        return response.status_code, response.json()

    def start(self, entry, name, size, content_type):
        return self.call(
            "POST",
            "upload_start",
            data={
                "entry": entry.pk,
                "name": name,
                "size": size,
                "type": content_type,
            },
        )

    def started(self, entry, name, size, content_type):
        """Start an upload that must be accepted; returns its ticket."""
        status, ticket = self.start(entry, name, size, content_type)
        assert status == 200, ticket
        return ticket

    def sign(self, file, numbers):
        return self.call("POST", "upload_sign", file=file, data={"parts": numbers})

    def signed(self, file, numbers):
        """Part URLs that must be given; returns {"number": url}."""
        status, answer = self.sign(file, numbers)
        assert status == 200, answer
        return answer["urls"]

    def parts(self, file):
        return self.call("GET", "upload_parts", file=file)

    def complete(self, file, parts=None):
        data = {} if parts is None else {"parts": parts}
        return self.call("POST", "upload_complete", file=file, data=data)

    def abort(self, file):
        return self.call("POST", "upload_abort", file=file)

    def status(self, file):
        return self.call("GET", "upload_status", file=file)

    @staticmethod
    def put(url, body, headers=None):
        return requests.put(url, data=body, headers=headers or {}, timeout=60)

    def upload(self, entry, name, data, content_type):
        """The whole protocol for one file; returns the completion's answer."""
        status, ticket = self.start(entry, name, len(data), content_type)
        assert status == 200, ticket
        if ticket["mode"] == "single":
            response = self.put(ticket["url"], data, ticket["headers"])
            assert response.status_code == 200, response.text
            return self.complete(ticket["file"])
        size = ticket["part_size"]
        done = {part["number"]: part["etag"] for part in ticket["parts"]}
        missing = [n for n in range(1, ticket["part_count"] + 1) if n not in done]
        for start in range(0, len(missing), 20):
            status, signed = self.sign(ticket["file"], missing[start : start + 20])
            assert status == 200, signed
            for number, url in signed["urls"].items():
                number = int(number)
                body = data[(number - 1) * size : number * size]
                response = self.put(url, body)
                assert response.status_code == 200, response.text
                done[number] = response.headers["ETag"]
        return self.complete(
            ticket["file"],
            [{"number": number, "etag": etag} for number, etag in sorted(done.items())],
        )


def query_of(url):
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def stored_bytes(key):
    response = storage.client().get_object(Bucket=storage.bucket(), Key=key)
    return response["Body"].read()
