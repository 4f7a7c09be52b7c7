"""Generated test files made once per test session.

Making a video or a PDF takes a tool's run or a library's work; the same one is
asked for by many tests. ``once`` keeps what a function returns (bytes, which
no test can change); ``file_once`` keeps a file made at a path and gives every
caller a copy of its own, which it may change.
"""

import atexit
import functools
import hashlib
import shutil
import tempfile
from pathlib import Path


def _key(value):
    """``value`` as a key: dicts and lists made hashable, recursively, and a
    file (a cover to put in a song) by its content."""
    if isinstance(value, Path):
        return ("file", hashlib.sha256(value.read_bytes()).hexdigest())
    if isinstance(value, dict):
        return tuple(sorted((key, _key(item)) for key, item in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_key(item) for item in value)
    return value


def once(make):
    """Call ``make`` once for each distinct set of arguments, then return what
    it returned."""
    made = {}

    @functools.wraps(make)
    def cached(*args, **options):
        key = _key((args, options))
        if key not in made:
            made[key] = make(*args, **options)
        return made[key]

    return cached


@functools.cache
def _folder():
    folder = Path(tempfile.mkdtemp(prefix="artsprize-made-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def file_once(make):
    """For ``make(path, ...)``, which writes a file at ``path`` and returns it:
    make each distinct file once, in a folder of the session, and copy it to
    the ``path`` each caller names."""

    @once
    def made(name, *args, **options):
        return make(Path(tempfile.mkdtemp(dir=_folder())) / name, *args, **options)

    @functools.wraps(make)
    def copy_of(path, *args, **options):
        path = Path(path)
        shutil.copyfile(made(path.name, *args, **options), path)
        return path

    return copy_of
