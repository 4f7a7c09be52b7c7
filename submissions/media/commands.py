"""Running the command-line tools that read entrants' files (ffmpeg, ffprobe,
pdftoppm): with an argument list, never a shell, a time limit, and tied to the
worker that started them.

A worker process killed in the middle of a task (the kernel's OOM killer, a
SIGKILL, a hard time limit) would otherwise leave its ffmpeg running on, an
orphan transcoding for up to an hour beside the retry. On Linux each tool is
asked to be killed when the process that started it dies (PR_SET_PDEATHSIG).
"""

import ctypes
import signal
import subprocess
import sys

_PR_SET_PDEATHSIG = 1

if sys.platform.startswith("linux"):
    _prctl = ctypes.CDLL(None, use_errno=True).prctl

    def _die_with_parent():
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)

else:  # pragma: no cover - the portal's workers run on Linux
    _die_with_parent = None


def run(args, *, timeout):
    """Run ``args`` to completion and return the CompletedProcess (stdout and
    stderr captured as bytes). Raises subprocess.TimeoutExpired after
    ``timeout`` seconds, the tool killed."""
    return subprocess.run(
        args,
        capture_output=True,
        timeout=timeout,
        check=False,
        preexec_fn=_die_with_parent,
    )
