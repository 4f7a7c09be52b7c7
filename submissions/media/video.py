"""Video operations: a poster frame and a copy that every browser plays.

The copy never carries the original's metadata. Phones write the place and time
of recording into the container (``location``, ``com.apple.quicktime.*``,
``creation_time``), into per-track tags and into tracks of their own (Apple's
timed metadata, GoPro's GPS track, timecode), and some cameras into the H.264
stream itself (SEI messages). The copy keeps one video and one audio track,
drops every tag, chapter and SEI message, and is written in ffmpeg's bitexact
mode so that it carries no creation time or encoder string either.

An H.264 original that browsers already play is copied without re-encoding (a
remux, seconds even for a large file); anything else is transcoded to H.264 at
most 720 lines high.
"""

from pathlib import Path

from submissions.enums import DerivativeKind
from submissions.media import ffmpeg, images
from submissions.media.results import DerivativeData, Processed, Rejected

VIDEO_FAMILIES = ("mov", "matroska")

POSTER_TIMEOUT = 120
COPY_TIMEOUT = 2 * 3600
# The poster shows the frame at about one second (the first frame of a video is
# often black), or a tenth of the way into a shorter clip.
POSTER_SECONDS = 1.0
POSTER_SIZES = ((DerivativeKind.POSTER, 1280), (DerivativeKind.THUMB, 480))

# What browsers play as it is: 8-bit 4:2:0 H.264 in a profile every decoder
# supports, with AAC or MP3 audio, no larger than 1080p.
REMUX_PROFILES = frozenset({"Constrained Baseline", "Baseline", "Main", "High"})
REMUX_PIXEL_FORMATS = frozenset({"yuv420p", "yuvj420p"})
REMUX_AUDIO_CODECS = frozenset({"aac", "mp3"})
REMUX_MAX_SIZE = (1920, 1080)

# A transcode fits in 1280×720 (720×1280 upright), in even dimensions as 4:2:0
# needs, after anamorphic pixels are made square.
TRANSCODE_FILTER = (
    "scale=w='trunc(iw*sar/2)*2':h=ih,setsar=1,"
    "scale=w='min(iw,if(gte(iw,ih),1280,720))':h='min(ih,if(gte(iw,ih),720,1280))'"
    ":force_original_aspect_ratio=decrease:force_divisible_by=2,"
    "format=yuv420p"
)
# HDR video (PQ, as in HDR10, or HLG, as iPhones record by default) shown as if
# it were SDR looks flat and grey. Its poster and transcode are tone-mapped to
# BT.709 first: to linear light, to BT.709 primaries, Hable's curve, back to
# BT.709's transfer.
HDR_TRANSFERS = frozenset({"smpte2084", "arib-std-b67"})
# zscale's names for what ffprobe reports; an HDR stream without them is BT.2020.
ZSCALE_PRIMARIES = {"bt2020": "2020", "bt709": "709"}
ZSCALE_MATRICES = {"bt2020nc": "2020_ncl", "bt2020c": "2020_cl", "bt709": "709"}

# Beyond the clean MP4 options: no timecode track, no encoder string in the
# video stream, and no SEI messages in the H.264 stream (x264's settings, some
# cameras' date, model and position).
CLEAN_OUTPUT_OPTIONS = (
    "-flags:v",
    "+bitexact",
    "-bsf:v",
    "filter_units=remove_types=6",
    "-write_tmcd",
    "0",
    *ffmpeg.CLEAN_MP4_OPTIONS,
)

WEBM_CODECS = frozenset({"vp8", "vp9", "av1", "opus", "vorbis"})


def make_derivatives(source, workdir, *, timeout=COPY_TIMEOUT):
    """The poster, thumbnail and playable copy of the video at ``source`` (a
    path or a presigned URL), written into the folder ``workdir``.

    Raises Rejected with "not_a_video" or "corrupt".
    """
    description = probe(source)
    video = ffmpeg.first_stream(description, "video")
    audio = ffmpeg.first_stream(description, "audio")
    width, height = ffmpeg.display_size(video)
    derivatives = make_poster(source, workdir, description)
    copy, remuxed = make_playable_copy(source, workdir, description, timeout=timeout)
    derivatives.append(copy)
    details = {
        "container": container_name(description, video, audio),
        "video_codec": video.get("codec_name"),
        "audio_codec": audio.get("codec_name") if audio else None,
        "copy": "remuxed" if remuxed else "transcoded",
    }
    if is_hdr(video):
        details["hdr"] = video["color_transfer"]
    return Processed(
        derivatives=derivatives,
        width=width,
        height=height,
        duration=ffmpeg.duration(description, video),
        details=details,
    )


def probe(source):
    """ffprobe's description of ``source``, which must hold a real video track
    (cover art is not one) of a size that can be told."""
    description = ffmpeg.probe(
        source, families=VIDEO_FAMILIES, wrong_kind="not_a_video"
    )
    video = ffmpeg.first_stream(description, "video")
    if video is None:
        raise Rejected("not_a_video")
    if ffmpeg.display_size(video) == (None, None):
        raise Rejected("corrupt")
    return description


