"""The staff page of a stage's ranked results at 2,000 entries, timed request by
request.

    .venv/bin/python bench/results_page.py
    .venv/bin/python bench/results_page.py --entries 2000 --requests 100

The round and the criteria stage are ``bench/aggregation.py``'s: ``--entries``
eligible entries in three categories, 10 judges each scoring every entry (5
criteria and the total), one judge–entry pair in a hundred with a conflict.
A member of staff, signed in with a second factor, asks through Django's test
client (in this process: the whole middleware stack, without a web server)
the ranked table's first page (calibrated, the default), its last page ranked
by the raw mean, the disagreements only, the judges' page and one entry's
scores, ``--requests`` times each, one request after another. Reported per
page: its queries and the latency p50/p95/p99 in ms. Goal (issue 12,
docs/PERFORMANCE.md): the ranked table at 2,000 entries p95 < 200 ms.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

import os  # noqa: E402

from bench.aggregation import (  # noqa: E402
    DatabaseStack,
    seed_conflicts,
    seed_entries,
    seed_stage,
)
from bench.harness import machine, percentile  # noqa: E402

DATABASE = os.environ.get("BENCH_DATABASE", "artsprize_bench_results")
GOAL_P95_MS = 200


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument(
        "--profile", action="store_true", help="profile the table's first page"
    )
    args = parser.parse_args()
    with DatabaseStack(database=DATABASE) as stack:
        stack.start()
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.urls import reverse

        from judging.models import StageEntry
        from tests.factories import make_staff, sign_in_with_two_factor

        call_command("collectstatic", verbosity=0, interactive=False)
        round_, judges = seed_entries(args.entries)
        seed_conflicts(round_, judges)
        stage = seed_stage(round_, judges, args.entries)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        client = sign_in_with_two_factor(Client(), make_staff())
        table = reverse("manage:stage_results", args=[stage.pk])
        first_category = stage.categories.order_by("position", "id").first()
        per_category = StageEntry.objects.filter(
            stage=stage, category=first_category
        ).count()
        last_page = (per_category + 99) // 100
        entry_id = (
            StageEntry.objects.filter(stage=stage).order_by("id").first().entry_id
        )
        pages = {
            "table, page 1 (calibrated)": table,
            f"table, page {last_page} (raw mean)": f"{table}?by=raw&page={last_page}",
            "table, disagreements only": f"{table}?only=disagreements&above=1",
            "judges": reverse("manage:stage_result_judges", args=[stage.pk]),
            "one entry's scores": reverse(
                "manage:stage_result_entry", args=[stage.pk, entry_id]
            ),
        }
        if args.profile:
            import cProfile
            import pstats

            profile = cProfile.Profile()
            profile.enable()
            for _request in range(10):
                client.get(table)
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
            return 0
        print(
            f"# Results pages, {args.entries:,} entries × {len(judges)} judges, "
            f"{args.requests} requests each · {machine()}"
        )
        print(f"{'page':<32} {'queries':>7} {'p50':>6} {'p95':>6} {'p99':>6}")
        failed = False
        for name, url in pages.items():
            queries = []

            def count(execute, sql, params, many, context, queries=queries):
                queries.append(sql)
                return execute(sql, params, many, context)

            with connection.execute_wrapper(count):
                response = client.get(url)
            assert response.status_code == 200, (name, response.status_code)
            times = []
            for _request in range(args.requests):
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            p95 = percentile(times, 0.95)
            print(
                f"{name:<32} {len(queries):>7} {statistics.median(times):>6.0f} "
                f"{p95:>6.0f} {percentile(times, 0.99):>6.0f}"
            )
            if name.startswith("table"):
                failed |= p95 > GOAL_P95_MS
        print(f"goal: the ranked table p95 < {GOAL_P95_MS} ms at 2,000 entries")
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
