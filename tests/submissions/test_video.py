import copy
import io
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from submissions.enums import DerivativeKind
from submissions.media import audio, video
from submissions.media.results import Processed
from tests import media_fixtures
from tests.entry_factories import NOT_MEDIA, derivatives_or_refusal
from tests.media_fixtures import (
    PHONE_METADATA,
    PHONE_STREAM_METADATA,
    all_tags,
    ffprobe,
    make_audio,
    make_video,
    truncate,
)

# What must never be read back from a copy: the place, the time and the device.
TRACES = (b"+22.2783", b"114.1747", b"iPhone", b"Apple", b"2024-05-01", b"Core Media")
# Keys that would carry them.
FORBIDDEN_KEYS = ("location", "creation_time", "com.apple", "encoder", "timecode")
# The one encoder name a transcoded copy may carry: ffmpeg's own, without a
# version, the same in every copy processing makes.
OUR_ENCODER = "lavc libx264"


def outcome(original, tmp_path):
    return derivatives_or_refusal(video.make_derivatives, original, tmp_path)


def identifying_tags(description):
    return {
        key: value
        for key, value in all_tags(description).items()
        if any(word in key for word in FORBIDDEN_KEYS)
        and not (key.endswith(":encoder") and value == OUR_ENCODER)
    }


def derivatives_by_kind(processed):
    return {derivative.kind: derivative for derivative in processed.derivatives}


def copy_of(processed):
    copy = derivatives_by_kind(processed)[DerivativeKind.VIDEO]
    assert copy.content_type == "video/mp4"
    assert copy.extension == "mp4"
    return copy, ffprobe(copy.path)


def streams(description, codec_type):
    return [s for s in description["streams"] if s["codec_type"] == codec_type]


def picture_of(processed):
    """The playable copy and its one video stream."""
    copy, description = copy_of(processed)
    (picture,) = streams(description, "video")
    return copy, picture


def rotation(stream):
    for side_data in stream.get("side_data_list") or ():
        if "rotation" in side_data:
            return abs(int(side_data["rotation"])) % 360
    return 0


def test_phone_clip_is_remuxed_without_any_metadata(tmp_path):
    original = make_video(
        tmp_path / "IMG_0001.MOV",
        container="mov",
        metadata=PHONE_METADATA,
        stream_metadata=PHONE_STREAM_METADATA,
        extra_tracks=True,
    )
    original_bytes = original.read_bytes()
    # The trap is real: the original carries every trace and extra tracks.
    assert all(trace in original_bytes for trace in TRACES)
    assert streams(ffprobe(original), "data")
    assert streams(ffprobe(original), "subtitle")

    processed = video.make_derivatives(original, tmp_path)

    assert processed.details == {
        "container": "mov",
        "video_codec": "h264",
        "audio_codec": "aac",
        "copy": "remuxed",
    }
    assert (processed.width, processed.height) == (320, 240)
    assert processed.duration == pytest.approx(2, abs=0.1)
    copy, description = copy_of(processed)
    assert (copy.width, copy.height) == (320, 240)
    assert [s["codec_type"] for s in description["streams"]] == ["video", "audio"]
    assert not identifying_tags(description)
    assert not [value for value in all_tags(description).values() if "iphone" in value]
    data = Path(copy.path).read_bytes()
    assert not [trace for trace in TRACES if trace in data]
    # Nor the encoder strings of ffmpeg or x264 (x264 writes its own in an SEI).
    assert b"Lavf" not in data
    assert b"x264" not in data


def test_poster_and_thumbnail_are_clean_jpegs(tmp_path):
    original = make_video(tmp_path / "clip.mp4", metadata=PHONE_METADATA)

    kinds = derivatives_by_kind(video.make_derivatives(original, tmp_path))

    poster, thumb = kinds[DerivativeKind.POSTER], kinds[DerivativeKind.THUMB]
    for derivative in (poster, thumb):
        assert derivative.content_type == "image/jpeg"
        with Image.open(io.BytesIO(derivative.data)) as image:
            assert image.format == "JPEG"
            assert image.size == (derivative.width, derivative.height) == (320, 240)
            assert not image.getexif()
        assert not [trace for trace in TRACES if trace in derivative.data]


