"""Video, audio and PDF files through the processing service, against the suite's
S3 server: what judges get is read back from storage and checked for metadata."""

import contextlib
import io
import json
import os
import re
import signal
import threading

import magic
import pikepdf
import pytest
from celery.exceptions import SoftTimeLimitExceeded
from PIL import Image

from submissions import storage
from submissions.enums import DerivativeKind, FileState, MediaKind
from submissions.services.processing import (
    SNIFF_BYTES,
    ProcessingUnavailable,
    process_file,
)
from tests import document_fixtures, media_fixtures
from tests import processing_fixtures as fixtures
from tests.processes import running
from tests.submissions.test_processing import _read, _state_events
from tests.upload_helpers import stored_file
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def soft_time_limit_during(program, *arguments):
    """Celery's soft time limit, as a worker's pool child gets it: once this
    process runs ``program`` with ``arguments``, SIGUSR1 raises
    SoftTimeLimitExceeded in the main thread."""

    def raise_limit(signum, frame):
        raise SoftTimeLimitExceeded()

    def limit_when_running():
        wait_until(
            lambda: running(program, *arguments, parent=os.getpid()),
            timeout=60,
            interval=0.01,
            message=f"{program} to start",
        )
        signal.pthread_kill(main, signal.SIGUSR1)

    main = threading.get_ident()
    previous = signal.signal(signal.SIGUSR1, raise_limit)
    watcher = threading.Thread(target=limit_when_running, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        watcher.join(timeout=60)
        signal.signal(signal.SIGUSR1, previous)


def _derivatives(file):
    return {(d.kind, d.index): d for d in file.derivatives.order_by("kind", "index")}


def _probe_stored(key, tmp_path):
    path = tmp_path / key.replace("/", "_")
    path.write_bytes(_read(key))
    return path, media_fixtures.ffprobe(path)


@pytest.fixture(scope="module")
def phone_clip(tmp_path_factory):
    return media_fixtures.make_video(
        tmp_path_factory.mktemp("video") / "phone.mp4",
        seconds=2,
        size=(320, 240),
        metadata=media_fixtures.PHONE_METADATA,
        stream_metadata=media_fixtures.PHONE_STREAM_METADATA,
    )


def test_a_phone_video_gets_a_poster_and_a_copy_without_its_location(
    entry, phone_clip, tmp_path
):
    data = phone_clip.read_bytes()
    assert media_fixtures.LOCATION.encode() in data

    file = process_file(stored_file(entry, data, name="clip.mp4", kind=MediaKind.VIDEO))

    assert file.state == FileState.READY, file.reason
    assert (file.width, file.height) == (320, 240)
    assert file.duration == pytest.approx(2, abs=0.2)
    assert file.content_type == "video/mp4"
    assert file.media_details["copy"] == "remuxed"
    derivatives = _derivatives(file)
    assert set(derivatives) == {
        (DerivativeKind.POSTER, 0),
        (DerivativeKind.THUMB, 0),
        (DerivativeKind.VIDEO, 0),
    }
    copy = derivatives[(DerivativeKind.VIDEO, 0)]
    assert copy.key.endswith("/video.mp4")
    assert copy.content_type == "video/mp4"
    path, description = _probe_stored(copy.key, tmp_path)
    assert copy.size == path.stat().st_size
    assert not {
        key
        for key in media_fixtures.all_tags(description)
        if "location" in key.lower() or "creation_time" in key or "apple" in key
    }
    raw = path.read_bytes()
    assert media_fixtures.LOCATION.encode() not in raw
    poster = _read(derivatives[(DerivativeKind.POSTER, 0)].key)
    with Image.open(io.BytesIO(poster)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()


def test_a_truncated_video_is_rejected_and_its_original_deleted(entry, tmp_path):
    clip = media_fixtures.make_video(tmp_path / "cut.mp4", faststart=False)
    media_fixtures.truncate(clip, 0.5)

    file = process_file(
        stored_file(entry, clip.read_bytes(), name="cut.mp4", kind=MediaKind.VIDEO)
    )

    assert (file.state, file.reason) == (FileState.REJECTED, "corrupt")
    assert storage.head_object(file.key) is None
    assert not file.derivatives.exists()
    assert _state_events(file) == [
        (FileState.PROCESSING, FileState.REJECTED, "corrupt")
    ]


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        (MediaKind.VIDEO, "not_a_video"),
        (MediaKind.AUDIO, "not_audio"),
        (MediaKind.DOCUMENT, "not_a_pdf"),
    ],
)
def test_a_photo_given_as_another_kind_is_refused_by_its_bytes(entry, kind, reason):
    file = process_file(stored_file(entry, fixtures.jpeg_bytes(), kind=kind))

    assert (file.state, file.reason) == (FileState.REJECTED, reason)
    assert file.media_details == {}


