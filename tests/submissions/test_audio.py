import io
import struct
from pathlib import Path

import pytest
from PIL import Image

from submissions.enums import DerivativeKind
from submissions.media import audio
from tests import media_fixtures
from tests.entry_factories import derivatives_or_refusal
from tests.media_fixtures import (
    NEUTRAL_KEYS,
    all_tags,
    ffprobe,
    make_audio,
    make_video,
    truncate,
)

TAGS = {
    "title": "Letter to my sister",
    "artist": "Jane Doe",
    "album": "Kowloon nights",
    "comment": "Recorded at 22 Nathan Road",
}


def outcome(original, tmp_path):
    return derivatives_or_refusal(audio.make_derivatives, original, tmp_path)


def by_kind(processed):
    return {derivative.kind: derivative for derivative in processed.derivatives}


def png_chunk_types(data):
    """The chunk types of a PNG file, in order."""
    types, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        types.append(data[offset + 4 : offset + 8].decode("ascii"))
        offset += 12 + length
    return types


@pytest.mark.parametrize(
    ("fmt", "codec", "container"),
    [
        ("mp3", "mp3", "mp3"),
        ("wav", "pcm_s16le", "wav"),
        ("flac", "flac", "flac"),
        ("ogg", "vorbis", "ogg"),
        ("opus", "opus", "ogg"),
        ("m4a", "aac", "m4a"),
    ],
)
def test_preview_and_waveform_carry_no_tags(tmp_path, fmt, codec, container):
    cover = fmt in media_fixtures.COVER_CODECS
    original = make_audio(tmp_path / f"song.{fmt}", fmt=fmt, tags=TAGS, cover_art=cover)
    described = ffprobe(original)
    # The trap is real: the original carries the tags (and its cover).
    assert "jane doe" in all_tags(described).values()
    assert any(s["codec_type"] == "video" for s in described["streams"]) == cover

    processed = audio.make_derivatives(original, tmp_path)

    assert processed.duration == pytest.approx(2, abs=0.1)
    assert processed.details == {
        "container": container,
        "audio_codec": codec,
        "sample_rate": 48000 if fmt == "opus" else 44100,
        "channels": 2,
    }
    derivatives = by_kind(processed)
    preview = derivatives[DerivativeKind.AUDIO]
    assert (preview.content_type, preview.extension) == ("audio/mp4", "m4a")
    description = ffprobe(preview.path)
    assert [(s["codec_type"], s["codec_name"]) for s in description["streams"]] == [
        ("audio", "aac")
    ]
    assert float(description["format"]["duration"]) == pytest.approx(2, abs=0.1)
    assert set(all_tags(description)) <= NEUTRAL_KEYS
    data = Path(preview.path).read_bytes()
    for value in (*TAGS.values(), "Lavf", "Lavc"):
        assert value.encode() not in data
    assert b"ftypisom" in data[:16]
    # Faststart: the index comes before the sound.
    assert data.index(b"moov") < data.index(b"mdat")


def test_waveform_is_a_clean_png_of_the_sound(tmp_path):
    original = make_audio(tmp_path / "song.mp3", tags=TAGS, cover_art=True)

    waveform = by_kind(audio.make_derivatives(original, tmp_path))[
        DerivativeKind.WAVEFORM
    ]

    assert (waveform.content_type, waveform.extension) == ("image/png", "png")
    assert (waveform.width, waveform.height) == (1200, 240)
    assert set(png_chunk_types(waveform.data)) <= {
        "IHDR",
        "PLTE",
        "tRNS",
        "IDAT",
        "IEND",
    }
    with Image.open(io.BytesIO(waveform.data)) as image:
        assert image.size == (1200, 240)
        assert not image.info.get("text")
        picture = image.convert("RGBA")
    # The tone is drawn across the middle, in a dark colour; the edges are clear.
    middle = picture.getpixel((600, 120))
    assert middle[3] == 255 and max(middle[:3]) < 80
    assert picture.getpixel((600, 0))[3] == 0


def test_preview_of_surround_sound_is_stereo_at_48k(tmp_path):
    original = make_audio(tmp_path / "room.wav", fmt="wav", rate=96000, channels=1)
    # Six channels at 96 kHz, from the mono tone.
    media_fixtures.ffmpeg(
        "-i",
        str(original),
        "-af",
        "pan=5.1|c0=c0|c1=c0|c2=c0|c3=c0|c4=c0|c5=c0",
        str(tmp_path / "surround.flac"),
    )

    processed = audio.make_derivatives(tmp_path / "surround.flac", tmp_path)

    assert processed.details["channels"] == 6
    assert processed.details["sample_rate"] == 96000
    (stream,) = ffprobe(by_kind(processed)[DerivativeKind.AUDIO].path)["streams"]
    assert (stream["channels"], stream["sample_rate"]) == (2, "48000")


