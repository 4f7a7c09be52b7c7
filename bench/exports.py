"""Exports: the time and the memory of the staff exports of a round of 20,000
entries, each export and format served by gunicorn.

    .venv/bin/python bench/exports.py                    # 20,000 entries
    .venv/bin/python bench/exports.py --entries 2000     # a smoke run

The round is seeded into its own database (``artsprize_bench_exports``;
``BENCH_DATABASE=<name>`` names it otherwise) with bulk inserts: 20,000 submitted
entries of 5,000 entrants (a tenth filed by a caseworker, some with a team),
one to three files each (40,000 files, a tenth of them refused) and two copies
of every ready file. gunicorn serves the portal with one worker
(``--worker-class gthread --threads 2``) through bench/exports_wsgi.py.

For each export (entries, entries with identity, files manifest) and format
(CSV, XLSX): gunicorn is started afresh, one export of a small round warms the
worker up (every module and code path loaded), and the worker's resident size
then is its **idle** size. The export of the large round is downloaded while
the worker's VmRSS is sampled every 10 ms (and its VmHWM, reset through
/proc/<pid>/clear_refs before, read after): the **peak above idle** is the
larger of the two, less the idle size; the goal is at most 30 MB. The same
export is then downloaded again with ``tracemalloc`` on in the worker for the
request (X-Bench-Trace): the peak of Python's own allocations. Time is the
untraced download's, to its first byte and to its last; the file is checked
(rows of the CSV, rows of the XLSX's sheet).

Everything started here is stopped, and the database dropped, at the end. See
docs/PERFORMANCE.md.
"""

import argparse
import contextlib
import datetime
import hashlib
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests

from bench.harness import Stack, children, form_token, machine, stop
from bench.upload_cost import reset_peak, status_kib

MiB = 2**20
MB = 10**6
GOAL_MB = 30
DATABASE = os.environ.get("BENCH_DATABASE", "artsprize_bench_exports")
EXPORTS = [
    ("entries", "csv"),
    ("entries", "xlsx"),
    ("entries-with-identity", "csv"),
    ("entries-with-identity", "xlsx"),
    ("files", "csv"),
    ("files", "xlsx"),
]
REASON = "Benchmark of the export with identity."


class ExportStack(Stack):
    """The harness's stack, gunicorn serving bench/exports_wsgi.py."""

    def gunicorn_command(self):
        command = super().gunicorn_command()
        command[1] = "bench.exports_wsgi"
        return command

    def restart_gunicorn(self):
        stop(self.processes["gunicorn"])
        self._start_gunicorn()

    def worker(self):
        workers = children(self.processes["gunicorn"].pid)
        if len(workers) != 1:
            raise RuntimeError(f"expected one gunicorn worker, found {workers}")
        return workers[0]


