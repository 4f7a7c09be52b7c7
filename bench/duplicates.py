"""Duplicate search: what looking for the matches of one new image costs among
20,000 hashed images, and what recording the matches among all of them at once
costs (the ``find_duplicates`` command).

    .venv/bin/python bench/duplicates.py [--images 20000]

It creates the database ``artsprize_bench_duplicates`` (``BENCH_DATABASE=<name>``
names it otherwise) on the PostgreSQL at 127.0.0.1:5432, migrates it, writes one
round, entrants, one entry per image and a ready image file each with a random
perceptual hash (32 of 64 bits set, as imagehash's are), 20 of them near copies
of others; then times ``find_file_matches`` for one file (the task run when a file
becomes ready: the read of the (id, hash) pairs and the comparisons, timed apart)
and ``record_all_matches``. The database is dropped at the end, whatever happened.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import POSTGRES, _admin_sql, machine

RUNS = 15


def balanced_hash(generator):
    """64 bits of which 32 are set: a hash above the median in half its cells."""
    value = 0
    for bit in generator.sample(range(64), 32):
        value |= 1 << bit
    return value


def build(count, generator):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from submissions.enums import EntryState, FileState, MediaKind
    from submissions.models import ArtworkFile, Entry
    from tests.factories import make_round

    round_ = make_round()
    category = round_.categories.get()
    user = get_user_model().objects.create_user(email="bench@example.org")
    entries = Entry.objects.bulk_create(
        Entry(
            round=round_,
            category=category,
            entrant=user,
            state=EntryState.SUBMITTED,
            reference=f"HRAP-{round_.year}-{number:05d}",
        )
        for number in range(count)
    )
    hashes = [balanced_hash(generator) for _ in range(count)]
    for number in range(count - 20, count):
        # A near copy of an earlier image: two bits swapped.
        copied = hashes[number - count // 2]
        ones = [bit for bit in range(64) if copied >> bit & 1]
        zeros = [bit for bit in range(64) if not copied >> bit & 1]
        hashes[number] = copied ^ (1 << ones[0]) ^ (1 << zeros[0])
    now = timezone.now()
    ArtworkFile.objects.bulk_create(
        (
            ArtworkFile(
                entry=entry,
                owner=user,
                kind=MediaKind.IMAGE,
                key=f"originals/bench/{entry.pk}",
                original_name="work.jpg",
                content_type="image/jpeg",
                declared_size=1000,
                size=1000,
                state=FileState.READY,
                sha256=f"{number:064x}",
                perceptual_hash=f"{hashes[number]:016x}",
                processed_at=now,
            )
            for number, entry in enumerate(entries)
        ),
        batch_size=2000,
    )
    return ArtworkFile.objects.order_by("-pk").values_list("pk", flat=True).first()


def measure(last_file):
    from django.db import connection

    from submissions.models import ArtworkFile, FileMatch
    from submissions.services import duplicates

    scans, reads = [], []
    for _ in range(RUNS):
        started = time.perf_counter()
        duplicates.find_file_matches(last_file)
        scans.append(time.perf_counter() - started)
        started = time.perf_counter()
        pairs = list(
            duplicates._hashed_images()
            .exclude(pk=last_file)
            .order_by()
            .values_list("id", "perceptual_hash")
        )
        reads.append(time.perf_counter() - started)
    mine = int(ArtworkFile.objects.get(pk=last_file).perceptual_hash, 16)
    compares = []
    for _ in range(RUNS):
        started = time.perf_counter()
        _near = [
            other
            for other, hexadecimal in pairs
            if (int(hexadecimal, 16) ^ mine).bit_count() <= duplicates.THRESHOLD
        ]
        compares.append(time.perf_counter() - started)
    FileMatch.objects.all().delete()
    started, cpu = time.perf_counter(), time.process_time()
    found = duplicates.record_all_matches()
    everything = time.perf_counter() - started
    everything_cpu = time.process_time() - cpu
    connection.close()
    return {
        "one file (task)": statistics.median(scans),
        "  read (id, hash) pairs": statistics.median(reads),
        "  compare with int.bit_count": statistics.median(compares),
        "all files at once (command)": everything,
        "  of which this process's CPU": everything_cpu,
        "matches found at once": dict(found),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=20_000)
    arguments = parser.parse_args()
    database = os.environ.get("BENCH_DATABASE", "artsprize_bench_duplicates")
    _admin_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    _admin_sql(f'CREATE DATABASE "{database}"')
    try:
        os.environ.update(
            {
                "DJANGO_SETTINGS_MODULE": "artsprize.settings.local",
                "DATABASE_URL": f"{POSTGRES}/{database}",
                "CELERY_BROKER_URL": "memory://",
                "LOG_LEVEL": "WARNING",
            }
        )
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        last_file = build(arguments.images, random.Random(2026))
        print(f"{machine()}; {arguments.images} hashed images")
        for name, value in measure(last_file).items():
            shown = f"{value * 1000:.1f} ms" if isinstance(value, float) else value
            print(f"{name}: {shown}")
    finally:
        from django.db import connections

        connections.close_all()
        _admin_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
