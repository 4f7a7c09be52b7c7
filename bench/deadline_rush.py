"""Deadline rush: complete entrant flows arriving open-loop against gunicorn,
PostgreSQL and an S3 server, at rising rates.

    .venv/bin/python bench/deadline_rush.py --rates 3,6,9,12 --duration 30

Each flow starts at its Poisson arrival time in its own thread, whether or not
earlier flows have finished, and does what a browser does for an entrant who is
already signed in: open the new-entry form, post it (the draft), follow the redirect
to the entry's page, start an upload of a small JPEG, PUT it to the presigned URL,
complete it, post the form with the image's description to submit, and follow the
redirect to the receipt. The CSRF tokens come from the pages, as a browser's would.

Printed: the log-in time, the queries of each request type (counted in this process
with the test client), and per rate the submissions per second, p50/p95/p99 of each
app request type (the S3 PUT apart), errors, and the submitted entries counted in
the database. See docs/PERFORMANCE.md.
"""

import argparse
import collections
import json
import os
import random
import re
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests

from bench.harness import Stack, form_token, machine, meta_token, percentile

P95_LIMIT_MS = 300
STEPS = [
    "form GET",
    "create POST",
    "edit GET",
    "upload start",
    "upload complete",
    "submit POST",
    "receipt GET",
]
# A small but real JPEG header; the server decides the kind by the extension and
# checks the size, and processing (issue 4) does not exist yet.
JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    + bytes(range(256)) * 80
    + b"\xff\xd9"
)


def entry_fields(category_pk):
    return {
        "category": str(category_pk),
        "title_en": "Harbour at dawn",
        "title_zh_hant": "維港日出",
        "medium": "Digital photograph",
        "year_made": "2025",
        "dimensions": "30 × 40 cm",
        "statement": "The harbour before the city wakes, from the Star Ferry pier.",
        "credit": "credit_name",
        "consent_original": "on",
        "consent_terms": "on",
        "consent_website": "on",
    }


class Failure(Exception):
    pass


class Flow:
    """One entrant's flow over HTTP; records (step, seconds) and failures."""

    def __init__(self, *, origin, round_pk, category_pk, cookie_name, cookie):
        self.origin = origin
        self.round_pk = round_pk
        self.category_pk = category_pk
        self.http = requests.Session()
        self.http.cookies.set(cookie_name, cookie, domain="127.0.0.1", path="/")
        self.timings = []
        self.put_seconds = None
        self.error = None
        self.finished_at = None

    def _call(self, step, method, path, *, expect, **kwargs):
        url = path if path.startswith("http") else f"{self.origin}{path}"
        kwargs.setdefault("timeout", 30)
        started = time.perf_counter()
        try:
            answer = self.http.request(method, url, allow_redirects=False, **kwargs)
        except requests.RequestException as error:
            raise Failure(f"{step}: {type(error).__name__}") from error
        elapsed = time.perf_counter() - started
        if answer.status_code != expect:
            raise Failure(f"{step}: HTTP {answer.status_code} {answer.text[:200]!r}")
        if step == "S3 PUT":
            self.put_seconds = elapsed
        else:
            self.timings.append((step, elapsed))
        return answer

    def _api(self, step, path, token, data):
        answer = self._call(
            step,
            "POST",
            path,
            expect=200,
            data=json.dumps(data),
            headers={"Content-Type": "application/json", "X-CSRFToken": token},
        )
        return answer.json()

    def run(self):
        try:
            self._run()
        except Failure as failure:
            self.error = str(failure)
        except Exception as error:
            self.error = f"{type(error).__name__}: {error}"
        self.finished_at = time.monotonic()

    def _run(self):
        new = f"/entries/new/{self.round_pk}/"
        page = self._call("form GET", "GET", new, expect=200)
        data = {
            **entry_fields(self.category_pk),
            "csrfmiddlewaretoken": form_token(page.text),
        }
        created = self._call(
            "create POST",
            "POST",
            new,
            expect=302,
            data=data,
            headers={"Referer": f"{self.origin}{new}"},
        )
        edit = created.headers["Location"]
        entry_pk = int(re.search(r"/entries/(\d+)/", edit).group(1))
        page = self._call("edit GET", "GET", edit, expect=200)
        token = meta_token(page.text)
        ticket = self._api(
            "upload start",
            "/uploads/start/",
            token,
            {
                "entry": entry_pk,
                "name": "harbour.jpg",
                "size": len(JPEG),
                "type": "image/jpeg",
            },
        )
        if ticket["mode"] != "single":
            raise Failure(f"upload start: mode {ticket['mode']}")
        self._call(
            "S3 PUT",
            "PUT",
            ticket["url"],
            expect=200,
            data=JPEG,
            headers=ticket["headers"],
        )
        done = self._api(
            "upload complete", f"/uploads/{ticket['file']}/complete/", token, {}
        )
        if done["state"] != "uploaded":
            raise Failure(f"upload complete: state {done['state']}")
        data = {
            **entry_fields(self.category_pk),
            f"alt_text_{ticket['file']}": "Boats on a grey harbour at sunrise.",
            "csrfmiddlewaretoken": form_token(page.text),
        }
        submitted = self._call(
            "submit POST",
            "POST",
            f"/entries/{entry_pk}/submit/",
            expect=302,
            data=data,
            headers={"Referer": f"{self.origin}{edit}"},
        )
        receipt = submitted.headers["Location"]
        if receipt != f"/entries/{entry_pk}/receipt/":
            raise Failure(f"submit POST: redirected to {receipt}")
        self._call("receipt GET", "GET", receipt, expect=200)


