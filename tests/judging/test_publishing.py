"""Publishing a decided round's results, end to end on the S3 server: the
review's blocking problems, one post however many times it is asked, the
public location holding exactly the copies of the works shown (no metadata),
the chosen credits and never a legal name on any public page or feed, a work
without the artist's agreement named nowhere, one mail per entrant in their
language, and a work withdrawn afterwards leaving the gallery, the post and
the public location."""

import io

import feedparser
import pytest
from django.core import mail
from django.core.files.storage import storages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from artsprize.news.enums import PostState
from artsprize.news.models import NewsPost
from judging.enums import StageState
from judging.errors import JudgingError
from judging.models import Publication, StageEntry
from judging.services.publishing import (
    publication_for,
    publish_round,
    request_publication,
    save_texts,
)
from submissions.enums import ResultOutcome, RoundState
from submissions.models import Entry, PublicCopy
from submissions.services.public_use import set_public_uses
from tests import factories
from tests.entry_factories import add_file
from tests.judging.publishing_fixtures import (
    LEGAL,
    PSEUDONYM,
    TEXTS,
    clear_public,
    make_decided_round,
    public_keys,
)
from tests.judging_factories import make_judging_round, make_stage

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


@pytest.fixture
def decided():
    yield make_decided_round()
    clear_public()


def public_pages(client, round_):
    post = NewsPost.objects.get()
    pages = {
        "home": client.get(reverse("home")),
        "news": client.get(reverse("news:list")),
        "post": client.get(reverse("news:detail", args=[post.slug])),
        "gallery": client.get(reverse("round_gallery", args=[round_.pk])),
    }
    for language in ("en", "zh-hant"):
        for kind in ("rss", "atom"):
            name = f"news:feed_{language.replace('-', '_')}_{kind}"
            pages[name] = client.get(reverse(name))
    for name, page in pages.items():
        assert page.status_code == 200, name
    return {name: page.content.decode() for name, page in pages.items()}


def test_the_review_blocks_until_the_texts_are_written(decided):
    round_, staff, _works = decided
    with pytest.raises(JudgingError) as refused:
        request_publication(round_, by=staff)
    problems = " ".join(str(problem) for problem in refused.value.problems)
    assert "the post's title" in problems and "Chinese" in problems
    assert not Publication.objects.filter(requested_at__isnull=False).exists()


