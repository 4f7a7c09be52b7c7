"""Screening queue: the staff pages of a closed round of 2,000 entries, served by
gunicorn against PostgreSQL, timed request by request.

    BENCH_DATABASE=artsprize_bench .venv/bin/python bench/screening_queue.py
    .venv/bin/python bench/screening_queue.py --entries 2000 --requests 200

A closed round gets ``--entries`` submitted entries (each with two ready image
files and their thumbnails, a third of them screened, one in forty with a
content warning, one in ten sharing its first file with another), written in bulk: what is measured is reading them.
A member of staff, signed in with a second factor, then asks each page
``--requests`` times, one request after another: the queue's first and last page,
the queue filtered (unscreened; possible duplicates), and one entry's screening
page. Reported per page: the queries (through Django's test client, at 50 and at
``--entries`` entries, which must be equal) and the latency p50/p95/p99 in ms as
the client measured it on loopback. The goal (docs/PERFORMANCE.md): a constant
number of queries and p95 under 150 ms for a page of entries.
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.harness import Stack, machine, percentile  # noqa: E402

DATABASE = os.environ.get("BENCH_DATABASE", "artsprize_bench")
P95_LIMIT_MS = 150


def seed(count, *, year):
    """A closed round of ``count`` submitted entries, written in bulk."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from artsprize.accounts.models import EntrantProfile
    from submissions.enums import (
        DerivativeKind,
        EntryState,
        FileState,
        MediaKind,
        RoundState,
        ScreeningState,
    )
    from submissions.models import (
        ArtworkFile,
        Category,
        Derivative,
        Entry,
        FileMatch,
        Round,
    )

    now = timezone.now()
    round_ = Round.objects.create(
        year=year,
        title_en="Bench round",
        title_zh_hant="測試屆",
        theme_en="Theme",
        theme_zh_hant="主題",
        rules_en="Rules",
        rules_zh_hant="規則",
        opens_at=now - datetime.timedelta(days=30),
        closes_at=now - datetime.timedelta(days=1),
        state=RoundState.CLOSED,
        last_reference_number=count,
    )
    categories = [
        Category.objects.create(
            round=round_,
            position=position,
            name_en=name,
            name_zh_hant=name,
            media_kinds=[MediaKind.IMAGE],
        )
        for position, name in enumerate(("Open", "Youth", "Photography"))
    ]
    User = get_user_model()
    users = User.objects.bulk_create(
        User(email=f"entrant{number}-{year}@example.org") for number in range(count)
    )
    EntrantProfile.objects.bulk_create(
        EntrantProfile(
            user=user,
            legal_name=f"Entrant {number}",
            date_of_birth=datetime.date(1960 + number % 50, 1 + number % 12, 1),
            pics_version="2025-01",
            pics_accepted_at=now,
        )
        for number, user in enumerate(users)
    )
    screenings = (
        ScreeningState.UNSCREENED,
        ScreeningState.UNSCREENED,
        ScreeningState.ELIGIBLE,
    )
    entries = Entry.objects.bulk_create(
        Entry(
            round=round_,
            category=categories[number % 3],
            entrant=user,
            state=EntryState.SUBMITTED,
            reference=f"HRAP-{year}-{number + 1:04d}",
            title_en=f"Work {number + 1}",
            statement="A statement of a few words. " * 10,
            consent_original=True,
            consent_terms=True,
            consent_website=number % 2 == 0,
            submitted_at=now - datetime.timedelta(days=2, minutes=number),
            screening=screenings[number % 3],
            content_warning=number % 40 == 0,
            content_warning_note="Depicts violence." if number % 40 == 0 else "",
        )
        for number, user in enumerate(users)
    )
    # One entry in ten shares its first file with another: entries 1 and 2, 21
    # and 22, 41 and 42...
    files = ArtworkFile.objects.bulk_create(
        ArtworkFile(
            entry=entry,
            owner_id=entry.entrant_id,
            position=position,
            kind=MediaKind.IMAGE,
            key=f"originals/bench/{entry.pk}/{position}",
            original_name=f"work-{entry.pk}-{position}.jpg",
            content_type="image/jpeg",
            declared_size=2_000_000,
            size=2_000_000,
            state=FileState.READY,
            sha256=f"{year}{number // 2:060x}"
            if position == 0 and number % 20 < 2
            else f"{entry.pk:063x}{position}",
            width=3000,
            height=2000,
        )
        for number, entry in enumerate(entries)
        for position in range(2)
    )
    Derivative.objects.bulk_create(
        Derivative(
            artwork_file=file,
            kind=kind,
            key=f"derivatives/{file.pk}/{kind}.jpg",
            width=480,
            height=320,
            size=40_000,
            content_type="image/jpeg",
        )
        for file in files
        for kind in (DerivativeKind.THUMB, DerivativeKind.PREVIEW)
    )
    # A match for each pair of entries sharing their first file.
    firsts = [file for file in files if file.position == 0]
    FileMatch.objects.bulk_create(
        FileMatch(file=later, other=earlier, kind="same_file")
        for earlier, later in zip(firsts[::2], firsts[1::2], strict=False)
        if earlier.sha256 == later.sha256
    )
    return round_, entries


