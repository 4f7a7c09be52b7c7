"""Media files for browser tests, made with ffmpeg on the machine that runs them."""

import shutil
import subprocess
from pathlib import Path

from tests.services import require

REAL_FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "real"
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
