"""Upload cost: what the web server spends while an entrant uploads a 1 GiB file,
against a 1 MB file. The bytes go from the client straight to the S3 server through
presigned URLs, so gunicorn's memory and CPU must stay flat.

    .venv/bin/python bench/upload_cost.py

The 1 GiB file is written with random bytes in a temporary folder and sent in
8 MiB multipart parts, read from disk one part at a time (four at once, as the
browser's client does); the 1 MB file goes in single mode. For gunicorn's master
and each worker the script reads the peak resident memory (VmHWM in
/proc/<pid>/status, reset through /proc/<pid>/clear_refs before each case, and
cross-checked by sampling VmRSS every 20 ms) and the CPU time (utime + stime in
/proc/<pid>/stat) before and after each case.
"""

import argparse
import concurrent.futures
import contextlib
import json
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests

from bench.harness import Stack, machine, meta_token

MiB = 2**20
PART_SIZE = 8 * MiB
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def status_kib(pid, field):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def reset_peak(pid):
    # "5" resets the peak resident set size (VmHWM) to the current one.
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/clear_refs").write_text("5")


class Sampler(threading.Thread):
    """The highest VmRSS of each process, sampled every 20 ms."""

    def __init__(self, pids):
        super().__init__(daemon=True)
        self.pids = pids
        self.peaks = dict.fromkeys(pids, 0)
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            for pid in self.pids:
                with contextlib.suppress(OSError):
                    self.peaks[pid] = max(self.peaks[pid], status_kib(pid, "VmRSS"))
            self.stopping.wait(0.02)

    def stop(self):
        self.stopping.set()
        self.join()


class Uploader:
    """The upload protocol over HTTP, as static/js/uploads.js does it."""

    def __init__(self, origin, cookie_name, cookie, edit_path):
        self.origin = origin
        self.http = requests.Session()
        self.http.cookies.set(cookie_name, cookie, domain="127.0.0.1", path="/")
        page = self.http.get(f"{origin}{edit_path}", timeout=30)
        page.raise_for_status()
        self.token = meta_token(page.text)
        self.calls = 0

    def api(self, path, data):
        self.calls += 1
        answer = self.http.post(
            f"{self.origin}{path}",
            data=json.dumps(data),
            headers={"Content-Type": "application/json", "X-CSRFToken": self.token},
            timeout=60,
        )
        if answer.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {answer.status_code} {answer.text[:300]}")
        return answer.json()

    def upload(self, entry_pk, path, name, content_type):
        size = path.stat().st_size
        ticket = self.api(
            "/uploads/start/",
            {"entry": entry_pk, "name": name, "size": size, "type": content_type},
        )
        if ticket["mode"] == "single":
            with path.open("rb") as handle:
                answer = requests.put(
                    ticket["url"], data=handle, headers=ticket["headers"], timeout=300
                )
            answer.raise_for_status()
            done = self.api(f"/uploads/{ticket['file']}/complete/", {})
            return ticket, done
        part_size = ticket["part_size"]
        numbers = list(range(1, ticket["part_count"] + 1))
        etags = {}
        descriptor = os.open(path, os.O_RDONLY)
        try:

            def send(item):
                number, url = item
                body = os.pread(descriptor, part_size, (number - 1) * part_size)
                answer = requests.put(url, data=body, timeout=300)
                answer.raise_for_status()
                return number, answer.headers["ETag"]

            with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
                for start in range(0, len(numbers), 20):
                    batch = numbers[start : start + 20]
                    urls = self.api(
                        f"/uploads/{ticket['file']}/sign/", {"parts": batch}
                    )["urls"]
                    items = [(int(number), url) for number, url in urls.items()]
                    etags.update(pool.map(send, items))
        finally:
            os.close(descriptor)
        done = self.api(
            f"/uploads/{ticket['file']}/complete/",
            {
                "parts": [
                    {"number": number, "etag": etag}
                    for number, etag in sorted(etags.items())
                ]
            },
        )
        return ticket, done


def write_random_file(path, size):
    chunk = 8 * MiB
    with path.open("wb") as handle:
        written = 0
        while written < size:
            part = min(chunk, size - written)
            handle.write(os.urandom(part))
            written += part