class Sampler(threading.Thread):
    """The highest VmRSS of one process, sampled every 10 ms."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            with contextlib.suppress(OSError):
                self.peak = max(self.peak, status_kib(self.pid, "VmRSS"))
            self.stopping.wait(0.01)

    def stop(self):
        self.stopping.set()
        self.join()


# --- data ------------------------------------------------------------------------------


def seed(stack, entries, *, prefix, year):
    """A round of ``year`` with ``entries`` submitted entries, their files and
    copies, by bulk inserts; returns the round and the number of files."""
    from django.utils import timezone

    from submissions.enums import (
        Credit,
        DerivativeKind,
        EntryState,
        FileState,
        GuardianState,
        MediaKind,
        ScreeningState,
    )
    from submissions.models import ArtworkFile, Derivative, Entry, TeamMember
    from tests import factories

    round_, category = stack.make_round(
        media_kinds=[MediaKind.IMAGE, MediaKind.DOCUMENT]
    )
    category.allows_teams = True
    category.save(update_fields=["allows_teams"])
    round_.year = year
    round_.save(update_fields=["year"])
    entrants = stack.make_entrants(max(1, entries // 4), prefix=prefix)
    caseworker = factories.make_caseworker(email=f"{prefix}-caseworker@bench.org")
    now = timezone.now()
    credits = [Credit.CREDIT_NAME, Credit.LEGAL_NAME, Credit.ANONYMOUS]
    batch = []
    for number in range(entries):
        eligible = number % 5 != 0
        batch.append(
            Entry(
                round=round_,
                category=category,
                entrant=entrants[number // 4],
                filed_by=caseworker if number % 10 == 0 else None,
                state=EntryState.SUBMITTED,
                reference=f"HRAP-{round_.year}-{number + 1:04d}",
                title_en=f"Harbour at dusk, study {number}",
                title_zh_hant=f"黃昏的海港，習作 {number}",
                statement="A harbour seen from a rooftop in Sham Shui Po. " * 20,
                medium="Ink on rice paper",
                year_made=2025,
                dimensions="60 × 90 cm",
                credit=credits[number % 3],
                consent_original=True,
                consent_terms=True,
                consent_website=number % 2 == 0,
                consent_exhibition=number % 3 == 0,
                guardian_state=GuardianState.NOT_NEEDED,
                screening=ScreeningState.ELIGIBLE
                if eligible
                else ScreeningState.INELIGIBLE,
                screening_reason_en="" if eligible else "Made before the call.",
                screening_reason_zh_hant="" if eligible else "作品於徵集前完成。",
                content_warning=number % 50 == 0,
                content_warning_note="Depicts detention." if number % 50 == 0 else "",
                submitted_at=now - datetime.timedelta(seconds=number),
            )
        )
    made = Entry.objects.bulk_create(batch, batch_size=2000)
    round_.last_reference_number = entries
    round_.save(update_fields=["last_reference_number"])

    TeamMember.objects.bulk_create(
        [
            TeamMember(entry=entry, position=position, name=f"Member {position}")
            for entry in made[::7]
            for position in range(2)
        ],
        batch_size=5000,
    )
    files = []
    for number, entry in enumerate(made):
        for position in range(1 + number % 3):
            refused = (number + position) % 10 == 0
            files.append(
                ArtworkFile(
                    entry=entry,
                    owner_id=entry.entrant_id,
                    position=position,
                    kind=MediaKind.IMAGE,
                    key=f"originals/{prefix}/{entry.pk}/{position}",
                    original_name=f"harbour-{number}-{position}.jpg",
                    content_type="image/jpeg",
                    declared_size=4_500_000 + number,
                    size=4_500_000 + number,
                    state=FileState.REJECTED if refused else FileState.READY,
                    reason="not_an_image" if refused else "",
                    sha256=hashlib.sha256(f"{number}-{position}".encode()).hexdigest(),
                    width=None if refused else 4000,
                    height=None if refused else 3000,
                    uploaded_at=now,
                )
            )
    files = ArtworkFile.objects.bulk_create(files, batch_size=5000)
    Derivative.objects.bulk_create(
        [
            Derivative(
                artwork_file=file,
                kind=kind,
                key=f"derivatives/{file.pk}/{kind}.jpg",
                width=width,
                height=width * 3 // 4,
                size=size,
                content_type="image/jpeg",
            )
            for file in files
            if file.state == FileState.READY
            for kind, width, size in (
                (DerivativeKind.THUMB, 400, 30_000),
                (DerivativeKind.PREVIEW, 2000, 600_000),
            )
        ],
        batch_size=5000,
    )
    return round_, len(files)


def staff_cookie(stack):
    """A staff session that passed two-factor sign-in."""
    from django.conf import settings
    from django.test import Client

    from tests import factories

    staff = factories.make_staff(email="bench-staff@bench.example.org")
    client = factories.sign_in_with_two_factor(Client(), staff)
    return settings.SESSION_COOKIE_NAME, client.cookies[
        settings.SESSION_COOKIE_NAME
    ].value


# --- one export --------------------------------------------------------------------------


class Browser:
    def __init__(self, stack, cookie):
        self.origin = stack.origin
        self.http = requests.Session()
        name, value = cookie
        self.http.cookies.set(name, value, domain="127.0.0.1", path="/")

    def download(self, round_pk, kind, file_format, *, trace=None, into=None):
        """Download an export; (seconds to the first byte, seconds to the last,
        bytes)."""
        headers = {"X-Bench-Trace": trace} if trace else {}
        base = f"{self.origin}/manage/rounds/{round_pk}/exports/"
        if kind == "entries-with-identity":
            page = self.http.get(base, timeout=60)
            page.raise_for_status()
            started = time.perf_counter()
            answer = self.http.post(
                f"{base}entries-with-identity/",
                data={
                    "csrfmiddlewaretoken": form_token(page.text),
                    "reason": REASON,
                    "file_format": file_format,
                },
                headers={**headers, "Referer": base},
                stream=True,
                timeout=600,
            )
        else:
            started = time.perf_counter()
            answer = self.http.get(
                f"{base}{kind}.{file_format}",
                headers=headers,
                stream=True,
                timeout=600,
            )
        if answer.status_code != 200:
            raise RuntimeError(f"{kind}.{file_format}: HTTP {answer.status_code}")
        first = None
        size = 0
        for piece in answer.iter_content(chunk_size=64 * 1024):
            if first is None:
                first = time.perf_counter() - started
            size += len(piece)
            if into is not None:
                into.write(piece)
        return first or 0.0, time.perf_counter() - started, size


def count_rows(path, file_format):
    """Data rows of a downloaded export (the headings left out)."""
    if file_format == "csv":
        with path.open("rb") as handle:
            return sum(1 for _ in handle) - 1
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/worksheets/sheet1.xml").count(b"<row ") - 1


def measure(stack, browser, big, small, kind, file_format, workdir):
    stack.restart_gunicorn()
    browser.download(small, kind, file_format)
    pid = stack.worker()
    time.sleep(0.5)
    idle = status_kib(pid, "VmRSS")
    reset_peak(pid)
    sampler = Sampler(pid)
    sampler.start()
    path = workdir / f"{kind}.{file_format}"
    try:
        with path.open("wb") as handle:
            first, total, size = browser.download(big, kind, file_format, into=handle)
    finally:
        sampler.stop()
    hwm = status_kib(pid, "VmHWM")
    rows = count_rows(path, file_format)
    path.unlink()
    name = f"{kind}-{file_format}"
    browser.download(big, kind, file_format, trace=name)
    trace_file = stack.measure_dir / f"trace-{name}.json"
    deadline = time.monotonic() + 30
    while not trace_file.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    traced = json.loads(trace_file.read_text())
    peak_kib = max(hwm, sampler.peak)
    return {
        "kind": kind,
        "format": file_format,
        "rows": rows,
        "bytes": size,
        "first_byte_s": first,
        "total_s": total,
        "idle_mib": idle / 1024,
        "peak_mib": peak_kib / 1024,
        "above_idle_mb": (peak_kib - idle) * 1024 / MB,
        "sampled_above_idle_mb": (sampler.peak - idle) * 1024 / MB,
        "tracemalloc_peak_mb": traced["peak"] / MB,
        "tracemalloc_left_mb": traced["current"] / MB,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="artsprize-exports-"))
    measure_dir = workdir / "measure"
    measure_dir.mkdir()
    with ExportStack(
        database=DATABASE, workers=1, threads=2, measure_dir=measure_dir
    ) as stack:
        try:
            stack.start()
            started = time.perf_counter()
            year = datetime.date.today().year
            big, files = seed(stack, args.entries, prefix="big", year=year)
            small, _ = seed(stack, 8, prefix="small", year=year - 1)
            seeded = time.perf_counter() - started
            browser = Browser(stack, staff_cookie(stack))
            cases = [
                measure(stack, browser, big.pk, small.pk, kind, file_format, workdir)
                for kind, file_format in EXPORTS
            ]
            gunicorn = " ".join(stack.gunicorn_command()[1:])
        except Exception:
            print(stack.log_tail("gunicorn", lines=60), file=sys.stderr)
            raise
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

    expected = {"files": files}
    print()
    print(f"## Exports — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print()
    print(f"- machine: {machine()}")
    print(f"- gunicorn: `{gunicorn}`")
    print(
        f"- seeded {args.entries:,} entries and {files:,} files in {seeded:.0f} s; "
        f"goal: at most {GOAL_MB} MB above idle"
    )
    print()
    print(
        "| export | format | rows | size MB | first byte s | total s | "
        "idle RSS MiB | peak above idle MB (VmHWM / sampled) | "
        "tracemalloc peak MB | goal |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for case in cases:
        wanted = expected.get(case["kind"], args.entries)
        if case["rows"] != wanted:
            raise RuntimeError(f"{case['kind']}: {case['rows']} rows, not {wanted}")
        met = "met" if case["above_idle_mb"] <= GOAL_MB else "**missed**"
        print(
            f"| {case['kind']} | {case['format']} | {case['rows']:,} | "
            f"{case['bytes'] / MB:.1f} | {case['first_byte_s']:.2f} | "
            f"{case['total_s']:.2f} | {case['idle_mib']:.1f} | "
            f"{case['above_idle_mb']:.1f} / {case['sampled_above_idle_mb']:.1f} | "
            f"{case['tracemalloc_peak_mb']:.1f} | {met} |"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(cases, indent=2))


if __name__ == "__main__":
    main()
