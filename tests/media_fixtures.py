"""Generated video and audio originals for the tests and benchmarks.

Everything is drawn by ffmpeg from its own test sources (a colour pattern and a
sine tone), so the files are small, fast to make and exactly what their names
say: a phone clip with its location tags, a rotated portrait clip, a 10-bit
H.264, an MP3 with ID3 tags and cover art, and so on.
"""

import contextlib
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from PIL import Image

from submissions.media import ffmpeg as media_ffmpeg
from tests.once import file_once

TIMEOUT = 120

# Where a phone says it was: Hong Kong, as the tests then look for it.
LOCATION = "+22.2783+114.1747/"
ISO6709 = "+22.2783+114.1747+010.000/"
CREATION_TIME = "2024-05-01T10:00:00.000000Z"

PHONE_METADATA = {
    "location": LOCATION,
    "location-eng": LOCATION,
    "creation_time": CREATION_TIME,
    "com.apple.quicktime.location.ISO6709": ISO6709,
    "com.apple.quicktime.make": "Apple",
    "com.apple.quicktime.model": "iPhone 15 Pro",
    "com.apple.quicktime.software": "17.4.1",
    "com.apple.quicktime.creationdate": "2024-05-01T18:00:00+0800",
    "encoder": "iPhone 15 Pro",
}
PHONE_STREAM_METADATA = {
    "creation_time": CREATION_TIME,
    "handler_name": "Core Media Video",
    "encoder": "H.264",
}

VIDEO_ENCODERS = {
    "h264": ["-c:v", "libx264", "-preset", "ultrafast"],
    "hevc": ["-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=0"],
    "vp9": ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8"],
    "vp8": ["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8"],
    "mpeg4": ["-c:v", "mpeg4"],
}
CONTAINERS = {
    "mp4": "mp4",
    "mov": "mov",
    "m4v": "mp4",
    "webm": "webm",
    "mkv": "matroska",
}
AUDIO_FOR_CONTAINER = {"webm": "libopus", "mkv": "libopus"}

AUDIO_FORMATS = {
    "mp3": (["-c:a", "libmp3lame", "-id3v2_version", "3"], "mp3"),
    "wav": (["-c:a", "pcm_s16le"], "wav"),
    "flac": (["-c:a", "flac"], "flac"),
    "ogg": (["-c:a", "libvorbis"], "ogg"),
    "opus": (["-c:a", "libopus"], "ogg"),
    "m4a": (["-c:a", "aac"], "ipod"),
}
# Tags an audio preview may carry: the MP4 muxer's own, the same in every file.
NEUTRAL_KEYS = {
    "major_brand",
    "minor_version",
    "compatible_brands",
    "0:language",
    "0:handler_name",
    "0:vendor_id",
}
# The formats that can carry a cover picture, and the codec it is stored in.
COVER_CODECS = {"mp3": "mjpeg", "flac": "mjpeg", "m4a": "mjpeg"}


def ffmpeg(*args):
    subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args],
        capture_output=True,
        timeout=TIMEOUT,
        check=True,
    )


def ffprobe(path):
    """ffprobe's JSON description of ``path``: format, streams and their tags,
    read as the portal reads a video or a song."""
    return media_ffmpeg.probe(
        path, families=tuple(media_ffmpeg.DEMUXERS), wrong_kind="not_media"
    )


@file_once
def make_video(
    path,
    *,
    seconds=2,
    size=(320, 240),
    codec="h264",
    container="mp4",
    audio=True,
    audio_codec=None,
    pix_fmt="yuv420p",
    rate=25,
    metadata=None,
    stream_metadata=None,
    rotate=None,
    faststart=True,
    extra_tracks=False,
):
    """Write a test-pattern video with a tone to ``path`` and return the path.

    ``metadata`` and ``stream_metadata`` (on the video track) are written as
    container tags, Apple's ``com.apple.*`` keys included; ``rotate`` (degrees)
    stores the picture sideways with a display matrix, as phones do;
    ``extra_tracks`` adds a subtitle and a timecode track.
    """
    path = Path(path)
    width, height = size
    args = [
        "-f",
        "lavfi",
        "-i",
        f"testsrc2=size={width}x{height}:rate={rate}:duration={seconds}",
    ]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
    maps = ["-map", "0:v"] + (["-map", "1:a"] if audio else [])
    if extra_tracks:
        subtitles = path.with_suffix(".srt")
        subtitles.write_text("1\n00:00:00,000 --> 00:00:01,000\nHello\n")
        args += ["-i", str(subtitles)]
        maps += ["-map", f"{2 if audio else 1}:s"]
    args += maps + VIDEO_ENCODERS[codec] + ["-pix_fmt", pix_fmt]
    if audio:
        args += ["-c:a", audio_codec or AUDIO_FOR_CONTAINER.get(container, "aac")]
    muxer = CONTAINERS[container]
    if extra_tracks:
        args += ["-c:s", "mov_text", "-timecode", "01:00:00:00", "-write_tmcd", "1"]
    for key, value in (metadata or {}).items():
        args += ["-metadata", f"{key}={value}"]
    for key, value in (stream_metadata or {}).items():
        args += ["-metadata:s:v", f"{key}={value}"]
    if muxer in ("mp4", "mov"):
        flags = "+use_metadata_tags" if metadata else ""
        if faststart and rotate is None:
            flags += "+faststart"
        if flags:
            args += ["-movflags", flags]
    target = path if rotate is None else path.with_name("unrotated-" + path.name)
    ffmpeg(*args, "-f", muxer, str(target))
    if rotate is not None:
        _rotate(target, path, rotate, faststart=faststart)
        target.unlink()
    return path