def test_a_pdf_renamed_jpg_is_refused_as_an_image(entry):
    file = process_file(stored_file(entry, document_fixtures.metadata_pdf()))

    assert (file.state, file.reason) == (FileState.REJECTED, "not_an_image")


def test_a_song_keeps_its_sound_and_loses_its_tags(entry, tmp_path):
    song = media_fixtures.make_audio(
        tmp_path / "song.mp3",
        fmt="mp3",
        seconds=3,
        tags={"title": "Night ferry", "artist": "Amira Haddad"},
        cover_art=True,
    )

    file = process_file(
        stored_file(entry, song.read_bytes(), name="song.mp3", kind=MediaKind.AUDIO)
    )

    assert file.state == FileState.READY, file.reason
    assert file.duration == pytest.approx(3, abs=0.2)
    assert file.content_type == "audio/mpeg"
    derivatives = _derivatives(file)
    assert set(derivatives) == {
        (DerivativeKind.WAVEFORM, 0),
        (DerivativeKind.THUMB, 0),
        (DerivativeKind.AUDIO, 0),
    }
    assert derivatives[(DerivativeKind.THUMB, 0)].width == 480
    path, description = _probe_stored(
        derivatives[(DerivativeKind.AUDIO, 0)].key, tmp_path
    )
    assert [stream["codec_type"] for stream in description["streams"]] == ["audio"]
    assert "Amira" not in json.dumps(description)
    assert b"Amira" not in path.read_bytes()
    waveform = _read(derivatives[(DerivativeKind.WAVEFORM, 0)].key)
    with Image.open(io.BytesIO(waveform)) as image:
        assert image.format == "PNG"
        assert image.size == (
            derivatives[(DerivativeKind.WAVEFORM, 0)].width,
            derivatives[(DerivativeKind.WAVEFORM, 0)].height,
        )


SINGER = "Amira Haddad"


@pytest.fixture(scope="session")
def album_song(tmp_path_factory):
    """An MP3 with a 190 KB cover picture in its ID3 tag, ahead of the sound."""
    folder = tmp_path_factory.mktemp("album")
    cover = media_fixtures.make_cover(folder / "cover.jpg")
    song = media_fixtures.make_mp3_with_cover(
        folder / "song.mp3", cover, seconds=3, tags={"artist": SINGER}
    )
    return song, cover.read_bytes()


@pytest.fixture(scope="session")
def lyrics_song(tmp_path_factory):
    """An MP3 whose ID3 tag holds 40 KB of lyrics (USLT) naming the singer."""
    lyrics = f"Verse by {SINGER}, sung on the night ferry to Kowloon.\n" * 360
    tag = media_fixtures.id3_tag(
        [
            media_fixtures.text_frame("TPE1", SINGER),
            media_fixtures.lyrics_frame(lyrics),
        ]
    )
    folder = tmp_path_factory.mktemp("lyrics")
    return media_fixtures.make_mp3_with_tag(folder / "song.mp3", tag, seconds=3)