def arrivals(rate, duration, seed):
    """Poisson arrival offsets (seconds) within ``duration``, exactly
    ``rate × duration`` of them: given their number, the arrival times of a Poisson
    process are independent and uniform over the interval, so the flows arrive as
    randomly as in a Poisson process while every rate offers exactly its load."""
    chance = random.Random(seed)
    count = round(rate * duration)
    return sorted(chance.uniform(0, duration) for _ in range(count))


def run_rate(stack, *, rate, offsets, cookies, round_pk, category_pk, cookie_name):
    flows = [
        Flow(
            origin=stack.origin,
            round_pk=round_pk,
            category_pk=category_pk,
            cookie_name=cookie_name,
            cookie=cookie,
        )
        for cookie in cookies
    ]
    threads = []
    cpu_before = time.process_time()
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
    client_cpu = (time.process_time() - cpu_before) / (time.monotonic() - start)
    return flows, start, unfinished, client_cpu


def summarise(rate, duration, flows, start, unfinished, submitted_in_db):
    by_step = collections.defaultdict(list)
    puts = []
    errors = collections.Counter()
    for flow in flows:
        for step, seconds in flow.timings:
            by_step[step].append(seconds * 1000)
        if flow.put_seconds is not None:
            puts.append(flow.put_seconds * 1000)
        if flow.error:
            errors[re.sub(r"\d+", "N", flow.error)[:120]] += 1
    completed = [f for f in flows if f.error is None and f.finished_at is not None]
    last = max((f.finished_at for f in completed), default=start)
    span = max(last - start, duration)
    steps = {
        step: {
            "count": len(by_step[step]),
            "p50": percentile(by_step[step], 0.50),
            "p95": percentile(by_step[step], 0.95),
            "p99": percentile(by_step[step], 0.99),
            "max": max(by_step[step], default=None),
        }
        for step in STEPS
    }
    everything = [ms for step in STEPS for ms in by_step[step]]
    worst_p95 = max((s["p95"] or 0) for s in steps.values())
    result = {
        "rate": rate,
        "flows": len(flows),
        "offered_per_s": len(flows) / duration,
        "completed": len(completed),
        "submissions_per_s": len(completed) / span,
        "errors": sum(errors.values()) + unfinished,
        "error_kinds": dict(errors),
        "unfinished": unfinished,
        "submitted_in_db": submitted_in_db,
        "steps": steps,
        "all_requests": {
            "count": len(everything),
            "p50": percentile(everything, 0.50),
            "p95": percentile(everything, 0.95),
            "p99": percentile(everything, 0.99),
        },
        "s3_put": {
            "p50": percentile(puts, 0.50),
            "p95": percentile(puts, 0.95),
            "p99": percentile(puts, 0.99),
        },
        "worst_p95": worst_p95,
    }
    result["sustained"] = (
        result["errors"] == 0
        and submitted_in_db == len(flows)
        and worst_p95 <= P95_LIMIT_MS
    )
    return result


