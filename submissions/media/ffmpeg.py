"""The one place where ffprobe and ffmpeg are run on an entrant's file.

A source is a local path or a presigned ``http(s)`` GET URL of the original in
object storage; ffmpeg then reads it with HTTP range requests and fetches only
the bytes it needs (the index, the frames near a seek point).

An original is untrusted. Left to itself, ffmpeg picks a demuxer from the file's
contents, and some demuxers open other files or URLs: an HLS playlist or a
concat list renamed to ``.mp4`` would make ffmpeg read ``/etc/passwd`` or a
neighbour's upload into the "video". So every run names the only protocols the
source may use (``file`` for a path, the HTTP family for a URL) and the only
demuxers it may be read with, and ffprobe's verdict is checked again against the
demuxers the caller takes.
"""

import json
import os
import urllib.request
from pathlib import Path

from submissions.media import commands
from submissions.media.results import Rejected, SourceUnavailable

PROBE_TIMEOUT = 60

# The demuxers read, by family. ffprobe names a demuxer by all the names it
# registers, so "mov,mp4,m4a,3gp,3g2,mj2" is one demuxer.
DEMUXERS = {
    "mov": "mov,mp4,m4a,3gp,3g2,mj2",
    "matroska": "matroska,webm",
    "mp3": "mp3",
    "wav": "wav",
    "flac": "flac",
    "ogg": "ogg",
}

# The names staff know for the MP4 family's major brands.
MOV_BRANDS = {"qt": "mov", "M4A": "m4a", "M4B": "m4a", "M4V": "m4v"}

LOCAL_PROTOCOLS = "file"
URL_PROTOCOLS = "http,https,tcp,tls"

# Options for reading a presigned URL: one kept-alive connection for the range
# requests of a seek, reconnection after a dropped connection, and a bound on
# any single read so that a stalled connection fails instead of hanging.
URL_INPUT_OPTIONS = (
    "-multiple_requests",
    "1",
    "-reconnect",
    "1",
    "-reconnect_on_network_error",
    "1",
    "-reconnect_delay_max",
    "4",
    "-rw_timeout",
    "30000000",
    "-icy",
    "0",
)

# Enough of the start of a file to recognise each family's signature.
HEAD_BYTES = 16
# The top-level boxes an ISO BMFF (MP4, MOV, M4A) file starts with.
MOV_START_BOXES = {b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot"}


# What ffmpeg prints when reading a URL fails for the network's or the store's
# sake rather than the file's.
NETWORK_ERRORS = (
    b"Connection refused",
    b"Connection timed out",
    b"Connection reset",
    b"Network is unreachable",
    b"Failed to resolve",
    b"Server returned 4",
    b"Server returned 5",
    b"HTTP error",
    b"Input/output error",
)


# Output options that keep every identifying trace out of a copy: no global,
# per-stream or chapter metadata, no encoder strings or creation times
# (bitexact), and the index first (faststart) so that browsers play at once.
CLEAN_MP4_OPTIONS = (
    "-map_metadata",
    "-1",
    "-map_metadata:s",
    "-1",
    "-map_chapters",
    "-1",
    "-fflags",
    "+bitexact",
    "-flags:a",
    "+bitexact",
    "-movflags",
    "+faststart",
    "-f",
    "mp4",
)

# The sound of every copy: AAC at 128 kbit/s, in at most two channels and
# 48 kHz, which every browser decodes.
AAC_BITRATE = "128k"
AAC_MAX_CHANNELS = 2
AAC_MAX_RATE = 48000


def aac_options(audio):
    """The encoder options for ``audio`` (an ffprobe stream) as browsers take it."""
    options = ["-c:a", "aac", "-b:a", AAC_BITRATE]
    if _number(audio.get("channels")) > AAC_MAX_CHANNELS:
        options += ["-ac", str(AAC_MAX_CHANNELS)]
    if _number(audio.get("sample_rate")) > AAC_MAX_RATE:
        options += ["-ar", str(AAC_MAX_RATE)]
    return options


def _number(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def is_url(source):
    return str(source).startswith(("http://", "https://"))


def _check_reachable(args, result):
    """SourceUnavailable when a run on a URL failed because the URL could not be
    read: the file must not be refused for the storage's fault."""
    if (
        result.returncode != 0
        and any(is_url(arg) for arg in args)
        and any(error in result.stderr for error in NETWORK_ERRORS)
    ):
        raise SourceUnavailable(result.stderr.decode(errors="replace")[-500:])


def input_args(source, families):
    """The ffmpeg/ffprobe options and ``-i`` that open ``source`` safely with
    only the demuxers of ``families``."""
    demuxers = ",".join(DEMUXERS[family] for family in families)
    if is_url(source):
        options = ["-protocol_whitelist", URL_PROTOCOLS, *URL_INPUT_OPTIONS]
        target = str(source)
    else:
        options = ["-protocol_whitelist", LOCAL_PROTOCOLS]
        # The "file:" prefix keeps a name with a colon or a leading dash a path.
        target = "file:" + os.path.abspath(source)
    return [*options, "-format_whitelist", demuxers, "-i", target]


def probe(source, *, families, wrong_kind, timeout=PROBE_TIMEOUT):
    """ffprobe's description of ``source``: ``{"format": ..., "streams": [...]}``.

    Raises Rejected(``wrong_kind``) when the file is not in one of ``families``
    and Rejected("corrupt") when it is, but cannot be read.
    """
    result = commands.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            *input_args(source, families),
        ],
        timeout=timeout,
    )
    _check_reachable([source], result)
    description = _parse(result)
    if description is None:
        _reject_unreadable(source, families, wrong_kind, timeout=timeout)
    format_name = description["format"].get("format_name", "")
    if family_of(format_name) not in families:
        raise Rejected(wrong_kind, format=format_name)
    return description


