"""The staff's news pages: only staff who passed two-factor sign-in reach them;
writing a post with its cover, the refusals of a bad image (texts kept), the
preview in both languages, and publishing, scheduling and unpublishing."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from artsprize.news import images
from artsprize.news.enums import PostState
from artsprize.news.models import NewsPost
from tests import factories
from tests.news_factories import GPS_PHOTO, TEXTS, make_post, png_bytes

pytestmark = pytest.mark.django_db

FORM = {**TEXTS, "slug": "", "cover_alt_en": "", "cover_alt_zh_hant": ""}


@pytest.fixture
def staff_client(client):
    factories.sign_in_with_two_factor(client, factories.make_staff())
    return client


def manage_urls(post):
    return [
        reverse("manage:news"),
        reverse("manage:news_create"),
        reverse("manage:news_detail", args=[post.pk]),
        reverse("manage:news_edit", args=[post.pk]),
        reverse("manage:news_preview", args=[post.pk]),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(client):
    post = make_post()

    for url in manage_urls(post):
        response = client.get(url)
        assert (response.status_code, response.url.split("?")[0]) == (
            302,
            reverse("account_login"),
        )


@pytest.mark.parametrize("make", [factories.make_entrant, factories.make_judge])
def test_other_people_are_refused(client, make):
    post = make_post()
    judge_or_entrant = make()
    factories.sign_in_with_two_factor(client, judge_or_entrant)

    assert [client.get(url).status_code for url in manage_urls(post)] == [403] * 5


def test_staff_without_two_factor_are_sent_to_it(client):
    post = make_post()
    client.force_login(factories.make_staff())

    for url in manage_urls(post):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("mfa_activate_totp"))


def test_staff_see_every_post_with_its_state(staff_client):
    make_post(title_en="A draft")
    make_post(title_en="Out now", published=True)

    html = staff_client.get(reverse("manage:news")).text

    assert re.findall(r'<a href="/manage/news/\d+/">([^<]+)</a>', html) == [
        "A draft",
        "Out now",
    ]
    assert ">draft</span>" in html and ">published</span>" in html


def test_staff_write_a_post_with_a_cover(staff_client):
    upload = SimpleUploadedFile("IMG_0001.jpg", GPS_PHOTO.read_bytes())

    response = staff_client.post(
        reverse("manage:news_create"),
        {**FORM, "cover": upload, "cover_alt_en": "A street at night"},
    )

    post = NewsPost.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("manage:news_detail", args=[post.pk])
    assert (post.state, post.slug, post.cover_alt_en, post.cover_width) == (
        PostState.DRAFT,
        "winners-announced",
        "A street at night",
        1600,
    )
    assert "IMG_0001" not in str(post.cover_sizes)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "notes.jpg",
            b"%PDF-1.4 a document",
            "This is not a JPEG, PNG, WebP or HEIC image.",
        ),
        ("empty.png", b"", "The image file is empty."),
        (
            "broken.png",
            png_bytes()[:300],
            "The image is damaged or incomplete and cannot be read.",
        ),
        (
            "huge.jpg",
            b"\xff\xd8\xff" + b"0" * images.MAX_BYTES,
            "The image is larger than 10 MB.",
        ),
    ],
    ids=["wrong-type", "zero-bytes", "corrupt", "oversized"],
)
def test_a_bad_cover_is_refused_with_a_clear_message_and_the_texts_kept(
    staff_client, name, data, message
):
    typed = {**FORM, "title_en": "Kept title", "body_zh_hant": "保留的內文"}

    response = staff_client.post(
        reverse("manage:news_create"),
        {**typed, "cover": SimpleUploadedFile(name, data)},
    )

    assert response.status_code == 200
    assert NewsPost.objects.count() == 0
    assert message in response.text
    assert 'value="Kept title"' in response.text
    assert ">\n保留的內文</textarea>" in response.text


def test_the_preview_shows_a_draft_in_each_language(staff_client):
    post = make_post()
    url = reverse("manage:news_preview", args=[post.pk])

    english = staff_client.get(url + "?language=en")
    chinese = staff_client.get(url + "?language=zh-hant")

    assert '<h1 class="h2">Winners announced</h1>' in english.text
    assert '<html lang="en">' in english.text
    assert '<h1 class="h2">得獎名單公布</h1>' in chinese.text
    assert '<html lang="zh-Hant-HK">' in chinese.text
    assert '<meta name="robots" content="noindex">' in chinese.text


def test_staff_publish_schedule_and_unpublish(staff_client):
    post = make_post()
    moment = timezone.localtime(
        timezone.now() + datetime.timedelta(days=2),
        datetime.timezone(datetime.timedelta(hours=8)),
    ).replace(second=0, microsecond=0)

    staff_client.post(
        reverse("manage:news_schedule", args=[post.pk]),
        {"publish_at": moment.strftime("%Y-%m-%dT%H:%M")},
    )
    post.refresh_from_db()
    assert (post.state, post.publish_at) == (PostState.SCHEDULED, moment)

    staff_client.post(reverse("manage:news_publish", args=[post.pk]))
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED

    staff_client.post(reverse("manage:news_unpublish", args=[post.pk]))
    post.refresh_from_db()
    assert post.state == PostState.DRAFT


def test_a_get_of_an_action_does_nothing(staff_client):
    post = make_post()

    response = staff_client.get(reverse("manage:news_publish", args=[post.pk]))

    assert response.url == reverse("manage:news_detail", args=[post.pk])
    assert NewsPost.objects.get(pk=post.pk).state == PostState.DRAFT


def test_correcting_a_published_post_needs_a_note_and_is_audited(staff_client):
    post = make_post(published=True)
    url = reverse("manage:news_edit", args=[post.pk])
    changed = {**FORM, "slug": post.slug, "title_en": "Winners announced today"}

    refused = staff_client.post(url, changed)
    saved = staff_client.post(url, {**changed, "correction_note": "Added the day."})

    assert refused.status_code == 200
    assert "This field is required." in refused.text
    assert saved.status_code == 302
    event = AuditEvent.objects.for_object(post).filter(verb=AuditVerb.UPDATED).get()
    assert (event.reason, event.data["fields"]) == ("Added the day.", ["title_en"])
    html = staff_client.get(reverse("news:detail", args=[post.slug])).text
    assert "Corrected" in html


def test_the_staff_menu_links_to_the_news(staff_client):
    html = staff_client.get(reverse("home")).text

    assert f'href="{reverse("manage:news")}"' in html
    assert f'href="{reverse("news:list")}"' in html


def test_a_bad_cover_is_explained_in_chinese_to_chinese_staff(client):
    factories.sign_in_with_two_factor(client, factories.make_staff())
    client.cookies["django_language"] = "zh-hant"

    response = client.post(
        reverse("manage:news_create"),
        {**FORM, "cover": SimpleUploadedFile("notes.jpg", b"%PDF-1.4 a document")},
    )

    assert response.status_code == 200
    assert "這不是 JPEG、PNG、WebP 或 HEIC 圖片。" in response.text
    assert 'value="Winners announced"' in response.text
