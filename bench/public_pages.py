"""The public pages of published results with 200 works, timed request by
request, with their weight before the artworks' images.

    .venv/bin/python bench/public_pages.py
    .venv/bin/python bench/public_pages.py --works 200 --requests 100

A published round of ``--works`` works (all shortlisted in a final stage chosen
from a first one, one in ten awarded, each with its three public copies), its
results post in the news section (the body ``judging.services.publishing``
writes, naming every work) among 30 other posts, and its open gallery. An
anonymous visitor asks through Django's test client (the whole middleware
stack, without a web server) the news list, the results post and the gallery,
``--requests`` times each. Reported per page: its queries (also at a tenth of
the works, to show they do not grow), the latency p50/p95/p99 in ms, and the
page's weight before artwork images: the HTML and the stylesheets and scripts
it links, as sent compressed (gzip, as WhiteNoise serves them) and raw. Goal
(issue 13, docs/PERFORMANCE.md): under 300 KB compressed, with the images
lazy-loaded and sized by ``srcset``.
"""

import argparse
import datetime
import gzip
import re
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

import os  # noqa: E402

from bench.aggregation import DatabaseStack  # noqa: E402
from bench.harness import machine, percentile  # noqa: E402

DATABASE = os.environ.get("BENCH_DATABASE", "artsprize_bench_public")
GOAL_KB = 300
OTHER_POSTS = 30