def count_queries(stack, round_, category):
    """Each request type once, in this process with the test client, counting the
    queries; a query repeated within one request is listed (a hint of N+1)."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    user = stack.make_entrants(1, prefix="queries")[0]
    client = Client()
    client.force_login(user)
    results = {}

    def measure(step, call):
        with CaptureQueriesContext(connection) as captured:
            answer = call()
        sql = [query["sql"] for query in captured.captured_queries]
        shapes = collections.Counter(
            re.sub(r"'[^']*'|\b\d+\b", "?", statement) for statement in sql
        )
        results[step] = {
            "queries": len(sql),
            "repeated": {shape: n for shape, n in shapes.items() if n > 1},
            "sql": sql,
        }
        return answer

    new = f"/entries/new/{round_.pk}/"
    measure("form GET", lambda: client.get(new))
    created = measure(
        "create POST", lambda: client.post(new, entry_fields(category.pk))
    )
    edit = created["Location"]
    entry_pk = int(re.search(r"/entries/(\d+)/", edit).group(1))
    measure("edit GET", lambda: client.get(edit))
    ticket = measure(
        "upload start",
        lambda: client.post(
            "/uploads/start/",
            json.dumps(
                {
                    "entry": entry_pk,
                    "name": "harbour.jpg",
                    "size": len(JPEG),
                    "type": "image/jpeg",
                }
            ),
            content_type="application/json",
        ),
    ).json()
    requests.put(ticket["url"], data=JPEG, headers=ticket["headers"], timeout=30)
    measure(
        "upload complete",
        lambda: client.post(
            f"/uploads/{ticket['file']}/complete/",
            "{}",
            content_type="application/json",
        ),
    )
    submit_data = {
        **entry_fields(category.pk),
        f"alt_text_{ticket['file']}": "Boats on a grey harbour at sunrise.",
    }
    submitted = measure(
        "submit POST", lambda: client.post(f"/entries/{entry_pk}/submit/", submit_data)
    )
    measure("receipt GET", lambda: client.get(submitted["Location"]))
    assert settings.DEBUG is False
    return results


def print_report(args, stack, login, queries, results, headline):
    ms = "{:.0f}".format
    print()
    print(f"## Deadline rush — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print()
    print(f"- machine: {machine()}")
    print(f"- gunicorn: `{' '.join(stack.gunicorn_command()[1:])}`")
    print(f"- UPLOAD_API_RATE_PER_MINUTE={stack.upload_rate} (bench only)")
    print(
        f"- password log-in (POST /accounts/login/, idle server): "
        f"median {ms(login['median'])} ms over {login['count']} "
        f"({', '.join(ms(v) for v in login['all'])} ms)"
    )
    print()
    print("| request | queries | repeated query shapes |")
    print("|---|---:|---|")
    for step in STEPS:
        item = queries[step]
        repeated = "; ".join(
            f"{n}× `{shape[:90]}`" for shape, n in item["repeated"].items()
        )
        print(f"| {step} | {item['queries']} | {repeated or '—'} |")
    print()
    print(
        "| rate /s | flows | submitted/s | errors | in DB | "
        "all requests p50/p95/p99 ms | worst p95 | S3 PUT p50/p95 ms | "
        "load generator CPU | load avg before | sustained |"
    )
    print("|---:|---:|---:|---:|---:|---|---:|---|---:|---:|---|")
    for r in results:
        a = r["all_requests"]
        print(
            f"| {r['rate']:g} | {r['flows']} | {r['submissions_per_s']:.2f} | "
            f"{r['errors']} | {r['submitted_in_db']}/{r['flows']} | "
            f"{ms(a['p50'])} / {ms(a['p95'])} / {ms(a['p99'])} | "
            f"{ms(r['worst_p95'])} | {ms(r['s3_put']['p50'])} / "
            f"{ms(r['s3_put']['p95'])} | {100 * r['client_cpu']:.0f} % | "
            f"{r['load_before']:.2f} | {'yes' if r['sustained'] else 'no'} |"
        )
    print()
    print("p50 / p95 / p99 (ms) per request type:")
    print()
    print("| request | " + " | ".join(f"{r['rate']:g}/s" for r in results) + " |")
    print("|---|" + "---|" * len(results))
    for step in STEPS:
        cells = []
        for r in results:
            s = r["steps"][step]
            cells.append(
                f"{ms(s['p50'])} / {ms(s['p95'])} / {ms(s['p99'])}"
                if s["count"]
                else "—"
            )
        print(f"| {step} | " + " | ".join(cells) + " |")
    for r in results:
        if r["error_kinds"]:
            print(f"\nerrors at {r['rate']:g}/s: {r['error_kinds']}")
    print()
    print(
        f"Headline: {headline if headline else 'no rate'} submissions/s sustained "
        f"with every request type's p95 ≤ {P95_LIMIT_MS} ms and 0 errors."
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rates", default="3,6,9,12")
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument(
        "--worker-class", default="gthread", choices=["gthread", "sync"]
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=6)
    parser.add_argument("--logins", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--show-sql", action="store_true")
    args = parser.parse_args()
    rates = [float(rate) for rate in args.rates.split(",")]
    schedules = [
        arrivals(rate, args.duration, args.seed + index)
        for index, rate in enumerate(rates)
    ]
    warm_up = 2 * args.workers * (args.threads if args.worker_class == "gthread" else 1)

    with Stack(
        worker_class=args.worker_class, workers=args.workers, threads=args.threads
    ) as stack:
        stack.start()
        from django.conf import settings

        from submissions.enums import EntryState, MediaKind
        from submissions.models import Entry

        round_, category = stack.make_round(media_kinds=[MediaKind.IMAGE])
        queries = count_queries(stack, round_, category)
        if args.show_sql:
            for step in STEPS:
                print(f"\n### {step}: {queries[step]['queries']} queries")
                for statement in queries[step]["sql"]:
                    print("  ", statement[:300])

        login_users = stack.make_entrants(args.logins, prefix="login")
        login_times = []
        for user in login_users:
            seconds, status, signed_in = stack.password_login(user.email)
            if status != 302 or not signed_in:
                raise SystemExit(f"log-in failed: HTTP {status}")
            login_times.append(seconds * 1000)
        login = {
            "count": len(login_times),
            "median": percentile(login_times, 0.5),
            "all": login_times,
        }

        cookie_name = settings.SESSION_COOKIE_NAME
        warm = stack.make_entrants(warm_up, prefix="warm")
        warm_flows, _, _, _ = run_rate(
            stack,
            rate=0,
            offsets=[index * 0.05 for index in range(warm_up)],
            cookies=stack.session_cookies(warm),
            round_pk=round_.pk,
            category_pk=category.pk,
            cookie_name=cookie_name,
        )
        failed = [flow.error for flow in warm_flows if flow.error]
        if failed:
            raise SystemExit(
                f"warm-up failed: {failed[:3]}\n{stack.log_tail('gunicorn')}"
            )

        results = []
        for index, (rate, offsets) in enumerate(zip(rates, schedules, strict=True)):
            pool = stack.make_entrants(len(offsets), prefix=f"rate{index}-")
            cookies = stack.session_cookies(pool)
            time.sleep(2)
            load = os.getloadavg()[0]
            flows, start, unfinished, client_cpu = run_rate(
                stack,
                rate=rate,
                offsets=offsets,
                cookies=cookies,
                round_pk=round_.pk,
                category_pk=category.pk,
                cookie_name=cookie_name,
            )
            submitted = Entry.objects.filter(
                round=round_, entrant__in=pool, state=EntryState.SUBMITTED
            ).count()
            result = summarise(rate, args.duration, flows, start, unfinished, submitted)
            result["client_cpu"] = client_cpu
            result["load_before"] = load
            results.append(result)
            print(
                f"rate {rate:g}/s: {result['completed']}/{result['flows']} flows, "
                f"{result['submissions_per_s']:.2f}/s, errors {result['errors']}, "
                f"worst p95 {result['worst_p95']:.0f} ms",
                flush=True,
            )
        headline = max(
            (r["submissions_per_s"] for r in results if r["sustained"]), default=None
        )
        headline = f"{headline:.2f}" if headline is not None else None
        print_report(args, stack, login, queries, results, headline)
        if args.json:
            Path(args.json).write_text(
                json.dumps(
                    {
                        "login": login,
                        "queries": queries,
                        "results": results,
                        "gunicorn": stack.gunicorn_command()[1:],
                    },
                    indent=2,
                    default=str,
                )
            )


if __name__ == "__main__":
    main()
