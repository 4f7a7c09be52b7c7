"""Deadline rush: complete entrant flows arriving open-loop against gunicorn,
PostgreSQL and an S3 server; measured by what does not move between days.

    .venv/bin/python bench/deadline_rush.py                      # the working tree
    .venv/bin/python bench/deadline_rush.py --compare 5a16e06    # REV against it
    .venv/bin/python bench/deadline_rush.py --profile            # where the CPU goes

Each flow (bench/flow.py: the entry form's page, request for request) starts at
its arrival time in its own thread, whether or not earlier flows have finished.
Absolute latencies on this machine move 2–3× between days; what does not is the
work a flow costs: the **server's CPU milliseconds per complete flow** (gunicorn's
master and workers, read from /proc before and after each load window, divided by
the flows completed in it) and the **queries of each request type** (the flow once
through Django's test client). The CPU of the PostgreSQL backends serving gunicorn
and of the S3 server are reported apart.

``--compare REV`` extracts REV into a temporary folder (``git archive``, this
tree's bench/ copied in), and runs both trees side by side — each its own
database, S3 server and gunicorn, the same venv — in windows that alternate
(REV, tree, tree, REV, ...) at the same arrival times, then prints both figures
and their ratio. ``--profile`` serves the flows with every request profiled
(bench/wsgi.py) and prints the top functions overall and per request type.

Everything started here is stopped, and the databases dropped, at the end. See
docs/PERFORMANCE.md.
"""

import argparse
import collections
import contextlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from io import BytesIO
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench import profile_report  # noqa: E402
from bench.flow import STEPS, Flow, HttpTransport, small_jpeg  # noqa: E402
from bench.harness import (  # noqa: E402
    PYTHON_BIN,
    cpu_seconds,
    machine,
    percentile,
    web_backends,
)

P95_LIMIT_MS = 300
# Two people benchmarking on one PostgreSQL server name their databases apart.
DATABASE = os.environ.get("BENCH_DATABASE", "artsprize_bench")
SIDE_TIMEOUT = 600


# --- the trees ---------------------------------------------------------------------


