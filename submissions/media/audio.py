"""Audio operations: a waveform picture and a copy that every browser plays.

Audio files carry tags that name people and places (ID3 title, artist, album
and comments, Vorbis comments, iTunes atoms, an embedded cover photo with its
own EXIF). The preview is re-encoded to AAC with no tag, no chapter and no
picture, in ffmpeg's bitexact mode so that not even an encoder string remains;
the waveform is drawn by ffmpeg and saved again by Pillow without text chunks.
"""

import io
from pathlib import Path

from PIL import Image

from submissions.enums import DerivativeKind
from submissions.media import ffmpeg, images
from submissions.media.results import DerivativeData, Processed, Rejected

AUDIO_FAMILIES = ("mp3", "wav", "flac", "ogg", "mov")

PREVIEW_TIMEOUT = 3600

WAVEFORM_SIZE = (1200, 240)
WAVEFORM_COLOUR = "0x1f2937"
# ffmpeg's waveform filter keeps every sample until the end of the file, so
# the audio is resampled first to hold at most this many samples (40 MB as
# 16-bit mono): an hour still gets over 5,000 samples a second, far more than
# 1,200 columns of pixels show.
WAVEFORM_MAX_SAMPLES = 20_000_000
WAVEFORM_RATE_RANGE = (200, 8000)

# Tags may stand before the sound: ID3v2 (MP3, some FLAC and WAV files), with
# album art or lyrics of hundreds of kilobytes, and APEv2. A file's type is told
# from the bytes after them; a few tags may follow one another.
MAX_LEADING_TAGS = 4
ID3_HEADER = 10
ID3_FOOTER_FLAG = 0x10
APE_PREAMBLE = b"APETAGEX"
APE_HEADER = 32
APE_IS_HEADER_FLAG = 1 << 29


def make_derivatives(source, workdir, *, timeout=PREVIEW_TIMEOUT):
    """The waveform and browser preview of the audio at ``source`` (a path or a
    presigned URL), the preview written into the folder ``workdir``.

    Raises Rejected with "not_audio" or "corrupt".
    """
    description = ffmpeg.probe(source, families=AUDIO_FAMILIES, wrong_kind="not_audio")
    audio = ffmpeg.first_stream(description, "audio")
    if audio is None:
        raise Rejected("not_audio")
    duration = ffmpeg.duration(description, audio)
    preview, picture = _render(source, Path(workdir), audio, duration, timeout=timeout)
    # The waveform's thumbnail stands for the recording in lists of files.
    thumb = images.make_derivatives(picture, sizes=((DerivativeKind.THUMB, 480),))
    return Processed(
        derivatives=[_waveform(picture), *thumb.derivatives, _preview(preview)],
        duration=duration,
        details={
            "container": ffmpeg.container_name(description),
            "audio_codec": audio.get("codec_name"),
            "sample_rate": _int(audio.get("sample_rate")),
            "channels": _int(audio.get("channels")),
        },
    )


def leading_tag_length(head):
    """The length of the ID3v2 or APEv2 tag that ``head`` (the first bytes of a
    file, at least 32 of them) starts with, or 0 when it starts with none."""
    if head.startswith(b"ID3") and len(head) >= ID3_HEADER:
        # The size is four bytes of seven bits each ("synchsafe"), counting
        # neither the header nor the footer that ID3v2.4 may add.
        size = 0
        for byte in head[6:10]:
            if byte & 0x80:
                return 0
            size = size << 7 | byte
        footer = ID3_HEADER if head[5] & ID3_FOOTER_FLAG else 0
        return ID3_HEADER + size + footer
    if head.startswith(APE_PREAMBLE) and len(head) >= APE_HEADER:
        # The size counts the items and the footer, not the header.
        size = int.from_bytes(head[12:16], "little")
        flags = int.from_bytes(head[20:24], "little")
        if flags & APE_IS_HEADER_FLAG:
            return APE_HEADER + size
    return 0


def _render(source, workdir, audio, duration, *, timeout):
    """Decode the first audio track once, into both the preview (AAC in M4A,
    nothing but the sound) and the waveform (a PNG of the loudness over time, in
    one dark colour on transparency). Returns the two paths."""
    preview = workdir / "audio.m4a"
    picture = workdir / "waveform.png"
    width, height = WAVEFORM_SIZE
    graph = (
        f"[0:{audio['index']}]asplit=2[sound][wave];"
        f"[wave]aresample={_waveform_rate(duration)},"
        "aformat=sample_fmts=s16:channel_layouts=mono,"
        f"showwavespic=s={width}x{height}:colors={WAVEFORM_COLOUR}:filter=peak[picture]"
    )
    ffmpeg.run(
        [
            *ffmpeg.input_args(source, AUDIO_FAMILIES),
            "-filter_complex",
            graph,
            "-map",
            "[sound]",
            *ffmpeg.aac_options(audio),
            *ffmpeg.CLEAN_MP4_OPTIONS,
            "file:" + str(preview),
            "-map",
            "[picture]",
            "-frames:v",
            "1",
            "-c:v",
            "png",
            "-f",
            "image2",
            "file:" + str(picture),
        ],
        timeout=timeout,
    )
    return preview, picture


def _waveform_rate(duration):
    """The sample rate at which the waveform filter's memory stays bounded."""
    low, high = WAVEFORM_RATE_RANGE
    if not duration:
        return high
    return max(low, min(high, int(WAVEFORM_MAX_SAMPLES / duration)))


def _preview(path):
    # Decoding errors do not stop ffmpeg: a file with no decodable sound leaves
    # an empty preview, which is how a damaged file shows itself here.
    written = ffmpeg.probe(path, families=("mov",), wrong_kind="corrupt")
    if ffmpeg.first_stream(written, "audio") is None or not ffmpeg.duration(written):
        raise Rejected("corrupt")
    return DerivativeData(
        kind=DerivativeKind.AUDIO,
        content_type="audio/mp4",
        extension="m4a",
        path=str(path),
    )


def _waveform(path):
    """The picture ffmpeg drew, saved again from bare pixels: no text chunk (an
    encoder name), time or other ancillary data of ffmpeg's survives."""
    try:
        with Image.open(path) as drawn:
            drawn.load()
            pixels = drawn.convert("RGBA")
    except (OSError, ValueError) as error:
        raise Rejected("corrupt") from error
    clean = Image.frombytes("RGBA", pixels.size, pixels.tobytes())
    buffer = io.BytesIO()
    clean.save(buffer, "PNG", optimize=True)
    return DerivativeData(
        kind=DerivativeKind.WAVEFORM,
        content_type="image/png",
        extension="png",
        data=buffer.getvalue(),
        width=clean.width,
        height=clean.height,
    )


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