def _assert_clean_preview(file, tmp_path, *, absent):
    """The file is ready with its waveform, thumbnail and preview, and the
    preview is the sound alone: no picture, no tag, none of ``absent``."""
    assert (file.state, file.reason) == (FileState.READY, "")
    assert file.content_type == "audio/mpeg"
    assert file.duration == pytest.approx(3, abs=0.2)
    derivatives = _derivatives(file)
    assert set(derivatives) == {
        (DerivativeKind.WAVEFORM, 0),
        (DerivativeKind.THUMB, 0),
        (DerivativeKind.AUDIO, 0),
    }
    path, description = _probe_stored(
        derivatives[(DerivativeKind.AUDIO, 0)].key, tmp_path
    )
    assert [s["codec_type"] for s in description["streams"]] == ["audio"]
    assert set(media_fixtures.all_tags(description)) <= media_fixtures.NEUTRAL_KEYS
    preview = path.read_bytes()
    for value in absent:
        assert value not in preview
    with Image.open(
        io.BytesIO(_read(derivatives[(DerivativeKind.WAVEFORM, 0)].key))
    ) as image:
        assert (image.format, image.size) == ("PNG", (1200, 240))


def test_a_song_with_a_large_cover_picture_is_taken_without_it(
    entry, tmp_path, album_song
):
    song, cover = album_song
    data = song.read_bytes()
    # The trap is real: the cover fills the first 8 KiB and far beyond, so they
    # alone do not show a sound recording.
    assert len(cover) > 150_000 and cover in data
    assert magic.from_buffer(data[:SNIFF_BYTES], mime=True) != "audio/mpeg"

    file = process_file(stored_file(entry, data, name="song.mp3", kind=MediaKind.AUDIO))

    _assert_clean_preview(
        file, tmp_path, absent=(SINGER.encode(), cover[1000:1100], b"Cover (front)")
    )


def test_a_song_with_long_lyrics_is_taken_without_them(entry, tmp_path, lyrics_song):
    data = lyrics_song.read_bytes()
    assert "Verse by".encode("utf-16-le") in data
    assert magic.from_buffer(data[:SNIFF_BYTES], mime=True) != "audio/mpeg"

    file = process_file(stored_file(entry, data, name="song.mp3", kind=MediaKind.AUDIO))

    _assert_clean_preview(
        file,
        tmp_path,
        absent=(SINGER.encode(), SINGER.encode("utf-16-le"), b"USLT"),
    )


def test_a_tag_without_any_sound_is_refused(entry, album_song):
    song, _cover = album_song
    data = song.read_bytes()
    # The ID3 tag alone: its declared size ends where the sound would begin.
    size = 0
    for byte in data[6:10]:
        size = size << 7 | byte
    tag = data[: 10 + size]
    assert len(tag) > SNIFF_BYTES

    file = process_file(stored_file(entry, tag, name="song.mp3", kind=MediaKind.AUDIO))

    assert (file.state, file.reason) == (FileState.REJECTED, "not_audio")
    assert storage.head_object(file.key) is None


def test_a_pdf_gets_page_images_and_a_judge_copy_without_its_author(entry, tmp_path):
    data = document_fixtures.metadata_pdf()
    assert document_fixtures.AUTHOR.encode() in data or b"<dc:creator>" in data

    file = process_file(
        stored_file(entry, data, name="poems.pdf", kind=MediaKind.DOCUMENT)
    )

    assert file.state == FileState.READY, file.reason
    assert file.content_type == "application/pdf"
    derivatives = _derivatives(file)
    pages = [key for key in derivatives if key[0] == DerivativeKind.PAGE]
    assert pages == [(DerivativeKind.PAGE, n) for n in range(1, len(pages) + 1)]
    assert 1 <= len(pages) <= 3 and file.page_count >= len(pages)
    assert derivatives[(DerivativeKind.PAGE, 1)].key.endswith("/page-1.jpg")
    assert (DerivativeKind.THUMB, 0) in derivatives
    copy = derivatives[(DerivativeKind.DOCUMENT, 0)]
    judge_copy = _read(copy.key)
    with pikepdf.open(io.BytesIO(judge_copy)) as pdf:
        assert "/Metadata" not in pdf.Root
        assert not pdf.docinfo.keys()
        assert len(pdf.pages) == file.page_count
    # Nothing of the author's anywhere, once every stream is uncompressed.
    with pikepdf.open(io.BytesIO(judge_copy)) as pdf:
        plain = tmp_path / "plain.pdf"
        pdf.save(
            plain,
            compress_streams=False,
            stream_decode_level=pikepdf.StreamDecodeLevel.generalized,
        )
    assert document_fixtures.AUTHOR.encode() not in plain.read_bytes()