def family_of(format_name):
    """The family of the demuxer ffprobe names, or None for one that is not read."""
    for family, demuxers in DEMUXERS.items():
        if format_name == demuxers:
            return family
    return None


def container_name(description):
    """A short name of the container for staff: mp4, mov, m4a, or the family."""
    format_info = description.get("format", {})
    family = family_of(format_info.get("format_name", ""))
    if family != "mov":
        return family
    brand = (format_info.get("tags") or {}).get("major_brand", "").strip()
    return MOV_BRANDS.get(brand, "mp4")


def run(args, *, timeout, failure="corrupt"):
    """Run ffmpeg with ``args`` (inputs, filters, outputs) and return the
    completed process; Rejected(``failure``) when ffmpeg fails on the file."""
    result = commands.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args],
        timeout=timeout,
    )
    _check_reachable(args, result)
    if result.returncode != 0:
        raise Rejected(failure)
    return result


def _parse(result):
    if result.returncode != 0:
        return None
    try:
        description = json.loads(result.stdout)
    except ValueError:
        return None
    if not isinstance(description, dict) or not isinstance(
        description.get("format"), dict
    ):
        return None
    description.setdefault("streams", [])
    return description


def _reject_unreadable(source, families, wrong_kind, *, timeout):
    """Tell a damaged file of a kind taken from a file of another kind.

    ffmpeg falls back on the file name's extension when the contents match no
    demuxer, so a text file named ``.mp4`` fails inside the MP4 demuxer just like
    a truncated MP4. The signature at the start of the file tells them apart.
    """
    family = sniff(read_head(source, timeout=timeout))
    if family in families:
        raise Rejected("corrupt", format=family)
    raise Rejected(wrong_kind, format=family or "unknown")


def read_head(source, *, timeout):
    """The first bytes of ``source``, for recognising its format."""
    if is_url(source):
        # Only http(s) reaches here (see is_url), and the URL is the portal's own.
        request = urllib.request.Request(str(source))  # noqa: S310
        request.add_header("Range", f"bytes=0-{HEAD_BYTES - 1}")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return response.read(HEAD_BYTES)
        except OSError as error:
            # URLError and HTTPError are OSErrors: the store, not the file.
            raise SourceUnavailable(str(error)) from error
    with Path(source).open("rb") as file:
        return file.read(HEAD_BYTES)


def sniff(head):
    """The family whose signature ``head`` starts with, or None."""
    if head[4:8] in MOV_START_BOXES:
        return "mov"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "matroska"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"fLaC"):
        return "flac"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"ID3") or (
        len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0
    ):
        return "mp3"
    return None


def display_size(stream):
    """Width and height of a video stream as it is shown: a rotation of a
    quarter turn (a phone held upright) swaps them."""
    width, height = stream.get("width"), stream.get("height")
    if not width or not height:
        return None, None
    if rotation(stream) % 180 == 90:
        return height, width
    return width, height


def rotation(stream):
    """The display rotation in degrees (0, 90, 180, 270) from the display
    matrix, or from the ``rotate`` tag older muxers and ffmpeg versions used."""
    for side_data in stream.get("side_data_list") or ():
        if "rotation" in side_data:
            return _degrees(side_data["rotation"])
    return _degrees((stream.get("tags") or {}).get("rotate", 0))


def _degrees(value):
    try:
        return round(float(value)) % 360
    except (TypeError, ValueError):
        return 0


def duration(description, stream=None):
    """Seconds, from the container or else the stream; None when unknown."""
    for source in (description.get("format", {}), stream or {}):
        try:
            seconds = float(source.get("duration", ""))
        except (TypeError, ValueError):
            continue
        if seconds > 0:
            return seconds
    return None


def first_stream(description, codec_type):
    """The first stream of ``codec_type``; for video, attached pictures (cover
    art) do not count."""
    for stream in description.get("streams", []):
        if stream.get("codec_type") != codec_type:
            continue
        if (stream.get("disposition") or {}).get("attached_pic"):
            continue
        return stream
    return None