def _rotate(source, destination, degrees, *, faststart):
    """Copy ``source`` with a display matrix: ffmpeg 5.1 writes one for a
    ``rotate`` stream tag on a stream copy."""
    flags = ["-movflags", "+use_metadata_tags" + ("+faststart" if faststart else "")]
    ffmpeg(
        "-i",
        str(source),
        "-map",
        "0",
        "-c",
        "copy",
        "-map_metadata",
        "0",
        "-metadata:s:v",
        f"rotate={degrees}",
        *flags,
        str(destination),
    )


@file_once
def make_audio(
    path, *, fmt="mp3", seconds=2, tags=None, cover_art=False, channels=2, rate=44100
):
    """Write a tone in ``fmt`` (mp3, wav, flac, ogg, opus, m4a) to ``path``, with
    ``tags`` (title, artist, album, comment...) and, where the format keeps one,
    a cover picture."""
    path = Path(path)
    codec, muxer = AUDIO_FORMATS[fmt]
    layout = "mono" if channels == 1 else "stereo"
    args = [
        "-f",
        "lavfi",
        "-i",
        f"sine=frequency=330:sample_rate={rate}:duration={seconds}",
    ]
    outputs = ["-map", "0:a", "-af", f"aformat=channel_layouts={layout},volume=0.8"]
    if cover_art:
        cover = path.with_suffix(".cover.jpg")
        Image.new("RGB", (300, 300), (200, 40, 40)).save(cover, "JPEG")
        args += ["-i", str(cover)]
        outputs += ["-map", "1:v", "-c:v", COVER_CODECS[fmt]]
        outputs += ["-disposition:v", "attached_pic"]
        outputs += ["-metadata:s:v", "comment=Cover (front)"]
    args += outputs + codec
    for key, value in (tags or {}).items():
        args += ["-metadata", f"{key}={value}"]
    ffmpeg(*args, "-f", muxer, str(path))
    return path


@file_once
def make_cover(path, *, edge=500):
    """A JPEG of noise that ffmpeg draws ``edge`` pixels square, at its best
    quality: about 190 KB at the default size, as a scanned album cover is."""
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        f"nullsrc=s={edge}x{edge},geq=lum='random(1)*255':cb=128:cr=128,"
        "format=yuvj420p",
        "-frames:v",
        "1",
        "-q:v",
        "2",
        str(path),
    )
    return Path(path)


@file_once
def make_mp3_with_cover(path, cover, *, seconds=2, tags=None):
    """An MP3 whose ID3 tag holds the JPEG ``cover`` as it is (no re-encoding),
    ahead of the sound, as a music shop sells it."""
    path = Path(path)
    args = ["-f", "lavfi", "-i", f"sine=frequency=330:duration={seconds}"]
    args += ["-i", str(cover), "-map", "0:a", "-map", "1:v", "-c:v", "copy"]
    args += ["-disposition:v", "attached_pic", "-metadata:s:v", "comment=Cover (front)"]
    args += AUDIO_FORMATS["mp3"][0]
    for key, value in (tags or {}).items():
        args += ["-metadata", f"{key}={value}"]
    ffmpeg(*args, "-f", "mp3", str(path))
    return path


def id3_tag(frames):
    """An ID3v2.3 tag of ``frames`` ((frame ID, body bytes) pairs)."""
    body = b"".join(
        frame_id.encode() + len(data).to_bytes(4, "big") + b"\0\0" + data
        for frame_id, data in frames
    )
    size = len(body)
    # The tag's size is "synchsafe": seven bits in each of four bytes.
    synchsafe = bytes((size >> shift) & 0x7F for shift in (21, 14, 7, 0))
    return b"ID3\x03\x00\x00" + synchsafe + body


def lyrics_frame(text, *, language=b"eng"):
    """An ID3 USLT frame (unsynchronised lyrics) of ``text``, in UTF-16."""
    return ("USLT", b"\x01" + language + b"\xff\xfe\0\0" + text.encode("utf-16-le"))


def text_frame(frame_id, text):
    return (frame_id, b"\x01" + b"\xff\xfe" + text.encode("utf-16-le"))