def test_an_encrypted_pdf_is_refused_with_its_own_reason(entry):
    file = process_file(
        stored_file(
            entry,
            document_fixtures.encrypted_pdf(),
            name="locked.pdf",
            kind=MediaKind.DOCUMENT,
        )
    )

    assert (file.state, file.reason) == (FileState.REJECTED, "encrypted")


def test_a_pdf_without_cross_reference_or_size_is_ready(entry):
    data = document_fixtures.trailer_without_size_pdf()

    file = process_file(
        stored_file(entry, data, name="zine.pdf", kind=MediaKind.DOCUMENT)
    )

    assert (file.state, file.reason, file.page_count) == (FileState.READY, "", 2)
    copy = _derivatives(file)[(DerivativeKind.DOCUMENT, 0)]
    with pikepdf.open(io.BytesIO(_read(copy.key))) as pdf:
        assert len(pdf.pages) == 2


def test_a_judge_copy_that_does_not_reopen_fails_for_staff_not_the_entrant(
    entry, monkeypatch
):
    # Our writing goes wrong (a fault of the PDF library, say): the copy on disk
    # is not a PDF that opens. The entrant's file is not to blame.
    def broken_save(pdf, destination, **options):
        with open(destination, "wb") as handle:
            handle.write(b"%PDF-1.7\n1 0 obj\n<<")

    data = document_fixtures.plain_pdf(pages=2)
    # The library's fault, which no input can cause.
    monkeypatch.setattr(pikepdf.Pdf, "save", broken_save)

    file = process_file(
        stored_file(entry, data, name="zine.pdf", kind=MediaKind.DOCUMENT)
    )

    assert (file.state, file.reason) == (FileState.FAILED, "internal_error")
    assert storage.head_object(file.key) is not None
    assert not file.derivatives.exists()
    assert _state_events(file) == [
        (FileState.PROCESSING, FileState.FAILED, "internal_error")
    ]


def test_a_tool_that_runs_too_long_leaves_the_file_failed_not_the_worker_dead(
    entry, tmp_path
):
    # An MPEG-4 Part 2 clip is transcoded, long enough to be stopped mid-way.
    clip = media_fixtures.make_video(
        tmp_path / "slow.mp4", seconds=60, size=(640, 360), codec="mpeg4"
    )
    upload = stored_file(
        entry, clip.read_bytes(), name="slow.mp4", kind=MediaKind.VIDEO
    )

    with soft_time_limit_during("ffmpeg", "libx264"):
        file = process_file(upload)

    assert (file.state, file.reason) == (FileState.FAILED, "timed_out")
    assert storage.head_object(file.key) is not None
    # The tool was killed; on a busy machine the kernel may take a moment to end it.
    wait_until(
        lambda: running("ffmpeg", parent=os.getpid()) == [],
        timeout=15,
        message="the stopped ffmpeg to end",
    )


def test_a_video_the_tools_cannot_fetch_fails_for_a_retry_and_keeps_its_original(
    entry, tmp_path, monkeypatch
):
    # Storage answers the worker but refuses ffmpeg (an expired URL, a
    # dropped connection): our fault, never a verdict on the entrant's file.
    # The tool's URL alone is spoilt: no real outage spares the worker.
    presign = storage.presign_worker_read

    def refused_url(key, *, seconds):
        url = presign(key, seconds=seconds)
        return re.sub(r"X-Amz-Signature=\w+", "X-Amz-Signature=" + "0" * 64, url)

    monkeypatch.setattr(storage, "presign_worker_read", refused_url)
    clip = media_fixtures.make_video(tmp_path / "fine.mp4")
    file = stored_file(entry, clip.read_bytes(), name="fine.mp4", kind=MediaKind.VIDEO)

    with pytest.raises(ProcessingUnavailable) as raised:
        process_file(file)

    assert "X-Amz-Signature" not in str(raised.value)
    file.refresh_from_db()
    assert (file.state, file.reason) == (FileState.FAILED, "storage_unavailable")
    assert storage.head_object(file.key) is not None
