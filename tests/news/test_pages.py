"""The public news pages: the list and a post in both languages, the feeds, the
tags of a shared link, the home page's latest posts, and their query counts."""

import datetime
import re

import feedparser
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from artsprize.news.services import schedule_post, unpublish_post
from tests import factories
from tests.news_factories import make_post, make_published_posts, png_bytes

pytestmark = pytest.mark.django_db


def chinese_client():
    client = Client()
    client.cookies["django_language"] = "zh-hant"
    return client


def meta(html, name):
    """The content of the ``<meta property|name=name>`` tag of ``html``."""
    found = re.findall(
        rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)"', html
    )
    assert len(found) == 1, (name, found)
    return found[0]


def titles(html):
    return re.findall(r'class="stretched-link">([^<]+)</a>', html)


def test_the_list_shows_published_posts_newest_first(client):
    make_published_posts(2)
    make_post(title_en="A draft nobody sees")

    response = client.get(reverse("news:list"))

    assert response.status_code == 200
    assert titles(response.text) == ["Post 1", "Post 0"]


def test_the_list_is_in_chinese_for_a_chinese_reader():
    make_published_posts(2)

    response = chinese_client().get(reverse("news:list"))

    assert titles(response.text) == ["消息1", "消息0"]
    assert meta(response.text, "og:locale") == "zh_HK"


def test_the_list_has_twelve_posts_a_page(client):
    make_published_posts(13)

    first = client.get(reverse("news:list"))
    second = client.get(reverse("news:list") + "?page=2")

    assert len(titles(first.text)) == 12
    assert titles(second.text) == ["Post 0"]


def test_a_cover_is_responsive_lazy_and_described(client):
    make_published_posts(1, with_cover=True)

    html = client.get(reverse("news:list")).text

    image = re.search(r"<img [^>]+>", html).group(0)
    assert re.search(r'srcset="[^"]+ 480w, [^"]+ 800w"', image)
    assert 'sizes="(min-width: 992px) 33vw, (min-width: 576px) 50vw, 100vw"' in image
    assert 'width="800" height="600"' in image
    assert 'loading="lazy"' in image
    assert 'alt="A blue square"' in image


def test_a_published_post_shows_its_rendered_text(client):
    post = make_post(published=True, body_en="A **bold** word.\n\n<script>x()</script>")

    response = client.get(reverse("news:detail", args=[post.slug]))

    assert response.status_code == 200
    assert "<p>A <strong>bold</strong> word.</p>" in response.text
    assert "<script>x()</script>" not in response.text


def test_a_post_is_read_in_chinese():
    post = make_post(published=True)

    html = chinese_client().get(reverse("news:detail", args=[post.slug])).text

    assert '<h1 class="h2">得獎名單公布</h1>' in html
    assert "<p>評審團於六月開會。</p>" in html


@pytest.mark.parametrize("state", ["draft", "scheduled", "unpublished"])
def test_a_post_the_public_may_not_read_is_not_found(client, state):
    staff = factories.make_staff()
    post = make_post()
    if state == "scheduled":
        schedule_post(
            post, publish_at=timezone.now() + datetime.timedelta(days=1), by=staff
        )
    elif state == "unpublished":
        post = make_post(published=True)
        unpublish_post(post, by=staff)

    assert client.get(reverse("news:detail", args=[post.slug])).status_code == 404
    factories.sign_in_with_two_factor(client, staff)
    assert client.get(reverse("news:detail", args=[post.slug])).status_code == 404
    assert post.title_en not in client.get(reverse("news:list")).text


def test_a_post_page_carries_the_tags_of_a_shared_link(client):
    post = make_post(published=True, cover=png_bytes(2000, 1000), cover_alt_en="Blue")

    html = client.get(reverse("news:detail", args=[post.slug])).text

    assert meta(html, "og:title") == "Winners announced"
    assert meta(html, "og:description") == "The panel chose three works."
    assert meta(html, "og:type") == "article"
    assert meta(html, "og:locale") == "en_GB"
    assert meta(html, "og:url") == f"http://testserver/news/{post.slug}/"
    image = meta(html, "og:image")
    assert re.match(r"https?://[^/]+/.+/news/[0-9a-f]{32}\.jpg", image)
    assert post.cover_key in image
    assert post.cover_sizes[-1]["width"] == 1600
    assert meta(html, "twitter:card") == "summary_large_image"
    assert meta(html, "twitter:image") == image


def test_the_list_page_carries_the_tags_of_a_shared_link(client):
    html = client.get(reverse("news:list")).text

    assert meta(html, "og:title") == "News"
    assert meta(html, "og:url") == "http://testserver/news/"
    assert meta(html, "twitter:card") == "summary"


@pytest.mark.parametrize(
    ("url_name", "language", "version", "expected"),
    [
        ("news:feed_en_rss", "en-gb", "rss20", ["Post 2", "Post 1", "Post 0"]),
        ("news:feed_en_atom", "en-gb", "atom10", ["Post 2", "Post 1", "Post 0"]),
        ("news:feed_zh_hant_rss", "zh-hk", "rss20", ["消息2", "消息1", "消息0"]),
        ("news:feed_zh_hant_atom", "zh-hk", "atom10", ["消息2", "消息1", "消息0"]),
    ],
)
def test_the_feeds_list_published_posts_newest_first_in_their_language(
    client, url_name, language, version, expected
):
    posts = make_published_posts(3)
    make_post(title_en="A draft", title_zh_hant="草稿")

    response = client.get(reverse(url_name))
    feed = feedparser.parse(response.content)

    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == version
    assert feed.feed.language.lower() == language
    assert [entry.title for entry in feed.entries] == expected
    assert [entry.link for entry in feed.entries] == [
        f"http://testserver/news/{post.slug}/" for post in reversed(posts)
    ]


def test_the_chinese_feed_says_its_summaries_in_chinese(client):
    make_published_posts(1)

    feed = feedparser.parse(client.get(reverse("news:feed_zh_hant_rss")).content)

    assert feed.entries[0].summary == "評審團選出三件作品。"
    assert feed.feed.title == "最新消息 · 香港人權藝術獎"


@pytest.mark.parametrize("url_name", ["news:list", "home"])
def test_the_query_count_does_not_grow_with_the_posts(client, url_name):
    make_published_posts(1, with_cover=True)
    client.get(reverse(url_name))
    with queries() as one:
        client.get(reverse(url_name))

    make_published_posts(19, with_cover=True)
    with queries() as twenty:
        client.get(reverse(url_name))

    assert len(twenty) == len(one)


def test_a_post_page_has_a_fixed_query_count(client):
    few = make_post(published=True)
    many = make_post(published=True, cover=png_bytes(), cover_alt_en="Blue")
    make_published_posts(20)

    with queries() as first:
        client.get(reverse("news:detail", args=[few.slug]))
    with queries() as second:
        client.get(reverse("news:detail", args=[many.slug]))

    assert len(first) == len(second) == 1


def test_the_home_page_shows_the_three_latest_posts(client):
    make_published_posts(5)
    make_post(title_en="A draft", title_zh_hant="草稿")

    html = client.get(reverse("home")).text

    latest = re.search(r'<ul [^>]*id="latest-news">(.*?)</ul>', html, re.S).group(1)
    assert titles(latest) == ["Post 4", "Post 3", "Post 2"]
    assert f'href="{reverse("news:list")}"' in html


def queries():
    return CaptureQueriesContext(connection)
