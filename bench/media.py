"""Inputs for the processing benchmark: photographs and videos as entrants send
them, made in seconds on this machine.

The photographs start from a real phone photo in the shared fixtures (sky, water,
buildings: real edges and textures), enlarged to the wanted size, each from a
different part of it, with Gaussian noise of about the strength a phone sensor
leaves in daylight, and saved as phone cameras save them (baseline JPEG, quality
92, 4:2:0, with the original's EXIF block). Enlarging alone would leave the image
smooth and cheap to encode; the noise brings back the fine detail that makes a
real 12-megapixel JPEG weigh 4 to 5 MB.

The videos are 1080p H.264 with AAC sound from ffmpeg's test pattern with noise
over it, at a phone's bitrate, as a phone writes them: the index (``moov``) at the
end of the file, after the media data.
"""

import math
import subprocess
from pathlib import Path

from PIL import Image, ImageChops, ImageOps

SOURCE_PHOTO = Path("/work/shared/fixtures/real/HMD_Nokia_8.3_5G.jpg")
PHONE_QUALITY = 92
NOISE_SIGMA = 10
# Noise is drawn once, in tiles of this size, and shifted for each image: drawing
# it afresh would take a second per megapixel-plane.
NOISE_TILE = (4000, 3000)
FFMPEG_TIMEOUT = 600


def ffmpeg(*args, timeout=FFMPEG_TIMEOUT):
    subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args],
        capture_output=True,
        timeout=timeout,
        check=True,
    )


class PhotoMaker:
    """Photo-like images of any size from the one real photograph."""

    def __init__(self, source=SOURCE_PHOTO):
        with Image.open(source) as photo:
            self.photo = photo.convert("RGB")
            self.exif = photo.info.get("exif", b"")
        self.noise = [
            Image.effect_noise(NOISE_TILE, NOISE_SIGMA) for _ in ("R", "G", "B")
        ]

    def image(self, size, number=0):
        """An RGB image of ``size``: the ``number``-th crop of the photo (a
        different window, every other one mirrored) with noise."""
        # Slide the window across the photo, mirror every other one.
        centering = ((number * 0.37) % 1.0, 0.5)
        base = ImageOps.fit(
            self.photo, size, Image.Resampling.BICUBIC, centering=centering
        )
        if number % 2:
            base = ImageOps.mirror(base)
        planes = [
            self._noise_plane(size, band, shift=(number * 131 + band * 17, number * 71))
            for band in range(3)
        ]
        return ImageChops.add(base, Image.merge("RGB", planes), 1.0, -128)

    def _noise_plane(self, size, band, *, shift):
        tile = ImageChops.offset(self.noise[band], *shift)
        if size == NOISE_TILE:
            return tile
        plane = Image.new("L", size)
        for left in range(0, size[0], NOISE_TILE[0]):
            for top in range(0, size[1], NOISE_TILE[1]):
                plane.paste(tile, (left, top))
        return plane

    def jpeg(self, path, size, number=0, *, quality=PHONE_QUALITY):
        self.image(size, number).save(
            path, "JPEG", quality=quality, subsampling="4:2:0", exif=self.exif
        )
        return Path(path)

    def png(self, path, size, number=0):
        # Level 1: the file is as large as a scan's, written in seconds.
        self.image(size, number).save(path, "PNG", compress_level=1)
        return Path(path)


# The sound and container of every generated clip.
_AAC_IN_MP4 = ("-c:a", "aac", "-b:a", "128k", "-f", "mp4")


def _test_sources(seconds):
    """ffmpeg's inputs for a clip, encoded fast with x264: a moving 1080p30 test
    picture with noise (so that it does not compress to nothing) and a tone,
    ``seconds`` long."""
    return [
        "-f",
        "lavfi",
        "-i",
        f"testsrc2=size=1920x1080:rate=30:duration={seconds}",
        "-f",
        "lavfi",
        "-i",
        f"sine=frequency=440:duration={seconds}",
        "-vf",
        "noise=alls=6:allf=t",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
    ]


def phone_video(path, *, target_bytes, bitrate_mbit=30, segment_seconds=10):
    """A 1080p30 H.264/AAC MP4 of about ``target_bytes``, index at the end.

    One segment is encoded (noise over the test pattern, one keyframe a second
    as phones write them) and then repeated without re-encoding until the file
    reaches the size: a gigabyte takes seconds instead of minutes.
    """
    path = Path(path)
    segment = path.with_name("segment-" + path.name)
    ffmpeg(
        *_test_sources(segment_seconds),
        "-b:v",
        f"{bitrate_mbit}M",
        "-maxrate",
        f"{bitrate_mbit + 2}M",
        "-bufsize",
        f"{bitrate_mbit}M",
        "-g",
        "30",
        "-pix_fmt",
        "yuv420p",
        *_AAC_IN_MP4,
        str(segment),
    )
    repeats = max(1, math.ceil(target_bytes / segment.stat().st_size))
    # No +faststart: the muxer writes the index after the media data.
    ffmpeg(
        "-stream_loop",
        str(repeats - 1),
        "-i",
        str(segment),
        "-c",
        "copy",
        "-f",
        "mp4",
        str(path),
    )
    segment.unlink()
    return path


def transcode_clip(path, *, seconds):
    """A 1080p30 H.264 clip in 4:2:2 (High 4:2:2 profile, which browsers do not
    play), so that the pipeline transcodes it: the cost of a transcode."""
    ffmpeg(
        *_test_sources(seconds),
        "-b:v",
        "20M",
        "-g",
        "30",
        "-pix_fmt",
        "yuv422p",
        *_AAC_IN_MP4,
        str(path),
    )
    return Path(path)