def test_poster_step_runs_alone(tmp_path):
    original = make_video(tmp_path / "clip.mp4", size=(640, 360))

    derivatives = video.make_poster(original, tmp_path, video.probe(original))

    assert [(r.kind, r.width, r.height) for r in derivatives] == [
        (DerivativeKind.POSTER, 640, 360),
        (DerivativeKind.THUMB, 480, 270),
    ]
    assert not (tmp_path / "video.mp4").exists()


def test_webm_vp9_is_transcoded_to_h264(tmp_path):
    original = make_video(
        tmp_path / "clip.webm", codec="vp9", container="webm", size=(640, 360)
    )

    processed = video.make_derivatives(original, tmp_path)

    assert processed.details == {
        "container": "webm",
        "video_codec": "vp9",
        "audio_codec": "opus",
        "copy": "transcoded",
    }
    copy, description = copy_of(processed)
    (picture,) = streams(description, "video")
    (sound,) = streams(description, "audio")
    assert (picture["codec_name"], picture["pix_fmt"]) == ("h264", "yuv420p")
    assert (picture["width"], picture["height"]) == (640, 360)
    assert sound["codec_name"] == "aac"
    assert float(description["format"]["duration"]) == pytest.approx(2, abs=0.1)
    assert not identifying_tags(description)
    # x264's SEI message (its version and every setting) is dropped.
    data = Path(copy.path).read_bytes()
    assert b"x264 - core" not in data
    assert b"Lavf" not in data


def test_ten_bit_h264_is_transcoded_to_eight_bit(tmp_path):
    original = make_video(tmp_path / "clip.mp4", pix_fmt="yuv420p10le", seconds=1)
    assert ffprobe(original)["streams"][0]["pix_fmt"] == "yuv420p10le"

    processed = video.make_derivatives(original, tmp_path)

    assert processed.details["copy"] == "transcoded"
    _copy, picture = picture_of(processed)
    assert (picture["codec_name"], picture["pix_fmt"]) == ("h264", "yuv420p")
    assert picture["profile"] == "High"


def test_above_1080p_is_transcoded_to_720p(tmp_path):
    original = make_video(tmp_path / "clip.mp4", size=(2560, 1440), seconds=1)

    processed = video.make_derivatives(original, tmp_path)

    assert (processed.width, processed.height) == (2560, 1440)
    assert processed.details["copy"] == "transcoded"
    copy, picture = picture_of(processed)
    assert (picture["width"], picture["height"]) == (1280, 720)
    assert (copy.width, copy.height) == (1280, 720)
    poster = derivatives_by_kind(processed)[DerivativeKind.POSTER]
    assert (poster.width, poster.height) == (1280, 720)


def test_odd_sized_video_gets_even_dimensions(tmp_path):
    original = make_video(
        tmp_path / "clip.webm", codec="vp8", container="webm", size=(321, 241)
    )

    _copy, description = copy_of(video.make_derivatives(original, tmp_path))

    (picture,) = streams(description, "video")
    assert picture["width"] % 2 == 0 and picture["height"] % 2 == 0
    assert abs(picture["width"] / picture["height"] - 321 / 241) < 0.02


def test_rotated_portrait_clip_stays_portrait_when_remuxed(tmp_path):
    original = make_video(tmp_path / "portrait.mp4", size=(320, 180), rotate=90)
    assert rotation(ffprobe(original)["streams"][0]) == 90

    processed = video.make_derivatives(original, tmp_path)

    assert (processed.width, processed.height) == (180, 320)
    assert processed.details["copy"] == "remuxed"
    kinds = derivatives_by_kind(processed)
    for kind in (DerivativeKind.POSTER, DerivativeKind.THUMB):
        with Image.open(io.BytesIO(kinds[kind].data)) as poster:
            assert poster.width < poster.height
    copy, picture = picture_of(processed)
    # Stored sideways as the original, with the display matrix browsers honour.
    assert (picture["width"], picture["height"]) == (320, 180)
    assert rotation(picture) == 90
    assert (copy.width, copy.height) == (180, 320)


