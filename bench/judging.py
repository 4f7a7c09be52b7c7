"""The judge's pages: a judge with 1,000 assigned entries, served by gunicorn
against PostgreSQL, timed request by request.

    .venv/bin/python bench/judging.py
    .venv/bin/python bench/judging.py --entries 1000 --requests 200

An open stage of a round in judging gets ``--entries`` eligible entries (each
with a ready image file, its thumbnail and its preview), all assigned to one
judge in their own seeded order and a third of them already scored, written in
bulk: what is measured is reading and scoring them. The judge, signed in with a
second factor, asks the dashboard, the queue's first and last page (the queue
is paged, 50 entries a page) and an entry's blind view ``--requests`` times
each, one request after another, then scores ``--requests`` entries (the blind
view, then the score's autosave POST). Reported per page: the queries (through
Django's test client, with 10 and with ``--entries`` entries assigned, which
must be equal) and the latency p50/p95/p99 in ms as the client measured it on
loopback. Goals (issue 11, docs/PERFORMANCE.md): dashboard and queue p95 under
100 ms with at most 20 queries; the blind view and the score's POST p50 under
40 ms with at most 15 queries each.
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.harness import Stack, machine, percentile  # noqa: E402

DATABASE = os.environ.get("BENCH_DATABASE", "artsprize_bench")
LIST_P95_MS = 100
LIST_QUERIES = 20
SCORE_P50_MS = 40
SCORE_QUERIES = 15


def seed(count, *, year):
    """A round in judging with an open criteria stage of ``count`` entries, all
    assigned to one judge; returns ``(stage, judge, assignments)``."""
    from django.utils import timezone

    from judging.enums import AssignmentMode, StageMode, StageState
    from judging.models import (
        Assignment,
        Criterion,
        CriterionScore,
        PanelMember,
        Score,
        Stage,
        StageEntry,
    )
    from judging.services.assignment import judge_order
    from submissions.enums import (
        DerivativeKind,
        EntryState,
        FileState,
        MediaKind,
        RoundState,
        ScreeningState,
    )
    from submissions.models import ArtworkFile, Category, Derivative, Entry, Round
    from tests.factories import make_entrant, make_judge

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
        closes_at=now - datetime.timedelta(days=5),
        screening_released_at=now - datetime.timedelta(days=4),
        state=RoundState.JUDGING,
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
    entrant = make_entrant(email=f"bench-entrant-{year}@example.org")
    entries = Entry.objects.bulk_create(
        Entry(
            round=round_,
            category=categories[number % 3],
            entrant=entrant,
            state=EntryState.SUBMITTED,
            screening=ScreeningState.ELIGIBLE,
            reference=f"HRAP-{year}-{number + 1:04d}",
            title_en=f"Work {number + 1}",
            title_zh_hant=f"作品 {number + 1}",
            statement="A statement of a few words. " * 20,
            medium="Ink on paper",
            year_made=2025,
            dimensions="60 × 90 cm",
            submitted_at=now - datetime.timedelta(days=6, minutes=number),
            content_warning=number % 40 == 0,
            content_warning_note="Depicts violence." if number % 40 == 0 else "",
        )
        for number in range(count)
    )
    files = ArtworkFile.objects.bulk_create(
        ArtworkFile(
            entry=entry,
            owner_id=entry.entrant_id,
            position=0,
            kind=MediaKind.IMAGE,
            key=f"originals/bench/{entry.pk}/0",
            original_name=f"work-{entry.pk}.jpg",
            content_type="image/jpeg",
            declared_size=2_000_000,
            size=2_000_000,
            state=FileState.READY,
            sha256=f"{entry.pk:064x}",
            width=3000,
            height=2000,
            alt_text="A painting of a harbour.",
        )
        for entry in entries
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
    stage = Stage.objects.create(
        round=round_,
        name_en="First round",
        name_zh_hant="初選",
        mode=StageMode.CRITERIA,
        assignment_mode=AssignmentMode.ALL,
        min_judges=1,
        judges_per_entry=1,
        seed=11,
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=14),
        state=StageState.OPEN,
    )
    stage.categories.set(categories)
    criteria = [
        Criterion.objects.create(
            stage=stage,
            position=position,
            name_en=name,
            name_zh_hant=name,
            description_en="How well the work does it.",
            weight=position + 1,
        )
        for position, name in enumerate(("Originality", "Craft", "Message"))
    ]
    judge = make_judge(email=f"bench-judge-{year}@example.org")
    PanelMember.objects.create(stage=stage, judge=judge, is_chair=True)
    StageEntry.objects.bulk_create(
        StageEntry(stage=stage, entry=entry, category_id=entry.category_id)
        for entry in entries
    )
    order = judge_order(
        [entry.pk for entry in entries], seed=stage.seed, judge_id=judge.pk
    )
    position_of = {entry_id: position for position, entry_id in enumerate(order)}
    assignments = Assignment.objects.bulk_create(
        Assignment(
            stage=stage, judge=judge, entry=entry, position=position_of[entry.pk]
        )
        for entry in entries
    )
    scored = assignments[::3]
    scores = Score.objects.bulk_create(
        Score(
            assignment=assignment,
            total=6,
            comment="Strong.",
            version=1,
            saved_at=now,
            submitted_at=now,
        )
        for assignment in scored
    )
    CriterionScore.objects.bulk_create(
        CriterionScore(score=score, criterion=criterion, value=6)
        for score in scores
        for criterion in criteria
    )
    assignments.sort(key=lambda assignment: assignment.position)
    # Rows written in bulk: the planner gets the statistics a live database
    # keeps (autovacuum analyses tables as they grow).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return stage, judge, assignments, criteria


def judge_client(judge):
    """A test client of ``judge``, signed in with a second factor."""
    from django.test import Client

    from tests.factories import sign_in_with_two_factor

    client = Client()
    sign_in_with_two_factor(client, judge)
    return client


def pages(stage, assignments):
    last = (len(assignments) + 49) // 50
    middle = assignments[len(assignments) // 2]
    return {
        "dashboard": "/judging/",
        "queue, first page": f"/judging/stages/{stage.pk}/",
        "queue, last page": f"/judging/stages/{stage.pk}/?page={last}",
        "queue, to do": f"/judging/stages/{stage.pk}/?show=unscored",
        "blind view": f"/judging/assignments/{middle.pk}/",
    }


def score_body(criteria, number):
    return json.dumps(
        {
            "base_version": 0,
            "submit": False,
            "data": {
                **{
                    f"criterion_{criterion.pk}": str(1 + (number + index) % 10)
                    for index, criterion in enumerate(criteria)
                },
                "comment": f"A careful work, number {number}.",
                "private_note": "",
            },
        }
    )


def count_queries(client, method, url, **kwargs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    getattr(client, method)(url, **kwargs)
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, **kwargs)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries.captured_queries)


def score_queries(client, assignment, criteria):
    return count_queries(
        client,
        "post",
        f"/judging/assignments/{assignment.pk}/score/",
        data=score_body(criteria, 1),
        content_type="application/json",
    )


def time_get(http, origin, url, count):
    for _warm in range(5):
        http.get(origin + url, timeout=30).raise_for_status()
    times = []
    for _number in range(count):
        started = time.perf_counter()
        response = http.get(origin + url, timeout=30, allow_redirects=False)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    return times


def time_scoring(http, origin, assignments, criteria, count):
    """Score ``count`` entries as a judge does: the blind view, then the
    autosave POST. Returns the times of each."""
    views, posts = [], []
    token = http.cookies.get("csrftoken")
    for number, assignment in enumerate(assignments[:count]):
        url = f"{origin}/judging/assignments/{assignment.pk}/"
        started = time.perf_counter()
        response = http.get(url, timeout=30, allow_redirects=False)
        views.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        token = http.cookies.get("csrftoken") or token
        started = time.perf_counter()
        response = http.post(
            f"{url}score/",
            data=score_body(criteria, number),
            headers={
                "Content-Type": "application/json",
                "X-CSRFToken": token,
                "Referer": url,
            },
            timeout=30,
        )
        posts.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url}score/ answered {response.status_code}")
    return views, posts


def row(name, small, large, times):
    return (
        f"{name:<22} {small:>10} {large:>10} {percentile(times, 0.5):>8.1f} "
        f"{percentile(times, 0.95):>8.1f} {percentile(times, 0.99):>8.1f} "
        f"{statistics.fmean(times):>8.1f}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with Stack(database=DATABASE, workers=2, threads=2) as stack:
        stack.start()
        import requests
        from django.conf import settings

        small_stage, small_judge, small_assignments, small_criteria = seed(
            10, year=2025
        )
        small_client = judge_client(small_judge)
        small = {
            name: count_queries(small_client, "get", url)
            for name, url in pages(small_stage, small_assignments).items()
        }
        small["score POST"] = score_queries(
            small_client, small_assignments[1], small_criteria
        )
        stage, judge, assignments, criteria = seed(args.entries, year=2026)
        client = judge_client(judge)
        urls = pages(stage, assignments)
        large = {name: count_queries(client, "get", url) for name, url in urls.items()}
        large["score POST"] = score_queries(client, assignments[1], criteria)

        http = requests.Session()
        http.cookies.set(
            settings.SESSION_COOKIE_NAME,
            client.cookies[settings.SESSION_COOKIE_NAME].value,
        )
        print(
            f"# Judge's pages, {args.entries} entries assigned to one judge "
            f"(queue paged, 50 a page) · {machine()}"
        )
        print(
            f"{'page':<22} {'queries 10':>10} {'queries N':>10} "
            f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'mean':>8}"
        )
        failed = False
        for name, url in urls.items():
            times = time_get(http, stack.origin, url, args.requests)
            print(row(name, small[name], large[name], times))
            if name == "blind view":
                continue
            failed |= (
                large[name] != small[name]
                or large[name] > LIST_QUERIES
                or percentile(times, 0.95) > LIST_P95_MS
            )
        # Entries not yet scored, in the judge's order, after the first three.
        unscored = [a for index, a in enumerate(assignments) if index % 3][2:]
        views, posts = time_scoring(
            http, stack.origin, unscored, criteria, args.requests
        )
        print(
            row("scoring: blind view", small["blind view"], large["blind view"], views)
        )
        print(
            row("scoring: score POST", small["score POST"], large["score POST"], posts)
        )
        failed |= (
            large["blind view"] > SCORE_QUERIES
            or large["score POST"] > SCORE_QUERIES
            or percentile(views, 0.5) > SCORE_P50_MS
            or percentile(posts, 0.5) > SCORE_P50_MS
        )
        print(
            f"goals: dashboard and queue p95 < {LIST_P95_MS} ms, ≤ {LIST_QUERIES} "
            f"queries, equal at 10 and N; blind view and score POST p50 < "
            f"{SCORE_P50_MS} ms, ≤ {SCORE_QUERIES} queries"
        )
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