def test_sound_of_a_video_file_is_taken(tmp_path):
    original = make_video(tmp_path / "clip.mp4", metadata=media_fixtures.PHONE_METADATA)

    processed = audio.make_derivatives(original, tmp_path)

    description = ffprobe(by_kind(processed)[DerivativeKind.AUDIO].path)
    assert [s["codec_type"] for s in description["streams"]] == ["audio"]
    assert set(all_tags(description)) <= NEUTRAL_KEYS


def test_video_without_sound_is_not_audio(tmp_path):
    original = make_video(tmp_path / "clip.mp4", audio=False)

    assert outcome(original, tmp_path) == "not_audio"


def test_webm_is_not_an_audio_format_the_portal_takes(tmp_path):
    original = make_video(tmp_path / "clip.webm", codec="vp8", container="webm")

    assert outcome(original, tmp_path) == "not_audio"


def test_truncated_m4a_without_its_index_is_corrupt(tmp_path):
    original = make_audio(tmp_path / "song.m4a", fmt="m4a", seconds=4)
    # Move the index to the end, as a recorder that was stopped writes it, then cut.
    moved = tmp_path / "moved.m4a"
    media_fixtures.ffmpeg("-i", str(original), "-c", "copy", "-f", "mp4", str(moved))
    data = moved.read_bytes()
    assert data.index(b"mdat") < data.index(b"moov")
    truncate(moved, 0.5)

    assert outcome(moved, tmp_path) == "corrupt"


def test_truncated_mp3_is_previewed_or_rejected(tmp_path):
    original = truncate(make_audio(tmp_path / "song.mp3", seconds=4), 0.5)

    processed = outcome(original, tmp_path)

    if processed != "corrupt":
        preview = by_kind(processed)[DerivativeKind.AUDIO]
        assert float(ffprobe(preview.path)["format"]["duration"]) > 1


def test_playlist_disguised_as_audio_is_refused_unread(tmp_path):
    song = make_audio(tmp_path / "song.mp3").read_bytes()
    with media_fixtures.OpenWatch(tmp_path / "someone-elses.mp3", song) as watch:
        playlist = media_fixtures.hls_playlist(tmp_path / "song.m4a", watch.path)
        refused = outcome(playlist, tmp_path)

    assert refused == "not_audio"
    assert not watch.opened


def test_audio_is_read_from_a_url(tmp_path):
    served = tmp_path / "served"
    served.mkdir()
    make_audio(served / "song.flac", fmt="flac", tags=TAGS, seconds=3)
    work = tmp_path / "work"
    work.mkdir()

    with media_fixtures.RangeServer(served) as server:
        processed = audio.make_derivatives(server.url("song.flac"), work)

    assert processed.duration == pytest.approx(3, abs=0.1)
    preview = by_kind(processed)[DerivativeKind.AUDIO]
    assert preview.path.startswith(str(work))
    assert set(all_tags(ffprobe(preview.path))) <= NEUTRAL_KEYS


def test_leading_tags_are_measured_to_the_sound():
    frames = [media_fixtures.text_frame("TIT2", "Night ferry")]
    tag = media_fixtures.id3_tag(frames)
    assert audio.leading_tag_length(tag + b"\xff\xfb" + bytes(40)) == len(tag)
    # ID3v2.4 with a footer: ten bytes more than its size says.
    with_footer = tag[:3] + b"\x04\x00\x10" + tag[6:]
    assert audio.leading_tag_length(with_footer) == len(tag) + 10
    # An APEv2 tag with its header: the size leaves the header out.
    ape = b"APETAGEX" + (2000).to_bytes(4, "little") + (100).to_bytes(4, "little")
    ape += (1).to_bytes(4, "little") + (0xA0000000).to_bytes(4, "little") + bytes(8)
    assert audio.leading_tag_length(ape) == 132
    # Not tags: the sound itself, a size byte with its high bit set, too few bytes.
    assert audio.leading_tag_length(b"\xff\xfb\x90\x64" + bytes(40)) == 0
    assert audio.leading_tag_length(b"ID3\x03\x00\x00\x80\x00\x00\x00" + bytes(40)) == 0
    assert audio.leading_tag_length(b"ID3\x03") == 0
