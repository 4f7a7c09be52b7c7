"""Aggregation of a criteria stage: raw mean, z-scores and the calibrated score
(the additive model fitted by ``lsqr``), per category, on PostgreSQL.

    .venv/bin/python bench/aggregation.py
    .venv/bin/python bench/aggregation.py --sizes 2000,5000 --repeat 3

A round in judging gets as many eligible entries as the largest size, in three
categories, and 10 judges. For each size N, a criteria stage of 5 criteria
takes the first N entries, every judge is assigned every entry (N × 10
assignments) and has submitted a score of each: 5 criterion scores and the
weighted total (``Score.total``), as a judge leaves them — at 20,000 entries,
200,000 scores and 1,000,000 criterion scores. One judge in a hundred pairs
has a conflict (its score must not count). Rows are written in bulk by the
database itself (INSERT … SELECT), then ANALYZE.

Timed per size, ``--repeat`` times: ``aggregate_criteria(stage,
by="calibrated", disagreement_above=2)`` whole (the two queries, the arrays,
the maths, the rows), and its parts: reading the counted scores, and the
measures (means, z-scores, calibration). Reported: the median and the best
run in ms, and the time per 1,000 entries (flat: linear growth). Goal
(issue 12, docs/PERFORMANCE.md): < 3 s at 20,000 entries.
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

from bench.harness import Stack, machine  # noqa: E402

DATABASE = os.environ.get("BENCH_DATABASE", "artsprize_bench_aggregation")
JUDGES = 10
CRITERIA = 5
GOAL_SECONDS = 3.0


class DatabaseStack(Stack):
    """The harness's database alone (no S3 server, no gunicorn): the
    aggregation runs in this process."""

    def start(self):
        from artsprize.common import local_s3

        self.s3_port = local_s3.free_port()
        self._configure_environment()
        self._create_database()
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


def seed_entries(count):
    """A round in judging with ``count`` eligible entries in three categories,
    and ``JUDGES`` judges. Returns ``(round, judges)``."""
    from django.utils import timezone

    from submissions.enums import EntryState, MediaKind, RoundState, ScreeningState
    from submissions.models import Category, Entry, Round
    from tests.factories import make_entrant, make_judge

    now = timezone.now()
    round_ = Round.objects.create(
        year=2026,
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
    entrant = make_entrant(email="bench-aggregation@example.org")
    Entry.objects.bulk_create(
        (
            Entry(
                round=round_,
                category=categories[number % 3],
                entrant=entrant,
                state=EntryState.SUBMITTED,
                screening=ScreeningState.ELIGIBLE,
                reference=f"HRAP-2026-{number + 1:05d}",
                title_en=f"Work {number + 1}",
                title_zh_hant=f"作品 {number + 1}",
                statement="A statement of a few words.",
                medium="Ink on paper",
                submitted_at=now - datetime.timedelta(days=6, minutes=number),
            )
            for number in range(count)
        ),
        batch_size=2000,
    )
    judges = [
        make_judge(email=f"bench-aggregation-judge-{number}@example.org")
        for number in range(JUDGES)
    ]
    return round_, judges


def seed_stage(round_, judges, size):
    """A closed criteria stage over the round's first ``size`` entries, every
    judge scoring every entry; returns the stage."""
    from django.db import connection
    from django.utils import timezone

    from judging.enums import AssignmentMode, StageMode, StageState
    from judging.models import Criterion, Stage

    now = timezone.now()
    stage = Stage.objects.create(
        round=round_,
        position=size,
        name_en=f"Stage of {size}",
        name_zh_hant=f"{size} 件",
        mode=StageMode.CRITERIA,
        assignment_mode=AssignmentMode.ALL,
        judges_per_entry=JUDGES,
        min_judges=3,
        opens_at=now - datetime.timedelta(days=3),
        closes_at=now - datetime.timedelta(days=1),
        state=StageState.CLOSED,
    )
    stage.categories.set(round_.categories.all())
    for position in range(CRITERIA):
        Criterion.objects.create(
            stage=stage,
            position=position,
            name_en=f"Criterion {position + 1}",
            name_zh_hant=f"準則 {position + 1}",
            weight=position + 1,
        )
    judge_ids = [judge.pk for judge in judges]
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        cursor.execute(
            "INSERT INTO judging_stageentry (stage_id, entry_id, category_id) "
            "SELECT %s, id, category_id FROM submissions_entry "
            "WHERE round_id = %s ORDER BY id LIMIT %s",
            [stage.pk, round_.pk, size],
        )
        cursor.execute(
            "INSERT INTO judging_assignment "
            "(stage_id, judge_id, entry_id, position, created_at) "
            "SELECT se.stage_id, j.id, se.entry_id, se.id, now() "
            "FROM judging_stageentry se CROSS JOIN unnest(%s::bigint[]) j(id) "
            "WHERE se.stage_id = %s",
            [judge_ids, stage.pk],
        )
        cursor.execute(
            "INSERT INTO judging_score (assignment_id, vote, total, comment, "
            "private_note, version, saved_at, submitted_at) "
            "SELECT id, '', NULL, '', '', 1, now(), now() "
            "FROM judging_assignment WHERE stage_id = %s",
            [stage.pk],
        )
        # A work's quality (from its ID), the judge's leniency (from their
        # place on the panel), noise; on the 1–10 scale, in tenths.
        cursor.execute(
            "INSERT INTO judging_criterionscore (score_id, criterion_id, value) "
            "SELECT s.id, c.id, least(10, greatest(1, round(("
            "  3 + (a.entry_id * 2654435761 %% 1000) / 200.0"
            "  + (array_position(%s::bigint[], a.judge_id) - 5.5) * 0.3"
            "  + random() * 2 - 1)::numeric, 1))) "
            "FROM judging_score s JOIN judging_assignment a "
            "ON a.id = s.assignment_id "
            "JOIN judging_criterion c ON c.stage_id = a.stage_id "
            "WHERE a.stage_id = %s",
            [judge_ids, stage.pk],
        )
        cursor.execute(
            "UPDATE judging_score s SET total = t.total FROM ("
            "  SELECT cs.score_id, round(sum(cs.value * c.weight) / sum(c.weight), 3)"
            "  AS total"
            "  FROM judging_criterionscore cs JOIN judging_criterion c "
            "  ON c.id = cs.criterion_id WHERE c.stage_id = %s GROUP BY cs.score_id"
            ") t WHERE s.id = t.score_id",
            [stage.pk],
        )
    return stage


def seed_conflicts(round_, judges):
    """One judge and entry pair in a hundred has a conflict: every tenth
    entry, with one judge in turn."""
    from judging.models import Conflict
    from submissions.models import Entry

    entry_ids = list(
        Entry.objects.filter(round=round_).order_by("id").values_list("id", flat=True)
    )
    Conflict.objects.bulk_create(
        Conflict(judge=judges[number % JUDGES], entry_id=entry_id, reason="Bench.")
        for number, entry_id in enumerate(entry_ids[::10])
    )


def time_call(function, repeat):
    times = []
    result = None
    for _run in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    return times, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="2000,5000,10000,20000")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    with DatabaseStack(database=DATABASE) as stack:
        stack.start()
        from django.db import connection

        from judging.models import CriterionScore, Score
        from judging.selectors.aggregation import (
            aggregate_criteria,
            counted_scores,
            criteria_measures,
        )

        started = time.perf_counter()
        round_, judges = seed_entries(sizes[-1])
        seed_conflicts(round_, judges)
        stages = {size: seed_stage(round_, judges, size) for size in sizes}
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        seeded = time.perf_counter() - started
        print(
            f"# Aggregation of a criteria stage, {JUDGES} judges × {CRITERIA} "
            f"criteria, every judge scoring every entry · {machine()}"
        )
        print(
            f"seeded {Score.objects.count():,} scores and "
            f"{CriterionScore.objects.count():,} criterion scores in {seeded:.0f} s"
        )
        print(
            f"{'entries':>8} {'scores':>8} {'read ms':>9} {'maths ms':>9} "
            f"{'whole p50':>10} {'whole min':>10} {'ms/1000':>8}"
        )
        failed = False
        for size, stage in stages.items():
            reads, data = time_call(lambda stage=stage: counted_scores(stage), 3)
            maths, _measures = time_call(
                lambda data=data: criteria_measures(data), args.repeat
            )
            whole, result = time_call(
                lambda stage=stage: aggregate_criteria(
                    stage, by="calibrated", disagreement_above=2
                ),
                args.repeat,
            )
            rows = sum(len(category) for category in result.values())
            assert rows == size, (rows, size)
            median = statistics.median(whole)
            print(
                f"{size:>8} {len(data.value):>8} {statistics.median(reads):>9.0f} "
                f"{statistics.median(maths):>9.0f} {median:>10.0f} "
                f"{min(whole):>10.0f} {median / size * 1000:>8.1f}"
            )
            if size >= 20_000:
                failed |= median > GOAL_SECONDS * 1000
        print(f"goal: < {GOAL_SECONDS:.0f} s at 20,000 entries; growth linear")
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