def git(*arguments):
    return subprocess.run(
        ["git", "-C", str(BASE_DIR), *arguments],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def describe(revision):
    return git("log", "-1", "--format=%h %ad %s", "--date=short", revision)


# The venv's editable install of the project adds a finder that serves this
# tree's modules wherever another tree lacks one (e.g. a submodule that REV does
# not have yet); each side's processes drop it and import only from their tree.
ISOLATION = """\
import sys

sys.meta_path[:] = [
    finder
    for finder in sys.meta_path
    if not getattr(finder, "__module__", "").startswith("__editable__")
]
"""


def isolated_env(tree, workdir):
    """The environment of a side's processes: ``tree`` first on the path, and a
    sitecustomize that removes the editable install's finder."""
    folder = workdir / "isolation"
    if not folder.exists():
        folder.mkdir()
        (folder / "sitecustomize.py").write_text(ISOLATION)
    return {**os.environ, "PYTHONPATH": f"{tree}{os.pathsep}{folder}"}


def extract(revision, folder, workdir):
    """REV's files in ``folder``, with this tree's bench/ in place of REV's, and
    its messages compiled as in this tree."""
    commit = git("rev-parse", "--verify", f"{revision}^{{commit}}")
    archive = subprocess.run(
        ["git", "-C", str(BASE_DIR), "archive", "--format=tar", commit],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    shutil.rmtree(folder / "bench")
    shutil.copytree(
        BASE_DIR / "bench",
        folder / "bench",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    subprocess.run(
        [
            str(PYTHON_BIN / "python"),
            "manage.py",
            "compilemessages",
            "--ignore=.venv",
            "-v",
            "0",
        ],
        cwd=folder,
        env=isolated_env(folder, workdir),
        check=True,
    )
    return commit


# --- a side: one tree's stack in a child process -----------------------------------


class SideError(RuntimeError):
    pass


class Side:
    """bench/side.py of ``tree`` in a child process, spoken to in JSON lines."""

    def __init__(self, label, tree, *, database, args, workdir, profile=None):
        self.label = label
        self.tree = tree
        self.database = database
        self.measure_dir = workdir / f"measure-{database}"
        self.measure_dir.mkdir()
        self.log_path = workdir / f"{database}.log"
        command = [
            str(PYTHON_BIN / "python"),
            str(tree / "bench" / "side.py"),
            "--database",
            database,
            "--worker-class",
            args.worker_class,
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--measure-dir",
            str(self.measure_dir),
        ]
        if profile:
            command += ["--profile", profile]
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            command,
            cwd=tree,
            env=isolated_env(tree, workdir),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )
        self.info = None

    def send(self, op, **arguments):
        self.process.stdin.write(json.dumps({"op": op, **arguments}) + "\n")
        self.process.stdin.flush()

    def receive(self):
        line = self.process.stdout.readline()
        if not line:
            raise SideError(f"{self.label}: the side ended\n{self.log_tail()}")
        answer = json.loads(line)
        if "error" in answer:
            raise SideError(f"{self.label}: {answer['error']}\n{self.log_tail()}")
        return answer

    def call(self, op, **arguments):
        self.send(op, **arguments)
        return self.receive()

    def log_tail(self, lines=30):
        self.log.flush()
        text = self.log_path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def check(self):
        """The side's Django imports this side's tree, without the editable
        install's finder and with DEBUG off (gunicorn is started from the same
        folder with the same environment)."""
        for name, path in self.info["modules"].items():
            if not Path(path).resolve().is_relative_to(self.tree.resolve()):
                raise SideError(f"{self.label}: {name} imported from {path}")
        if self.info["editable_finder"]:
            raise SideError(f"{self.label}: the editable install's finder is active")
        if self.info["debug"]:
            raise SideError(f"{self.label}: DEBUG is on")

    def close(self):
        if self.process.poll() is None:
            with contextlib.suppress(SideError, OSError, ValueError):
                self.call("stop")
            with contextlib.suppress(OSError):
                self.process.stdin.close()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.terminate()
                self.process.wait(timeout=30)
        self.log.close()


# --- load --------------------------------------------------------------------------


def arrivals(rate, duration, seed):
    """Poisson arrival offsets (seconds) within ``duration``, exactly
    ``rate × duration`` of them: given their number, the arrival times of a Poisson
    process are independent and uniform over the interval, so the flows arrive as
    randomly as in a Poisson process while every rate offers exactly its load."""
    chance = random.Random(seed)
    count = round(rate * duration)
    return sorted(chance.uniform(0, duration) for _ in range(count))


def run_flows(side, offsets, cookies, jpeg, *, measured=True):
    """Start one flow per offset; wait for them (at most 60 s after the last).
    The server counts the requests of ``measured`` flows by their step."""
    flows = [
        Flow(
            HttpTransport(
                side.info["origin"],
                cookie_name=side.info["cookie_name"],
                cookie=cookie,
                tag=measured,
            ),
            round_pk=side.info["round"],
            jpeg=jpeg,
        )
        for cookie in cookies
    ]
    threads = []
    start = time.monotonic()
    for offset, flow in zip(offsets, flows, strict=True):
        delay = start + offset - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        thread = threading.Thread(target=flow.run, daemon=True)
        thread.start()
        threads.append(thread)
    deadline = time.monotonic() + 60
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    unfinished = sum(thread.is_alive() for thread in threads)
    return flows, start, unfinished


class CpuReading:
    """CPU seconds of gunicorn's processes, of the database backends serving it and
    of the S3 server, at one moment."""

    def __init__(self, side):
        self.gunicorn = {pid: cpu_seconds(pid) for pid in side.call("workers")["pids"]}
        self.backends = {pid: cpu_seconds(pid) for pid in web_backends(side.database)}
        self.rclone = cpu_seconds(side.info["rclone"])

    @staticmethod
    def spent(before, after):
        """Seconds spent between two readings of the same processes; a process
        that appeared in between counts from its start, one that ended is lost."""
        total = 0.0
        for pid, seconds in after.items():
            if seconds is not None:
                total += seconds - (before.get(pid) or 0.0)
        lost = [pid for pid in before if after.get(pid) is None]
        return total, lost


def reference_work():
    """A fixed piece of pure-Python work (string formatting, dicts, a regular
    expression: what a request does most) to read how fast the machine's CPU is
    at the moment."""
    pattern = re.compile(r"(\d+)-(\w+)")
    total = 0
    for number in range(40_000):
        text = f"{number}-item{number % 7}"
        fields = {"key": text, "size": len(text)}
        match = pattern.match(fields["key"])
        total += int(match.group(1)) + fields["size"]
    return total


def reference_ms(repeat=5):
    """Thread CPU milliseconds of reference_work(), the median of ``repeat``."""
    times = []
    for _ in range(repeat):
        started = time.thread_time()
        reference_work()
        times.append(1000 * (time.thread_time() - started))
    return sorted(times)[len(times) // 2]


def window(side, *, rate, offsets, prefix, jpeg):
    """One load window against ``side``: the flows and what they cost."""
    pool = side.call("entrants", count=len(offsets), prefix=prefix)["cookies"]
    time.sleep(2)
    load = os.getloadavg()[0]
    reference = reference_ms()
    before = CpuReading(side)
    client_before = time.process_time()
    flows, start, unfinished = run_flows(side, offsets, pool, jpeg)
    elapsed = time.monotonic() - start
    after = CpuReading(side)
    client_cpu = (time.process_time() - client_before) / elapsed
    gunicorn, gunicorn_lost = CpuReading.spent(before.gunicorn, after.gunicorn)
    backends, backends_lost = CpuReading.spent(before.backends, after.backends)
    submitted = side.call("submitted", prefix=prefix)["count"]
    return {
        "side": side.label,
        "rate": rate,
        "flows": flows,
        "start": start,
        "unfinished": unfinished,
        "submitted_in_db": submitted,
        "gunicorn_cpu": gunicorn,
        "gunicorn_lost": gunicorn_lost,
        "backend_cpu": backends,
        "backends": len(after.backends),
        "backends_lost": backends_lost,
        "rclone_cpu": (after.rclone or 0.0) - (before.rclone or 0.0),
        "client_cpu": client_cpu,
        "load_before": load,
        "reference_ms": reference,
    }


def summarise(runs, duration):
    """The windows of one side at one rate, pooled."""
    by_step = collections.defaultdict(list)
    puts = []
    errors = collections.Counter()
    flows = [flow for run in runs for flow in run["flows"]]
    requests = 0
    retried = 0
    for flow in flows:
        for step, seconds in flow.transport.timings:
            by_step[step].append(seconds * 1000)
        if flow.transport.put_seconds is not None:
            puts.append(flow.transport.put_seconds * 1000)
            retried += flow.transport.put_tries > 1
        if flow.error:
            errors[re.sub(r"(?<!HTTP )\b\d+\b", "N", flow.error)[:200]] += 1
    completed = [f for f in flows if f.error is None and f.finished_at is not None]
    for flow in completed:
        requests += len(flow.steps)
    span = 0.0
    for run in runs:
        done = [
            f.finished_at for f in run["flows"] if f.error is None and f.finished_at
        ]
        span += max(max(done, default=run["start"]) - run["start"], duration)
    steps = {
        step: {
            "count": len(by_step[step]),
            "p50": percentile(by_step[step], 0.50),
            "p95": percentile(by_step[step], 0.95),
            "p99": percentile(by_step[step], 0.99),
        }
        for step in STEPS
    }
    everything = [ms for step in STEPS for ms in by_step[step]]
    unfinished = sum(run["unfinished"] for run in runs)
    submitted = sum(run["submitted_in_db"] for run in runs)
    count = len(completed) or 1
    result = {
        "windows": len(runs),
        "flows": len(flows),
        "completed": len(completed),
        "requests_per_flow": requests / count,
        "submissions_per_s": len(completed) / span,
        "errors": sum(errors.values()) + unfinished,
        "error_kinds": dict(errors),
        "submitted_in_db": submitted,
        "gunicorn_ms_per_flow": 1000 * sum(r["gunicorn_cpu"] for r in runs) / count,
        "backend_ms_per_flow": 1000 * sum(r["backend_cpu"] for r in runs) / count,
        "rclone_ms_per_flow": 1000 * sum(r["rclone_cpu"] for r in runs) / count,
        "gunicorn_lost": sum(len(r["gunicorn_lost"]) for r in runs),
        "backends": max(r["backends"] for r in runs),
        "backends_lost": sum(len(r["backends_lost"]) for r in runs),
        "client_cpu": max(r["client_cpu"] for r in runs),
        "load_before": [round(r["load_before"], 2) for r in runs],
        "reference_ms": sorted(r["reference_ms"] for r in runs)[len(runs) // 2],
        "steps": steps,
        "all_requests": {
            "count": len(everything),
            "p50": percentile(everything, 0.50),
            "p95": percentile(everything, 0.95),
            "p99": percentile(everything, 0.99),
        },
        "s3_put": {"p50": percentile(puts, 0.50), "p95": percentile(puts, 0.95)},
        "s3_put_retried": retried,
    }
    result["worst_p95"] = max((s["p95"] or 0) for s in steps.values())
    result["sustained"] = (
        result["errors"] == 0
        and submitted == len(flows)
        and result["worst_p95"] <= P95_LIMIT_MS
    )
    return result


# --- report ------------------------------------------------------------------------


def ms(value):
    return "—" if value is None else f"{value:.0f}"


def print_report(args, sides, summaries, queries, logins, step_cpu):
    labels = [side.label for side in sides]
    print()
    print(f"## Deadline rush — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print()
    print(f"- command: `{' '.join(sys.argv)}`")
    print(f"- machine: {machine()}, load average before the windows: see below")
    for side in sides:
        print(f"- **{side.label}**: {side.description}")
    print(f"- gunicorn: `{' '.join(sides[0].info['gunicorn_command'])}`")
    print(
        f"- {len(args.rate_list)} rate(s) × {args.rounds} window(s) of "
        f"{args.duration:g} s per side"
        + (", alternating between the sides" if len(sides) > 1 else "")
    )
    print(
        "- password log-in (idle server), median ms: "
        + ", ".join(
            f"{side.label} {ms(logins[side.label]['median'])}" for side in sides
        )
    )

    print()
    print("### Server CPU per complete flow")
    print()
    header = "| rate /s | side | flows done | gunicorn CPU ms/flow |"
    header += " PostgreSQL backends ms/flow | S3 server ms/flow | requests/flow |"
    header += " reference ms | gunicorn ÷ reference |"
    print(header)
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for rate in [*args.rate_list, "all"]:
        for label in labels:
            s = summaries[(label, rate)]
            print(
                f"| {rate if rate == 'all' else f'{rate:g}'} | {label} | "
                f"{s['completed']} | **{s['gunicorn_ms_per_flow']:.1f}** | "
                f"{s['backend_ms_per_flow']:.1f} | {s['rclone_ms_per_flow']:.1f} | "
                f"{s['requests_per_flow']:.0f} | {s['reference_ms']:.1f} | "
                f"{s['gunicorn_ms_per_flow'] / s['reference_ms']:.1f} |"
            )
    if len(sides) == 2:
        base, head = labels
        print()
        for rate in [*args.rate_list, "all"]:
            a, b = summaries[(base, rate)], summaries[(head, rate)]
            print(
                f"- {'all rates' if rate == 'all' else f'{rate:g}/s'}: {head} / {base} "
                f"= **{b['gunicorn_ms_per_flow'] / a['gunicorn_ms_per_flow']:.2f}** "
                f"(gunicorn), "
                f"{b['backend_ms_per_flow'] / a['backend_ms_per_flow']:.2f} "
                f"(PostgreSQL backends)"
            )
    print()
    print(
        "Reference: the thread CPU time of a fixed piece of Python work "
        "(`reference_work()`, median, measured before each window) — how fast "
        "the machine was; the last column is the flow's cost in those units."
    )
    for label in labels:
        s = summaries[(label, "all")]
        if s["gunicorn_lost"] or s["backends_lost"]:
            print(
                f"\n{label}: processes ended during a window (their CPU is "
                f"missing): gunicorn {s['gunicorn_lost']}, "
                f"backends {s['backends_lost']}"
            )

    print()
    print("Server CPU per request type (the workers' thread CPU, all windows):")
    print()
    print("| request | " + " | ".join(f"{label} ms" for label in labels) + " |")
    print("|---|" + "---:|" * len(labels))
    for step in STEPS:
        cells = []
        for label in labels:
            count, nanoseconds = step_cpu[label].get(step, (0, 0))
            cells.append(f"{nanoseconds / 1e6 / count:.1f}" if count else "—")
        print(f"| {step} | " + " | ".join(cells) + " |")
    cells = []
    for label in labels:
        flows = summaries[(label, "all")]["completed"] or 1
        inside = sum(ns for _, ns in step_cpu[label].values()) / 1e6 / flows
        cells.append(f"{inside:.1f}")
    print("| **in requests, per flow** | " + " | ".join(cells) + " |")

    print()
    print("### Queries per request")
    print()
    print("| request | " + " | ".join(labels) + " | repeated in the last |")
    print("|---|" + "---:|" * len(labels) + "---|")
    for step in STEPS:
        cells = [
            str(queries[label][step]["queries"]) if step in queries[label] else "—"
            for label in labels
        ]
        last = queries[labels[-1]].get(step, {}).get("repeated", {})
        repeated = "; ".join(f"{n}× `{shape[:80]}`" for shape, n in last.items())
        print(f"| {step} | " + " | ".join(cells) + f" | {repeated or '—'} |")
    totals = [
        str(sum(q["queries"] for q in queries[label].values())) for label in labels
    ]
    print("| **per flow** | " + " | ".join(totals) + " | |")

    print()
    print("### Latency and throughput")
    print()
    print(
        "| rate /s | side | flows | submitted/s | errors | in DB | "
        "all requests p50/p95/p99 ms | worst p95 | S3 PUT p50/p95 ms | "
        "load generator CPU | load avg before | sustained |"
    )
    print("|---:|---|---:|---:|---:|---:|---|---:|---|---:|---|---|")
    for rate in args.rate_list:
        for label in labels:
            s = summaries[(label, rate)]
            a = s["all_requests"]
            print(
                f"| {rate:g} | {label} | {s['flows']} | {s['submissions_per_s']:.2f} | "
                f"{s['errors']} | {s['submitted_in_db']}/{s['flows']} | "
                f"{ms(a['p50'])} / {ms(a['p95'])} / {ms(a['p99'])} | "
                f"{ms(s['worst_p95'])} | {ms(s['s3_put']['p50'])} / "
                f"{ms(s['s3_put']['p95'])} | {100 * s['client_cpu']:.0f} % | "
                f"{', '.join(f'{v:.1f}' for v in s['load_before'])} | "
                f"{'yes' if s['sustained'] else 'no'} |"
            )
    print()
    print("p50 / p95 / p99 (ms) per request type:")
    print()
    columns = [(label, rate) for rate in args.rate_list for label in labels]
    print(
        "| request | "
        + " | ".join(f"{label} {rate:g}/s" for label, rate in columns)
        + " |"
    )
    print("|---|" + "---|" * len(columns))
    for step in STEPS:
        cells = []
        for column in columns:
            s = summaries[column]["steps"][step]
            cells.append(
                f"{ms(s['p50'])} / {ms(s['p95'])} / {ms(s['p99'])}"
                if s["count"]
                else "—"
            )
        print(f"| {step} | " + " | ".join(cells) + " |")
    for (label, rate), s in summaries.items():
        if rate != "all" and s["error_kinds"]:
            print(f"\nerrors, {label} at {rate:g}/s: {s['error_kinds']}")
        if rate != "all" and s["s3_put_retried"]:
            print(
                f"\n{label} at {rate:g}/s: {s['s3_put_retried']} S3 PUTs "
                "succeeded only when tried again, as uploads.js does"
            )


# --- main --------------------------------------------------------------------------


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--compare",
        metavar="REV",
        help="run REV and the working tree back to back and print the ratio",
    )
    parser.add_argument(
        "--at", metavar="REV", help="measure REV alone instead of the working tree"
    )
    parser.add_argument(
        "--profile",
        nargs="?",
        const="cpu",
        choices=["cpu", "wall"],
        help="profile every measured request, on the thread's CPU clock (the "
        "default) or the wall clock",
    )
    parser.add_argument(
        "--rates",
        help="arrival rates per second (default 3,6,9; 1 with --compare or --profile)",
    )
    parser.add_argument(
        "--duration",
        type=float,
        help="seconds of each window (default 30; 60 with --profile)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        help="windows per side and rate (default 1; 4 with --compare)",
    )
    parser.add_argument(
        "--worker-class", default="gthread", choices=["gthread", "sync"]
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=6)
    parser.add_argument("--logins", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--top", type=int, default=15, help="profile rows")
    parser.add_argument(
        "--keep-profile",
        metavar="DIR",
        help="copy the profile's files into DIR, for bench/profile_report.py",
    )
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--show-sql", action="store_true")
    args = parser.parse_args()
    if args.compare and (args.at or args.profile):
        parser.error("--compare runs two sides; --at and --profile run one")
    # A profiled server is several times slower: half the rate for as long
    # keeps it from queueing the flows.
    default_rates = "0.5" if args.profile else "1" if args.compare else "3,6,9"
    args.duration = args.duration or (60.0 if args.profile else 30.0)
    args.rate_list = [float(rate) for rate in (args.rates or default_rates).split(",")]
    args.rounds = args.rounds or (4 if args.compare else 1)
    return args


def working_tree_description():
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return f"working tree at {describe('HEAD')}" + (
        " (with uncommitted changes)" if dirty else ""
    )


def main():
    args = parse_arguments()
    workdir = Path(tempfile.mkdtemp(prefix="artsprize-rush-"))
    sides = []
    try:
        plan = []
        if args.compare or args.at:
            revision = args.compare or args.at
            folder = workdir / "tree"
            folder.mkdir()
            commit = extract(revision, folder, workdir)
            plan.append((revision, folder, f"{DATABASE}_rev", describe(commit)))
        if not args.at:
            plan.append(("tree", BASE_DIR, DATABASE, working_tree_description()))
        for label, tree, database, description in plan:
            side = Side(
                label,
                tree,
                database=database,
                args=args,
                workdir=workdir,
                profile=args.profile,
            )
            side.description = description
            sides.append(side)
        for side in sides:
            side.send("start")
        for side in sides:
            side.info = side.receive()
            side.check()
        jpeg = small_jpeg()
        queries = {side.label: side.call("queries", jpeg=jpeg.hex()) for side in sides}
        if args.show_sql:
            for side in sides:
                for step, item in queries[side.label].items():
                    print(f"\n### {side.label}, {step}: {item['queries']} queries")
                    for statement in item["sql"]:
                        print("  ", statement[:300])
        logins = {side.label: side.call("logins", count=args.logins) for side in sides}

        # Every worker thread has served every step before anything is measured:
        # a thread makes its own database connection and S3 client (django-
        # storages keeps one per thread, 100 ms or more to build) on first use.
        # Two bursts of twice as many flows as threads, all starting at once,
        # keep every thread of every worker busy at each step.
        warm_up = (
            2 * args.workers * (args.threads if args.worker_class == "gthread" else 1)
        )
        for side in sides:
            for burst in range(2):
                cookies = side.call("entrants", count=warm_up, prefix=f"warm{burst}-")[
                    "cookies"
                ]
                flows, _, _ = run_flows(
                    side, [0.0] * warm_up, cookies, jpeg, measured=False
                )
                failed = [flow.error for flow in flows if flow.error]
                if failed:
                    raise SideError(f"{side.label}: warm-up failed: {failed[:3]}")

        runs = collections.defaultdict(list)
        number = 0
        for rate in args.rate_list:
            for round_ in range(args.rounds):
                offsets = arrivals(rate, args.duration, args.seed + number)
                order = sides if round_ % 2 == 0 else sides[::-1]
                for side in order:
                    run = window(
                        side,
                        rate=rate,
                        offsets=offsets,
                        prefix=f"w{number}-",
                        jpeg=jpeg,
                    )
                    runs[(side.label, rate)].append(run)
                    done = sum(1 for f in run["flows"] if f.error is None)
                    print(
                        f"{side.label} at {rate:g}/s, window {round_ + 1}: "
                        f"{done}/{len(run['flows'])} flows, gunicorn "
                        f"{1000 * run['gunicorn_cpu'] / max(done, 1):.1f} ms/flow, "
                        f"backends {1000 * run['backend_cpu'] / max(done, 1):.1f} "
                        f"ms/flow, reference {run['reference_ms']:.1f} ms",
                        flush=True,
                    )
                number += 1

        summaries = {}
        for side in sides:
            every = []
            for rate in args.rate_list:
                summaries[(side.label, rate)] = summarise(
                    runs[(side.label, rate)], args.duration
                )
                every += runs[(side.label, rate)]
            summaries[(side.label, "all")] = summarise(every, args.duration)

        # The workers write their per-request figures when they exit.
        for side in sides:
            side.close()
        step_cpu = {
            side.label: profile_report.step_cpu(side.measure_dir) for side in sides
        }
        print_report(args, sides, summaries, queries, logins, step_cpu)
        if args.profile and args.keep_profile:
            shutil.copytree(sides[0].measure_dir, args.keep_profile, dirs_exist_ok=True)
        if args.profile:
            profile_report.print_report(
                tree=sides[0].tree,
                directory=sides[0].measure_dir,
                steps=STEPS,
                top=args.top,
                clock=args.profile,
            )
        if args.json:
            Path(args.json).write_text(
                json.dumps(
                    {
                        "sides": {
                            side.label: {
                                "description": side.description,
                                "gunicorn": side.info["gunicorn_command"],
                                "queries": queries[side.label],
                                "login": logins[side.label],
                                "step_cpu": step_cpu[side.label],
                            }
                            for side in sides
                        },
                        "summaries": {
                            f"{label} {rate}": summary
                            for (label, rate), summary in summaries.items()
                        },
                    },
                    indent=2,
                    default=str,
                )
            )
    finally:
        for side in sides:
            side.close()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