def measure(stack, uploader, entry_pk, path, name, content_type):
    pids = stack.gunicorn_pids()
    for pid in pids:
        reset_peak(pid)
    before_rss = {pid: status_kib(pid, "VmRSS") for pid in pids}
    before_cpu = {pid: cpu_seconds(pid) for pid in pids}
    calls_before = uploader.calls
    sampler = Sampler(pids)
    sampler.start()
    started = time.perf_counter()
    try:
        ticket, done = uploader.upload(entry_pk, path, name, content_type)
    finally:
        elapsed = time.perf_counter() - started
        sampler.stop()
    after_cpu = {pid: cpu_seconds(pid) for pid in pids}
    hwm = {pid: status_kib(pid, "VmHWM") for pid in pids}
    size = path.stat().st_size
    if done.get("state") != "uploaded" or done.get("size") != size:
        raise RuntimeError(f"upload not accepted: {done}")
    return {
        "name": name,
        "bytes": size,
        "mode": ticket["mode"],
        "parts": ticket["part_count"],
        "api_calls": uploader.calls - calls_before,
        "seconds": elapsed,
        "mb_per_s": size / MiB / elapsed,
        "cpu_ms": 1000 * sum(after_cpu[pid] - before_cpu[pid] for pid in pids),
        "rss_before_mib": sum(before_rss.values()) / 1024,
        "peak_mib": sum(hwm.values()) / 1024,
        "peak_worker_mib": max(hwm[pid] for pid in pids[1:]) / 1024,
        "sampled_peak_mib": sum(sampler.peaks.values()) / 1024,
        "processes": len(pids),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--big-mib", type=int, default=1024)
    parser.add_argument("--small-kib", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=6)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    with Stack(workers=args.workers, threads=args.threads) as stack:
        stack.start()
        from django.conf import settings

        from submissions.enums import MediaKind
        from submissions.services.entries import create_entry

        round_, category = stack.make_round(
            media_kinds=[MediaKind.IMAGE, MediaKind.VIDEO]
        )
        entrant = stack.make_entrants(1, prefix="uploader")[0]
        cookie = stack.session_cookies([entrant])[0]
        entry = create_entry(
            round_,
            entrant=entrant,
            category=category,
            data={"title_en": "Harbour at dawn", "medium": "Video"},
            by=entrant,
        )
        uploader = Uploader(
            stack.origin, settings.SESSION_COOKIE_NAME, cookie, f"/entries/{entry.pk}/"
        )
        small = stack.tmp / "small.jpg"
        warm = stack.tmp / "warm.mp4"
        big = stack.tmp / "big.mp4"
        write_random_file(small, args.small_kib * 1000)
        write_random_file(warm, PART_SIZE + MiB)
        write_random_file(big, args.big_mib * MiB)
        # Every worker loads boto3 and its S3 model on its first upload call: warm
        # them all up, in both modes, so that the cases compare uploads only.
        # The warm-up files need room in one entry (the entrant may have 5 entries).
        category.max_files = 50
        category.save(update_fields=["max_files"])
        warm_entry = create_entry(
            round_,
            entrant=entrant,
            category=category,
            data={"title_en": "Warm-up", "medium": "Video"},
            by=entrant,
        )
        for _ in range(2 * args.workers):
            uploader.upload(warm_entry.pk, small, "warm.jpg", "image/jpeg")
            uploader.upload(warm_entry.pk, warm, "warm.mp4", "video/mp4")
        cases = [
            measure(stack, uploader, entry.pk, small, "small.jpg", "image/jpeg"),
            measure(stack, uploader, entry.pk, big, "big.mp4", "video/mp4"),
        ]
        print()
        print(f"## Upload cost — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
        print()
        print(f"- machine: {machine()}")
        print(f"- gunicorn: `{' '.join(stack.gunicorn_command()[1:])}`")
        print(
            f"- processes measured: gunicorn master + workers ({cases[0]['processes']})"
        )
        print()
        print(
            "| file | mode | parts | API calls | time ms | MiB/s | gunicorn CPU ms | "
            "RSS before MiB (sum) | peak RSS MiB (sum of VmHWM) | peak worker MiB | "
            "sampled peak MiB (sum) |"
        )
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for case in cases:
            print(
                f"| {case['bytes'] / MiB:,.2f} MiB | {case['mode']} | {case['parts']} | "
                f"{case['api_calls']} | {1000 * case['seconds']:,.0f} | {case['mb_per_s']:.0f} | "
                f"{case['cpu_ms']:.0f} | {case['rss_before_mib']:.1f} | "
                f"{case['peak_mib']:.1f} | {case['peak_worker_mib']:.1f} | "
                f"{case['sampled_peak_mib']:.1f} |"
            )
        if args.json:
            Path(args.json).write_text(json.dumps(cases, indent=2))


if __name__ == "__main__":
    main()
