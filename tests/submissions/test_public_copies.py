"""Public copies of a work's images and the public face of entries: made from
a real camera photo (GPS and camera EXIF) through the real pipeline and the S3
server, they carry no metadata and a name that tells nothing; only a submitted
work whose artist agreed to the website gets them; making them twice changes
nothing; removing them deletes their objects; the public face names the work
by the credit the artist chose."""

import io
import re
import subprocess

import pytest
from django.utils import timezone, translation
from PIL import Image

from submissions.enums import Credit
from submissions.models import Entry, PublicCopy
from submissions.public import public_works
from submissions.services.public_copies import (
    PREFIX,
    make_public_copies,
    public_storage,
    remove_public_copies,
)
from tests.blind_fixtures import ALT_TEXT, DEVICE_WORDS, IDENTITY, make_identified_entry

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


def public_keys():
    storage = public_storage()
    client = storage.connection.meta.client
    pages = client.get_paginator("list_objects_v2").paginate(
        Bucket=storage.bucket_name, Prefix=PREFIX
    )
    return sorted(item["Key"] for page in pages for item in page.get("Contents", ()))


def read(key):
    with public_storage().open(key, "rb") as handle:
        return handle.read()


@pytest.fixture
def entry(client):
    made = make_identified_entry(client)
    Entry.objects.filter(pk=made.pk).update(consent_website=True)
    made.refresh_from_db()
    yield made
    remove_public_copies(made.pk)


def test_copies_carry_no_metadata_and_names_that_tell_nothing(entry, tmp_path):
    assert make_public_copies(entry.pk) == 2
    copies = list(PublicCopy.objects.filter(artwork_file__entry=entry))
    # The photo is 640 px wide: a 480 px copy and one at its own width.
    assert sorted(copy.width for copy in copies) == [480, 640]
    assert sorted(public_keys()) == sorted(copy.key for copy in copies)
    for copy in copies:
        assert re.fullmatch(r"works/[A-Za-z0-9_-]{24}-(480|640)\.jpg", copy.key)
        lowered = copy.key.lower()
        for value in (*IDENTITY.values(), entry.reference, "harbour", "leung"):
            assert str(value).lower() not in lowered
        data = read(copy.key)
        image = Image.open(io.BytesIO(data))
        assert image.format == "JPEG"
        assert image.size == (copy.width, copy.height)
        assert not image.getexif()
        assert "xmp" not in image.info and "exif" not in image.info
        for word in (b"Exif", b"GPS", b"xpacket", *(w.encode() for w in DEVICE_WORDS)):
            assert word not in data
        path = tmp_path / "copy.jpg"
        path.write_bytes(data)
        tags = subprocess.run(
            ["exiftool", "-a", "-G1", "-s", str(path)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for group in ("[EXIF]", "[GPS]", "[XMP", "[IPTC]", "[MakerNotes]"):
            assert group not in tags, tags

    # Making them again changes nothing; removing them deletes their objects.
    keys = public_keys()
    assert make_public_copies(entry.pk) == 2
    assert public_keys() == keys
    assert remove_public_copies(entry.pk) == 2
    assert public_keys() == []
    assert not PublicCopy.objects.exists()


def test_no_copy_without_the_artists_agreement(entry):
    Entry.objects.filter(pk=entry.pk).update(consent_website=False)
    assert make_public_copies(entry.pk) == 0
    assert public_keys() == []


def test_the_public_face_names_the_chosen_credit_and_nothing_else(entry):
    make_public_copies(entry.pk)
    (work,) = public_works(round_id=entry.round_id, entry_ids=[entry.pk])
    assert work.credit == IDENTITY["credit_name"]
    assert [member.name for member in work.team] == [IDENTITY["team_member"]]
    assert work.shown
    (file,) = work.files
    assert file.description == ALT_TEXT
    assert [image.width for image in file.images] == [480, 640]
    assert file.srcset.count(" 480w") == 1 and file.srcset.endswith(" 640w")
    text = repr(work)
    for key in ("legal_name", "email", "phone", "filer_email", "guardian_name"):
        assert IDENTITY[key] not in text
    assert IDENTITY["file_name"] not in text
    # Without the artist's agreement to the website: listed without images.
    Entry.objects.filter(pk=entry.pk).update(consent_website=False)
    (work,) = public_works(round_id=entry.round_id, entry_ids=[entry.pk])
    assert not work.shown and work.listed
    assert work.files == ()
    # Taken back after submitting: not listed at all.
    Entry.objects.filter(pk=entry.pk).update(public_use_withdrawn_at=timezone.now())
    (work,) = public_works(round_id=entry.round_id, entry_ids=[entry.pk])
    assert not work.listed


def test_an_anonymous_work_shows_no_name_in_either_language(entry):
    Entry.objects.filter(pk=entry.pk).update(credit=Credit.ANONYMOUS)
    (work,) = public_works(round_id=entry.round_id, entry_ids=[entry.pk])
    assert work.team == ()
    assert str(work.credit) == "Anonymous"
    with translation.override("zh-hant"):
        assert str(work.credit) != "Anonymous"
    assert IDENTITY["credit_name"] not in repr(work)


def test_a_video_frame_without_a_description_is_described_in_each_language():
    from types import SimpleNamespace

    from submissions.enums import MediaKind
    from submissions.public import _description

    entry = SimpleNamespace(title_en="Tide", title_zh_hant="潮汐")
    video = SimpleNamespace(alt_text="", kind=MediaKind.VIDEO)
    described = _description(entry, video)
    assert str(described) == "A frame of the video “Tide”"
    with translation.override("zh-hant"):
        assert "潮汐" in str(described)
        assert "video" not in str(described)
    image = SimpleNamespace(alt_text="Boats at dawn.", kind=MediaKind.IMAGE)
    assert _description(entry, image) == "Boats at dawn."