def test_publishing_end_to_end(
    client, mfa_client, decided, django_capture_on_commit_callbacks
):
    round_, staff, works = decided
    save_texts(publication_for(round_), data=TEXTS, by=staff)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert request_publication(round_, by=staff)
    # Asked again, and the task run again: nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert not request_publication(round_, by=staff)
    assert not publish_round(round_.pk)

    round_.refresh_from_db()
    assert round_.state == RoundState.PUBLISHED
    post = NewsPost.objects.get()
    assert post.state == PostState.PUBLISHED
    publication = Publication.objects.get(round=round_)
    assert publication.post == post and publication.gallery_opened_at
    assert publication.cover_entry_id == works["a"].pk

    # Exactly the copies of the works shown (A and C), and the post's cover.
    keys = public_keys()
    work_keys = [key for key in keys if key.startswith("works/")]
    copies = Entry.objects.filter(files__public_copies__isnull=False).distinct()
    assert set(copies.values_list("pk", flat=True)) == {works["a"].pk, works["c"].pk}
    assert len(work_keys) == 2 * 3  # 480, 960 and 1,200 px each.
    for key in keys:
        with storages["public"].open(key, "rb") as handle:
            data = handle.read()
        image = Image.open(io.BytesIO(data))
        assert not image.getexif() and "xmp" not in image.info
        for value in (LEGAL, PSEUDONYM, works["a"].reference, "harbour"):
            assert value.lower() not in key.lower()

    # Every public page and feed: the pseudonym, never the legal name; B's
    # award without B; D nowhere.
    pages = public_pages(client, round_)
    everything = "\n".join(pages.values())
    assert LEGAL not in everything
    assert PSEUDONYM in pages["post"] and PSEUDONYM in pages["gallery"]
    assert "Winner" in pages["post"]
    for hidden in ("b", "d"):
        assert works[hidden].title_en not in everything
        assert works[hidden].reference not in everything
    assert works["e"].title_en not in everything
    assert works["c"].title_en in pages["gallery"]
    assert "Brave." in pages["post"]
    feed = feedparser.parse(pages["news:feed_zh_hant_rss"])
    assert [entry.title for entry in feed.entries] == ["得獎結果"]
    assert (
        feedparser.parse(pages["news:feed_en_atom"]).entries[0].title
        == TEXTS["title_en"]
    )

    # Results: recorded, and one mail to each entrant, the Chinese one in
    # Chinese.
    assert Entry.objects.get(pk=works["a"].pk).result == ResultOutcome.AWARDED
    assert Entry.objects.get(pk=works["c"].pk).result == ResultOutcome.SHORTLISTED
    assert Entry.objects.get(pk=works["e"].pk).result == ResultOutcome.NOT_SELECTED
    recipients = [
        message.to[0]
        for message in mail.outbox
        if "results" in message.subject or "結果" in message.subject
    ]
    assert len(recipients) == len(set(recipients)) == 2
    artist = Entry.objects.get(pk=works["a"].pk).entrant
    chinese = next(message for message in mail.outbox if message.to == [artist.email])
    assert "公義中心之選" in chinese.body and "評選結果" in chinese.subject

    # The round's page leads to the post; staff export the results as
    # published.
    round_page = client.get(reverse("round_detail", args=[round_.pk])).content
    assert reverse("news:detail", args=[post.slug]).encode() in round_page
    client.force_login(staff)
    export = client.get(reverse("manage:round_results_export", args=[round_.pk, "csv"]))
    assert export.status_code == 302  # A second factor first.
    exported = b"".join(
        mfa_client(staff)
        .get(reverse("manage:round_results_export", args=[round_.pk, "csv"]))
        .streaming_content
    ).decode("utf-8-sig")
    lines = exported.splitlines()
    assert lines[0].startswith("Reference,")
    assert any(PSEUDONYM in line and "Justice Centre Choice" in line for line in lines)
    assert LEGAL not in exported
    b_line = next(line for line in lines if works["b"].reference in line)
    assert "Winner" in b_line and b_line.endswith(",no")
    client.logout()

    # A's artist withdraws the website: A leaves the gallery, the post (its
    # cover too) and the public location.
    a = Entry.objects.get(pk=works["a"].pk)
    with django_capture_on_commit_callbacks(execute=True):
        set_public_uses(a, data={"consent_website": False}, by=a.entrant)
    gallery = client.get(reverse("round_gallery", args=[round_.pk])).content.decode()
    post_page = client.get(reverse("news:detail", args=[post.slug])).content.decode()
    assert PSEUDONYM not in gallery and PSEUDONYM not in post_page
    assert a.title_en not in gallery and a.title_en not in post_page
    assert not Entry.objects.filter(
        pk=a.pk, files__public_copies__isnull=False
    ).exists()
    post.refresh_from_db()
    assert not post.cover_key
    assert [key for key in public_keys() if key.startswith("works/")] == sorted(
        Entry.objects.get(pk=works["c"].pk)
        .files.get()
        .public_copies.values_list("key", flat=True)
    )

    # Agreeing again brings the work back, with its images.
    with django_capture_on_commit_callbacks(execute=True):
        set_public_uses(a, data={"consent_website": True}, by=a.entrant)
    gallery = client.get(reverse("round_gallery", args=[round_.pk])).content.decode()
    assert PSEUDONYM in gallery
    assert Entry.objects.filter(pk=a.pk, files__public_copies__isnull=False).exists()
    post.refresh_from_db()
    assert post.cover_key


def test_the_gallery_is_not_found_before_publication(client, decided):
    round_, _staff, _works = decided
    assert client.get(reverse("round_gallery", args=[round_.pk])).status_code == 404


def test_only_staff_review_and_publish(client, mfa_client, decided):
    round_, staff, works = decided
    url = reverse("manage:round_publication", args=[round_.pk])
    client.force_login(factories.make_entrant())
    assert client.get(url).status_code == 403
    judge = mfa_client(factories.make_judge())
    assert (
        judge.post(reverse("manage:round_publish", args=[round_.pk])).status_code == 403
    )
    page = mfa_client(staff).get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="publication-problems"' in body
    assert "Justice Centre Choice" in body and "公義中心之選" in body
    assert works["c"].title_en in body
    assert LEGAL not in body


def published_gallery(works):
    """A round whose gallery is open, with ``works`` shortlisted works shown
    (rows only: the pages read no object)."""
    round_ = make_judging_round(entries=works, state=RoundState.PUBLISHED)
    category = round_.categories.get()
    entries = list(Entry.objects.filter(round=round_))
    Entry.objects.filter(round=round_).update(consent_website=True)
    first = make_stage(round_, state=StageState.FINALISED)
    final = make_stage(round_, previous=first, position=1, state=StageState.FINALISED)
    for entry in entries:
        for stage in (first, final):
            StageEntry.objects.create(stage=stage, entry=entry, category=category)
        file = add_file(entry)
        for width in (480, 960):
            PublicCopy.objects.create(
                artwork_file=file,
                key=f"works/t{file.pk}-{width}.jpg",
                width=width,
                height=width,
                size=1,
            )
    Publication.objects.create(
        round=round_, gallery_opened_at=round_.closes_at, published_at=round_.closes_at
    )
    return round_


def test_the_gallery_reads_a_fixed_number_of_queries(client):
    counts = []
    for works in (1, 20):
        round_ = published_gallery(works)
        url = reverse("round_gallery", args=[round_.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url)
        assert page.status_code == 200
        assert page.content.decode().count("data-work") == works
        counts.append(len(queries))
    assert counts[0] == counts[1]
