"""Media files for browser tests, made with ffmpeg on the machine that runs them."""

import shutil
import subprocess
from pathlib import Path

from tests.processing_fixtures import REAL_FIXTURES
from tests.services import require

PHONE_PHOTO = REAL_FIXTURES / "HMD_Nokia_8.3_5G.jpg"


def make_noise_video(path, *, min_bytes, width=1280, height=720):
    """Write an H.264 MP4 of random noise at ``path``, at least ``min_bytes`` long.

    Noise barely compresses, so a few seconds make a large file quickly; the
    duration doubles until the file is large enough.
    """
    require(shutil.which("ffmpeg") is not None, "ffmpeg is needed to make test video")
    path = Path(path)
    seconds = 1
    while True:
        subprocess.run(
            [
                "ffmpeg",
                "-hide_banner",
                "-loglevel",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                f"color=c=gray:s={width}x{height}:r=25:d={seconds}",
                "-vf",
                "noise=alls=60:allf=t+u",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-qp",
                "12",
                "-pix_fmt",
                "yuv420p",
                "-movflags",
                "+faststart",
                str(path),
            ],
            check=True,
            timeout=120,
        )
        if path.stat().st_size >= min_bytes:
            return path
        seconds *= 2


def make_noise_photo(path, *, min_bytes):
    """Write a JPEG of random noise at ``path``, at least ``min_bytes`` long: a
    phone photo's size without its content. The picture grows until it is large
    enough."""
    import io
    import os

    from PIL import Image

    path = Path(path)
    width = 1600
    while True:
        height = width * 3 // 4
        image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=92)
        if buffer.tell() >= min_bytes:
            path.write_bytes(buffer.getvalue())
            return path
        width += 200