@file_once
def make_mp3_with_tag(path, tag, *, seconds=2):
    """An MP3 of a tone behind the ID3 tag ``tag`` (bytes), as written by tag
    editors that ffmpeg cannot imitate (long lyrics in USLT)."""
    path = Path(path)
    bare = path.with_name("bare-" + path.name)
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        f"sine=frequency=330:duration={seconds}",
        *AUDIO_FORMATS["mp3"][0],
        "-write_id3v2",
        "0",
        "-f",
        "mp3",
        str(bare),
    )
    path.write_bytes(tag + bare.read_bytes())
    bare.unlink()
    return path


def truncate(path, keep_fraction):
    """Cut the file at ``path`` to ``keep_fraction`` of its length, in place."""
    path = Path(path)
    size = path.stat().st_size
    with path.open("r+b") as file:
        file.truncate(int(size * keep_fraction))
    return path


def hls_playlist(path, target):
    """An HLS playlist naming ``target`` (a path or URL), saved at ``path``
    whatever its extension: the trap of a playlist disguised as a video."""
    target = str(target)
    if not target.startswith(("file:", "http:", "https:")):
        target = "file://" + target
    Path(path).write_text(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n"
        f"#EXTINF:10.0,\n{target}\n#EXT-X-ENDLIST\n"
    )
    return Path(path)


def concat_list(path, target):
    """An ffconcat list naming ``target``, saved at ``path`` as a "video"."""
    Path(path).write_text(f"ffconcat version 1.0\nfile '{target}'\n")
    return Path(path)


def all_tags(description):
    """Every tag key and value of the container and of each stream, lowercased:
    what a reader of the file could learn from its metadata."""
    tags = dict((description.get("format") or {}).get("tags") or {})
    for stream in description.get("streams", []):
        for key, value in (stream.get("tags") or {}).items():
            tags[f"{stream['index']}:{key}"] = value
    return {key.lower(): str(value).lower() for key, value in tags.items()}


class RangeServer:
    """A local HTTP server for one folder that answers Range requests, as S3
    does for a presigned GET, and records each request's path and range: for
    reading originals by URL in tests and benchmarks. (``bytes_sent`` counts
    what was written to the socket, which is more than a client that closes
    the connection early has read.)

    Use as a context manager; ``url(name)`` is the address of a file.
    """

    def __init__(self, directory):
        self.directory = Path(directory)
        self.bytes_sent = 0
        self.requests = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def url(self, name):
        host, port = self._server.server_address
        return f"http://{host}:{port}/{name}"

    def _requested(self, path, byte_range):
        with self._lock:
            self.requests.append((path, byte_range))

    def _sent(self, count):
        with self._lock:
            self.bytes_sent += count

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                server._requested(self.path, self.headers.get("Range"))
                path = server.directory / Path(self.path.split("?")[0]).name
                if not path.is_file():
                    self.send_error(404)
                    return
                size = path.stat().st_size
                start, end = _byte_range(self.headers.get("Range"), size)
                if start >= size:
                    self.send_error(416)
                    return
                self.send_response(206 if self.headers.get("Range") else 200)
                self.send_header("Accept-Ranges", "bytes")
                self.send_header("Content-Length", str(end - start + 1))
                if self.headers.get("Range"):
                    self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
                self.end_headers()
                with path.open("rb") as file:
                    file.seek(start)
                    remaining = end - start + 1
                    try:
                        while remaining > 0:
                            chunk = file.read(min(65536, remaining))
                            self.wfile.write(chunk)
                            remaining -= len(chunk)
                            server._sent(len(chunk))
                    except (BrokenPipeError, ConnectionResetError):
                        return

            def log_message(self, *args):
                pass

        return Handler


def _byte_range(header, size):
    """The first and last byte of a ``Range: bytes=a-b`` header (the whole file
    without one)."""
    if not header or not header.startswith("bytes="):
        return 0, size - 1
    first, _, last = header[len("bytes=") :].split(",")[0].partition("-")
    if not first:
        return max(0, size - int(last)), size - 1
    return int(first), min(size - 1, int(last)) if last else size - 1


class OpenWatch:
    """A named pipe at ``path`` that notices being opened for reading, and then
    serves ``content``: the target of a playlist or list that must never be
    followed. ``opened`` says whether anything opened it while watched.
    """

    def __init__(self, path, content=b""):
        self.path = Path(path)
        self.content = content
        self.opened = False
        self._watching = True
        os.mkfifo(self.path)
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        # Stop watching, then open the pipe ourselves to release the writer.
        self._watching = False
        reader = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
        try:
            self._thread.join(timeout=10)
        finally:
            os.close(reader)

    def _serve(self):
        # Opening for writing blocks until some process opens it for reading.
        with contextlib.suppress(OSError), self.path.open("wb") as pipe:
            if self._watching:
                self.opened = True
                pipe.write(self.content)