def staff_session():
    """A member of staff, and the key of a session that passed two-factor sign-in."""
    from django.test import Client

    from tests.factories import make_staff, sign_in_with_two_factor

    staff = make_staff(email="bench-staff@example.org")
    client = Client()
    sign_in_with_two_factor(client, staff)
    return client


def pages(round_, entries):
    base = f"/manage/rounds/{round_.pk}/screening/"
    last = (len(entries) + 49) // 50
    return {
        "queue, first page": base,
        "queue, last page": f"{base}?page={last}",
        "queue, unscreened": f"{base}?screening=unscreened",
        "queue, duplicates": f"{base}?flag=duplicate",
        # An entry without a match in either round: its queries compare.
        "one entry": f"{base}{entries[(len(entries) // 40) * 20 + 5].pk}/",
    }


def count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries.captured_queries)


def time_requests(origin, session_cookie, url, requests_count):
    import requests
    from django.conf import settings

    http = requests.Session()
    http.cookies.set(settings.SESSION_COOKIE_NAME, session_cookie)
    for _warm in range(5):
        http.get(origin + url, timeout=30).raise_for_status()
    times = []
    for _number in range(requests_count):
        started = time.perf_counter()
        response = http.get(origin + url, timeout=30, allow_redirects=False)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with Stack(database=DATABASE, workers=2, threads=2) as stack:
        stack.start()
        from django.conf import settings

        small_round, small_entries = seed(50, year=2025)
        client = staff_session()
        small = {
            name: count_queries(client, url)
            for name, url in pages(small_round, small_entries).items()
        }
        round_, entries = seed(args.entries, year=2026)
        urls = pages(round_, entries)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        print(f"# Screening queue, {args.entries} entries · {machine()}")
        print(
            f"{'page':<20} {'queries 50':>10} {'queries N':>10} "
            f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'mean':>8}"
        )
        failed = False
        for name, url in urls.items():
            queries = count_queries(client, url)
            times = time_requests(stack.origin, cookie, url, args.requests)
            p95 = percentile(times, 0.95)
            failed |= queries != small[name] or (
                name.startswith("queue") and p95 > P95_LIMIT_MS
            )
            print(
                f"{name:<20} {small[name]:>10} {queries:>10} "
                f"{percentile(times, 0.5):>8.1f} {p95:>8.1f} "
                f"{percentile(times, 0.99):>8.1f} {statistics.fmean(times):>8.1f}"
            )
        print("goal: queries equal at 50 and N; p95 of a queue page <", P95_LIMIT_MS)
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