def test_rotated_portrait_clip_is_turned_upright_when_transcoded(tmp_path):
    original = make_video(
        tmp_path / "portrait.mp4",
        size=(320, 180),
        rotate=90,
        pix_fmt="yuv420p10le",
        seconds=1,
    )

    processed = video.make_derivatives(original, tmp_path)

    assert processed.details["copy"] == "transcoded"
    copy, picture = picture_of(processed)
    assert (picture["width"], picture["height"]) == (180, 320)
    # Turned once, by the encoder: no matrix left to turn it again.
    assert rotation(picture) == 0
    assert (copy.width, copy.height) == (180, 320)


def test_video_without_audio(tmp_path):
    original = make_video(tmp_path / "silent.mp4", audio=False)

    processed = video.make_derivatives(original, tmp_path)

    assert processed.details["audio_codec"] is None
    assert processed.details["copy"] == "remuxed"
    _copy, description = copy_of(processed)
    assert [s["codec_type"] for s in description["streams"]] == ["video"]


def test_mpeg4_in_mov_is_transcoded(tmp_path):
    original = make_video(tmp_path / "old.mov", codec="mpeg4", container="mov")

    processed = video.make_derivatives(original, tmp_path)

    assert processed.details["container"] == "mov"
    assert processed.details["copy"] == "transcoded"
    _copy, description = copy_of(processed)
    assert streams(description, "video")[0]["codec_name"] == "h264"


def test_truncated_mp4_without_its_index_is_corrupt(tmp_path):
    # Without faststart the index (moov) is written last: cut, it is gone.
    original = truncate(make_video(tmp_path / "clip.mp4", faststart=False), 0.5)

    assert outcome(original, tmp_path) == "corrupt"


def test_truncated_faststart_mp4_is_copied_or_rejected(tmp_path):
    original = truncate(make_video(tmp_path / "clip.mp4", seconds=4), 0.5)

    processed = outcome(original, tmp_path)

    if processed != "corrupt":
        assert isinstance(processed, Processed)
        _copy, description = copy_of(processed)
        assert streams(description, "video")


def test_audio_only_mp4_is_not_a_video(tmp_path):
    original = make_audio(tmp_path / "song.mp4", fmt="m4a")

    assert outcome(original, tmp_path) == "not_a_video"


def test_cover_art_is_not_a_video_track(tmp_path):
    original = make_audio(tmp_path / "song.mp4", fmt="m4a", cover_art=True)
    assert streams(ffprobe(original), "video")

    assert outcome(original, tmp_path) == "not_a_video"


def test_mp3_is_not_a_video(tmp_path):
    original = make_audio(tmp_path / "song.mp4", fmt="mp3")

    assert outcome(original, tmp_path) == "not_a_video"


@pytest.mark.parametrize("content", NOT_MEDIA.values(), ids=list(NOT_MEDIA))
@pytest.mark.parametrize(
    ("media", "name", "code"),
    [(audio, "song.mp3", "not_audio"), (video, "clip.mp4", "not_a_video")],
    ids=["audio", "video"],
)
def test_other_files_are_neither_audio_nor_video(tmp_path, media, name, code, content):
    original = tmp_path / name
    original.write_bytes(content)

    assert derivatives_or_refusal(media.make_derivatives, original, tmp_path) == code


def plain_ffprobe_format(path):
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=format_name", path],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return result.stdout


def test_the_watched_pipe_notices_a_plain_ffprobe(tmp_path):
    # The trap of the next tests is real: ffmpeg left to itself follows a
    # playlist disguised as a video and reads the file it names.
    segment = make_video(tmp_path / "segment.mp4", seconds=1).read_bytes()
    with media_fixtures.OpenWatch(tmp_path / "someone-elses.mp4", segment) as watch:
        playlist = media_fixtures.hls_playlist(tmp_path / "clip.mp4", watch.path)
        assert "hls" in plain_ffprobe_format(playlist)
    assert watch.opened