def make_poster(source, workdir, description):
    """The poster and thumbnail derivatives, from one frame decoded near the start.

    The seek comes before ``-i`` so that ffmpeg jumps through the index: from a
    URL it fetches only the index and the frames around the seek point, never
    the whole file. ffmpeg turns the frame upright itself.
    """
    video = ffmpeg.first_stream(description, "video")
    png = Path(workdir) / "poster.png"
    at = poster_time(ffmpeg.duration(description, video), video)
    if not _grab_frame(source, video, at, png) and not (
        at > 0 and _grab_frame(source, video, 0, png)
    ):
        # Not one frame could be decoded where the index says they are.
        raise Rejected("corrupt")
    return images.make_derivatives(png, sizes=POSTER_SIZES).derivatives


def poster_time(duration, video):
    if not duration or video.get("nb_frames") == "1":
        return 0
    return min(POSTER_SECONDS, duration / 10)


def _grab_frame(source, video, at, destination):
    destination.unlink(missing_ok=True)
    ffmpeg.run(
        [
            "-ss",
            f"{at:.3f}",
            *ffmpeg.input_args(source, VIDEO_FAMILIES),
            "-map",
            f"0:{video['index']}",
            "-frames:v",
            "1",
            *(["-vf", tone_map_filter(video).rstrip(",")] if is_hdr(video) else []),
            "-map_metadata",
            "-1",
            "-pix_fmt",
            "rgb24",
            "-c:v",
            "png",
            "-f",
            "image2",
            "file:" + str(destination),
        ],
        timeout=POSTER_TIMEOUT,
    )
    return destination.exists() and destination.stat().st_size > 0


def is_hdr(video):
    return video.get("color_transfer") in HDR_TRANSFERS


def tone_map_filter(video):
    """The filters that bring an HDR stream to SDR BT.709, ending in 8-bit RGB-
    or YUV-ready frames; empty for an SDR stream."""
    if not is_hdr(video):
        return ""
    transfer = "smpte2084" if video["color_transfer"] == "smpte2084" else "arib-std-b67"
    primaries = ZSCALE_PRIMARIES.get(video.get("color_primaries"), "2020")
    matrix = ZSCALE_MATRICES.get(video.get("color_space"), "2020_ncl")
    return (
        f"zscale=tin={transfer}:pin={primaries}:min={matrix}:t=linear:npl=100,"
        "format=gbrpf32le,zscale=p=709,tonemap=tonemap=hable:desat=0,"
        "zscale=t=709:m=709:r=tv,format=yuv420p,"
    )


def make_playable_copy(source, workdir, description, *, timeout=COPY_TIMEOUT):
    """The MP4 copy for browsers and whether it was remuxed (else transcoded)."""
    video = ffmpeg.first_stream(description, "video")
    audio = ffmpeg.first_stream(description, "audio")
    remux = can_remux(description, video, audio)
    destination = Path(workdir) / "video.mp4"
    args = [*ffmpeg.input_args(source, VIDEO_FAMILIES), "-map", f"0:{video['index']}"]
    if audio is not None:
        args += ["-map", f"0:{audio['index']}"]
    args += ["-c", "copy"] if remux else _transcode_options(video, audio)
    ffmpeg.run(
        [*args, *CLEAN_OUTPUT_OPTIONS, "file:" + str(destination)], timeout=timeout
    )
    return _copy_derivative(destination), remux


def can_remux(description, video, audio):
    """Whether browsers play the original's tracks as they are."""
    if ffmpeg.family_of(description["format"].get("format_name", "")) != "mov":
        return False
    if (
        video.get("codec_name") != "h264"
        or video.get("profile") not in REMUX_PROFILES
        or video.get("pix_fmt") not in REMUX_PIXEL_FORMATS
        or is_hdr(video)
    ):
        return False
    if audio is not None and audio.get("codec_name") not in REMUX_AUDIO_CODECS:
        return False
    long_edge, short_edge = sorted((video["width"], video["height"]), reverse=True)
    return long_edge <= REMUX_MAX_SIZE[0] and short_edge <= REMUX_MAX_SIZE[1]


def _transcode_options(video, audio):
    options = [
        "-vf",
        tone_map_filter(video) + TRANSCODE_FILTER,
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "23",
        "-profile:v",
        "high",
        "-pix_fmt",
        "yuv420p",
        # Say what the pixels are: BT.709, as tone mapping made them or as an
        # untagged SDR source is taken to be.
        "-colorspace",
        "bt709",
        "-color_primaries",
        "bt709",
        "-color_trc",
        "bt709",
    ]
    if audio is not None:
        options += ffmpeg.aac_options(audio)
    return options


def _copy_derivative(path):
    """The derivative of the copy at ``path``, sized as ffprobe reads it back."""
    description = ffmpeg.probe(path, families=("mov",), wrong_kind="corrupt")
    video = ffmpeg.first_stream(description, "video")
    if video is None:
        raise Rejected("corrupt")
    width, height = ffmpeg.display_size(video)
    return DerivativeData(
        kind=DerivativeKind.VIDEO,
        content_type="video/mp4",
        extension="mp4",
        path=str(path),
        width=width,
        height=height,
    )


def container_name(description, video, audio):
    """The container's short name; a Matroska file holding only WebM codecs is
    called WebM."""
    name = ffmpeg.container_name(description)
    if name != "matroska":
        return name
    codecs = {video.get("codec_name"), audio.get("codec_name") if audio else "opus"}
    return "webm" if codecs <= WEBM_CODECS else "matroska"
