"""The identified entry of tests/blind_fixtures with two more files whose
metadata name the entrant: a phone video whose container and track tags hold
their names, e-mail and where it was filmed, and a PDF whose /Info, XMP and
sticky note's author hold the same. Both go through the upload protocol and
processing, as the photo does, under original file names that carry the legal
name."""

import io
import tempfile
from pathlib import Path

import pikepdf

from artsprize.accounts.models import EntrantProfile
from submissions.enums import ConsentMethod, FileState, MediaKind
from submissions.models import ArtworkFile
from submissions.services.entries import (
    set_image_description,
    set_team_members,
    submit_entry,
)
from submissions.services.processing import process_file
from tests import document_fixtures, factories, media_fixtures
from tests.blind_fixtures import ALT_TEXT, DEVICE_WORDS, IDENTITY, PHOTO
from tests.entry_factories import (
    COMPLETE,
    make_entry,
    make_open_round,
    make_youth_category,
)
from tests.upload_helpers import Browser

VIDEO_NAME = "leung-ka-yan-video.mp4"
PDF_NAME = "leung-ka-yan-statement.pdf"
# The phone the video says it was filmed with, and where (Hong Kong).
PHONE_MODEL = "iPhone 15 Pro"
PLACES = ("22.2783", "114.1747")
# Everything that names the entrant, their devices or their places, in every
# file of the entry, to be looked for in everything a judge gets.
SECRETS = (
    *IDENTITY.values(),
    VIDEO_NAME,
    PDF_NAME,
    *DEVICE_WORDS,
    PHONE_MODEL,
    *PLACES,
    "43.468244",
)
NAMING = f"{IDENTITY['legal_name']} ({IDENTITY['credit_name']}) {IDENTITY['email']}"


def identified_video():
    """Two seconds of a test pattern with a tone, tagged as a phone tags a clip
    and then as an editor names its author: title, artist, author, comment,
    copyright on the container, and a title on the video track."""
    metadata = {
        **media_fixtures.PHONE_METADATA,
        "com.apple.quicktime.model": PHONE_MODEL,
        "encoder": PHONE_MODEL,
        "title": f"Filmed by {IDENTITY['legal_name']}",
        "artist": IDENTITY["credit_name"],
        "author": IDENTITY["legal_name"],
        "comment": NAMING,
        "copyright": IDENTITY["legal_name"],
        "description": f"Contact {IDENTITY['email']} or {IDENTITY['phone']}",
        "com.apple.quicktime.author": IDENTITY["legal_name"],
    }
    stream_metadata = {
        **media_fixtures.PHONE_STREAM_METADATA,
        "title": IDENTITY["legal_name"],
        "handler_name": IDENTITY["credit_name"],
    }
    folder = Path(tempfile.mkdtemp(prefix="identified-video-"))
    path = media_fixtures.make_video(
        folder / VIDEO_NAME,
        seconds=1,
        size=(160, 120),
        metadata=metadata,
        stream_metadata=stream_metadata,
    )
    data = path.read_bytes()
    path.unlink()
    folder.rmdir()
    return data


def identified_pdf():
    """tests/document_fixtures' metadata PDF (three pages, metadata in /Info, in
    XMP on the catalog, a page and a photo, in /PieceInfo, in a sticky note and
    in the photo's EXIF) with the entrant named wherever it named its author."""
    pdf = pikepdf.open(io.BytesIO(document_fixtures.metadata_pdf()))
    pdf.trailer.Info.Author = IDENTITY["legal_name"]
    pdf.trailer.Info.Title = f"Statement of {IDENTITY['credit_name']}"
    pdf.trailer.Info.Creator = IDENTITY["email"]
    pdf.trailer.Info.Keywords = NAMING
    pdf.trailer.Info.Subject = IDENTITY["team_member"]
    xmp = (
        document_fixtures.XMP.decode()
        .replace(document_fixtures.AUTHOR, IDENTITY["legal_name"])
        .replace(document_fixtures.TITLE, IDENTITY["credit_name"])
        .replace(document_fixtures.CREATOR_TOOL, IDENTITY["email"])
        .encode()
    )
    first = pdf.pages[0].obj
    for holder in (pdf.Root, first, first.Resources.XObject.Im1):
        holder.Metadata = pdf.make_stream(
            xmp, Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML
        )
    first.PieceInfo.Writer.Private = NAMING
    # The note's author; its text is part of the work, which screening reads.
    first.Annots[0].T = IDENTITY["legal_name"]
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def upload(client, entry, name, data, content_type):
    """Upload ``data`` through the protocol as a signed-in filer's page does,
    and process it; the file, ready."""
    status, answer = Browser(client).upload(entry, name, data, content_type)
    assert status == 200, answer
    file = ArtworkFile.objects.get(pk=answer["file"])
    process_file(file)
    file.refresh_from_db()
    assert file.state == FileState.READY, file.reason
    return file


def make_identified_media_entry(client):
    """tests/blind_fixtures.make_identified_entry's youth team entry, filed by a
    caseworker for a 16-year-old with a guardian, in a category that takes
    images, videos and documents: the real photo with its camera and GPS, then
    the identified video and PDF, each uploaded and processed."""
    round_ = make_open_round()
    category = make_youth_category(
        round_,
        allows_teams=True,
        media_kinds=[MediaKind.IMAGE, MediaKind.VIDEO, MediaKind.DOCUMENT],
    )
    artist = factories.make_entrant(age=16, email=IDENTITY["email"])
    EntrantProfile.objects.filter(user=artist).update(
        legal_name=IDENTITY["legal_name"],
        credit_name=IDENTITY["credit_name"],
        phone=IDENTITY["phone"],
    )
    caseworker = factories.make_caseworker(email=IDENTITY["filer_email"])
    entry = make_entry(
        round_,
        entrant=artist,
        category=category,
        by=caseworker,
        guardian_name=IDENTITY["guardian_name"],
        guardian_email=IDENTITY["guardian_email"],
        consent_method=ConsentMethod.IN_PERSON,
        year_made=2024,
        dimensions="640 × 480 px",
        **COMPLETE,
    )
    set_team_members(
        entry,
        members=[
            {
                "name": IDENTITY["team_member"],
                "role": "Calligraphy",
                "agreed": True,
                "is_minor": True,
                "guardian_name": IDENTITY["team_guardian"],
                "guardian_agreed": True,
            }
        ],
        by=caseworker,
    )
    client.force_login(caseworker)
    photo = upload(
        client, entry, IDENTITY["file_name"], PHOTO.read_bytes(), "image/jpeg"
    )
    upload(client, entry, VIDEO_NAME, identified_video(), "video/mp4")
    upload(client, entry, PDF_NAME, identified_pdf(), "application/pdf")
    client.logout()
    set_image_description(photo, alt_text=ALT_TEXT, by=caseworker)
    return submit_entry(entry, by=caseworker)