@pytest.mark.parametrize(
    "disguise", [media_fixtures.hls_playlist, media_fixtures.concat_list]
)
def test_playlist_disguised_as_mp4_is_refused_unread(tmp_path, disguise):
    segment = make_video(tmp_path / "segment.mp4", seconds=1).read_bytes()
    with media_fixtures.OpenWatch(tmp_path / "someone-elses.mp4", segment) as watch:
        playlist = disguise(tmp_path / "clip.mp4", watch.path)
        refused = outcome(playlist, tmp_path)
    assert refused == "not_a_video"
    assert not watch.opened
    assert not (tmp_path / "poster.png").exists()


def test_hls_playlist_naming_a_system_file_is_refused(tmp_path):
    playlist = media_fixtures.hls_playlist(tmp_path / "clip.mp4", "/etc/passwd")

    assert outcome(playlist, tmp_path) == "not_a_video"


def test_video_is_read_from_a_url_with_range_requests(tmp_path):
    served = tmp_path / "served"
    served.mkdir()
    make_video(served / "clip.mp4", seconds=4, faststart=False, metadata=PHONE_METADATA)
    work = tmp_path / "work"
    work.mkdir()

    with media_fixtures.RangeServer(served) as server:
        processed = video.make_derivatives(server.url("clip.mp4"), work)

    assert processed.details["copy"] == "remuxed"
    assert processed.duration == pytest.approx(4, abs=0.1)
    assert any(
        byte_range not in (None, "bytes=0-") for _, byte_range in server.requests
    )
    copy, _description = copy_of(processed)
    assert copy.path.startswith(str(work))
    assert not [trace for trace in TRACES if trace in Path(copy.path).read_bytes()]


def test_text_at_a_url_is_not_a_video(tmp_path):
    (tmp_path / "clip.mp4").write_text("hello\n" * 100)

    with media_fixtures.RangeServer(tmp_path) as server:
        refused = outcome(server.url("clip.mp4"), tmp_path)

    assert refused == "not_a_video"


def _hdr_clip(path, transfer):
    """A 10-bit HEVC clip tagged as HDR, as phones record (HLG) or HDR10 (PQ)."""
    x265_transfer = {"smpte2084": "smpte2084", "arib-std-b67": "arib-std-b67"}[transfer]
    media_fixtures.ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x240:rate=25:duration=2",
        "-c:v",
        "libx265",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p10le",
        "-x265-params",
        f"log-level=0:colorprim=bt2020:transfer={x265_transfer}:colormatrix=bt2020nc",
        "-color_primaries",
        "bt2020",
        "-color_trc",
        transfer,
        "-colorspace",
        "bt2020nc",
        "-tag:v",
        "hvc1",
        str(path),
    )
    return path


@pytest.mark.parametrize("transfer", ["arib-std-b67", "smpte2084"])
def test_hdr_video_is_tone_mapped_to_sdr_for_the_copy_and_the_poster(
    tmp_path, transfer
):
    clip = _hdr_clip(tmp_path / "hdr.mp4", transfer)

    processed = video.make_derivatives(clip, tmp_path)

    assert processed.details["copy"] == "transcoded"
    assert processed.details["hdr"] == transfer
    copy = next(r for r in processed.derivatives if r.kind == DerivativeKind.VIDEO)
    (stream,) = [
        s
        for s in media_fixtures.ffprobe(copy.path)["streams"]
        if s["codec_type"] == "video"
    ]
    assert (stream["codec_name"], stream["pix_fmt"]) == ("h264", "yuv420p")
    assert stream.get("color_transfer") == "bt709"
    assert stream.get("color_primaries") == "bt709"
    poster = next(r for r in processed.derivatives if r.kind == DerivativeKind.POSTER)
    assert poster.data[:2] == b"\xff\xd8"


def test_hdr_frames_are_not_shown_as_if_they_were_sdr(tmp_path):
    # The same frame, once as the HLG it is and once as if it were SDR (its
    # transfer tag dropped): tone mapping changes the picture.
    clip = _hdr_clip(tmp_path / "hlg.mp4", "arib-std-b67")
    description = video.probe(clip)
    toned = video.make_poster(clip, tmp_path, description)[0]
    as_sdr = copy.deepcopy(description)
    for stream in as_sdr["streams"]:
        stream.pop("color_transfer", None)
    (tmp_path / "plain").mkdir()
    plain = video.make_poster(clip, tmp_path / "plain", as_sdr)[0]

    assert toned.data != plain.data
