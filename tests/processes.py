"""The processes running on this machine, read from /proc, for a test to wait on
a tool a worker started or to see that none is left."""

import os
from pathlib import Path


def _parent(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("PPid:"):
            return int(line.split()[1])
    return None


def running(program, *arguments, group=None, parent=None):
    """The IDs of the processes running ``program`` with each of ``arguments``
    somewhere on its command line and, if given, in the process group
    ``group`` or started by the process ``parent``."""
    wanted = {os.fsencode(argument) for argument in arguments}
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            if group is not None and os.getpgid(int(entry.name)) != group:
                continue
            if parent is not None and _parent(entry.name) != parent:
                continue
        except OSError:
            continue
        if os.path.basename(command[0]) == os.fsencode(program) and wanted <= set(
            command[1:]
        ):
            found.append(int(entry.name))
    return found