def seed(works):
    """A published round of ``works`` works and its publication. Returns the
    round."""
    from django.utils import timezone

    from artsprize.news.services import create_post, publish_post_now
    from judging.enums import AwardKind, StageState
    from judging.models import Award, AwardType, Publication, Stage, StageEntry
    from judging.selectors.publication import results_outline
    from judging.services.publishing import post_data
    from submissions.enums import (
        EntryState,
        FileState,
        MediaKind,
        RoundState,
        ScreeningState,
    )
    from submissions.models import ArtworkFile, Category, Entry, PublicCopy, Round
    from tests.factories import make_entrant, make_staff

    now = timezone.now()
    round_ = Round.objects.create(
        year=2026,
        title_en=f"Bench round of {works}",
        title_zh_hant="測試屆",
        theme_en="Theme",
        theme_zh_hant="主題",
        rules_en="Rules",
        rules_zh_hant="規則",
        opens_at=now - datetime.timedelta(days=60),
        closes_at=now - datetime.timedelta(days=30),
        screening_released_at=now - datetime.timedelta(days=25),
        state=RoundState.PUBLISHED,
        published_at=now,
        last_reference_number=works,
    )
    category = Category.objects.create(
        round=round_,
        name_en="Open",
        name_zh_hant="公開組",
        media_kinds=[MediaKind.IMAGE],
    )
    entrant = make_entrant()
    entries = Entry.objects.bulk_create(
        Entry(
            round=round_,
            category=category,
            entrant=entrant,
            state=EntryState.SUBMITTED,
            screening=ScreeningState.ELIGIBLE,
            submitted_at=now - datetime.timedelta(days=31),
            reference=f"HRAP-B{round_.pk}-{number:04d}",
            title_en=f"Work number {number}",
            title_zh_hant=f"作品 {number}",
            medium="Ink on paper",
            consent_website=True,
            consent_original=True,
            consent_terms=True,
        )
        for number in range(works)
    )
    files = ArtworkFile.objects.bulk_create(
        ArtworkFile(
            entry=entry,
            owner=entrant,
            kind=MediaKind.IMAGE,
            key=f"bench/originals/{entry.pk}",
            original_name="work.jpg",
            content_type="image/jpeg",
            declared_size=1000,
            size=1000,
            state=FileState.READY,
            alt_text=f"A description of work {entry.pk}.",
        )
        for entry in entries
    )
    PublicCopy.objects.bulk_create(
        PublicCopy(
            artwork_file=file,
            key=f"works/bench{file.pk}x{width}-{width}.jpg",
            width=width,
            height=round(width * 0.75),
            size=width * 60,
        )
        for file in files
        for width in (480, 960, 1600)
    )
    first = Stage.objects.create(
        round=round_, name_en="First", name_zh_hant="初選", state=StageState.FINALISED
    )
    final = Stage.objects.create(
        round=round_,
        name_en="Final",
        name_zh_hant="決選",
        previous=first,
        position=1,
        state=StageState.FINALISED,
    )
    for stage in (first, final):
        stage.categories.set([category])
        StageEntry.objects.bulk_create(
            StageEntry(stage=stage, entry=entry, category=category) for entry in entries
        )
    staff = make_staff()
    award_type = AwardType.objects.create(
        round=round_,
        kind=AwardKind.HONOURABLE_MENTION,
        name_en="Honourable mention",
        name_zh_hant="優異獎",
        category=category,
        places=works // 10,
    )
    Award.objects.bulk_create(
        Award(
            award_type=award_type,
            entry=entry,
            citation_en="A work of quiet courage.",
            citation_zh_hant="一件安靜而勇敢的作品。",
        )
        for entry in entries[: works // 10]
    )
    publication = Publication.objects.create(
        round=round_,
        title_en=f"Results of {round_.title_en}",
        title_zh_hant="得獎結果",
        summary_en="The winners and the shortlist.",
        summary_zh_hant="得獎及入圍作品。",
        intro_en="Thank you to every artist.",
        intro_zh_hant="感謝每一位藝術家。",
        requested_at=now,
        gallery_opened_at=now,
        published_at=now,
    )
    data, _cover = post_data(results_outline(round_), publication)
    for key in ("cover_key", "cover_alt_en", "cover_alt_zh_hant"):
        data.pop(key, None)
    post = create_post(data=data, by=staff)
    publish_post_now(post, by=staff)
    publication.post = post
    publication.save(update_fields=["post"])
    return round_, post


def weight(client, html):
    """The page's bytes before artwork images: its HTML and the stylesheets and
    scripts it links, ``(compressed, raw)``."""
    from django.conf import settings
    from django.contrib.staticfiles import finders

    compressed, raw = len(gzip.compress(html)), len(html)
    text = html.decode()
    for asset in re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', text):
        name = asset.removeprefix(settings.STATIC_URL)
        path = Path(settings.STATIC_ROOT) / name
        if not path.exists():
            path = Path(finders.find(name.split("?")[0]) or "")
        data = path.read_bytes()
        raw += len(data)
        compressed += len(gzip.compress(data))
    return compressed, raw


def measure(client, url, requests):
    from django.db import connection

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _request in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return len(queries), times, response.content


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--works", type=int, default=200)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--profile", action="store_true", help="profile the gallery")
    args = parser.parse_args()
    with DatabaseStack(database=DATABASE) as stack:
        stack.start()
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.urls import reverse

        from artsprize.news.services import create_post, publish_post_now
        from tests.factories import make_staff

        call_command("collectstatic", verbosity=0, interactive=False)
        staff = make_staff()
        for number in range(OTHER_POSTS):
            publish_post_now(
                create_post(
                    data={
                        "title_en": f"News {number}",
                        "title_zh_hant": f"消息 {number}",
                        "summary_en": "A call for entries.",
                        "body_en": "Entry is free.\n\n" * 5,
                    },
                    by=staff,
                ),
                by=staff,
            )
        small_round, small_post = seed(max(args.works // 10, 10))
        round_, post = seed(args.works)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        client = Client()
        if args.profile:
            import cProfile
            import pstats

            url = reverse("round_gallery", args=[round_.pk])
            client.get(url)
            profile = cProfile.Profile()
            profile.enable()
            for _request in range(5):
                client.get(url)
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(35)
            return 0
        pages = {
            "news list": (reverse("news:list"), reverse("news:list")),
            "results post": (
                reverse("news:detail", args=[post.slug]),
                reverse("news:detail", args=[small_post.slug]),
            ),
            "gallery": (
                reverse("round_gallery", args=[round_.pk]),
                reverse("round_gallery", args=[small_round.pk]),
            ),
        }
        print(
            f"# Public pages, {args.works} works, {args.requests} requests each · "
            f"{machine()}"
        )
        print(
            f"{'page':<14} {'queries':>7} {'(at a tenth)':>12} {'p50':>6} {'p95':>6} "
            f"{'p99':>6} {'KB gzip':>8} {'KB raw':>7}"
        )
        failed = False
        for name, (url, small_url) in pages.items():
            small_queries, _times, _html = measure(client, small_url, 1)
            queries, times, html = measure(client, url, args.requests)
            compressed, raw = weight(client, html)
            print(
                f"{name:<14} {queries:>7} {small_queries:>12} "
                f"{statistics.median(times):>6.0f} {percentile(times, 0.95):>6.0f} "
                f"{percentile(times, 0.99):>6.0f} {compressed / 1024:>8.1f} "
                f"{raw / 1024:>7.1f}"
            )
            failed |= compressed > GOAL_KB * 1024 or queries != small_queries
        print(
            f"goal: under {GOAL_KB} KB before artwork images, queries constant "
            "in the number of works"
        )
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
