"""The news services: making posts from plain values, the post state machine
(draft, scheduled, published), beat's publishing, corrections and covers."""

import datetime
import io
import subprocess

import pytest
from django.core.files.storage import storages
from django.utils import timezone
from PIL import Image

from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from artsprize.common.outbox import pending_messages
from artsprize.news import images
from artsprize.news.enums import PostState
from artsprize.news.errors import CoverError, NewsError
from artsprize.news.models import NewsPost
from artsprize.news.services import (
    create_post,
    delete_cover_objects,
    publish_due_posts,
    publish_post_now,
    remove_cover,
    schedule_post,
    set_cover,
    set_post_state,
    unpublish_post,
    update_post,
)
from tests import factories
from tests.news_factories import GPS_PHOTO, TEXTS, TURNED_PHOTO, make_post, png_bytes

pytestmark = pytest.mark.django_db


def events(post, **filters):
    return list(
        AuditEvent.objects.for_object(post)
        .filter(**filters)
        .order_by("pk")
        .values_list("verb", "from_state", "to_state")
    )


def test_a_post_is_made_as_a_draft_with_an_ascii_address_from_its_title(staff_user):
    post = create_post(
        data={**TEXTS, "title_en": "Winners: 2026 édition!"}, by=staff_user
    )

    assert (post.state, post.slug, post.created_by) == (
        PostState.DRAFT,
        "winners-2026-edition",
        staff_user,
    )
    assert events(post) == [(AuditVerb.CREATED, "", "")]


def test_addresses_stay_unique_and_a_chinese_title_alone_gets_one():
    first = make_post()
    second = make_post()
    chinese = make_post(title_en="")

    assert (first.slug, second.slug, chinese.slug) == (
        "winners-announced",
        "winners-announced-2",
        "news",
    )


def test_a_given_address_that_is_taken_is_refused():
    make_post(slug="results")

    with pytest.raises(NewsError) as refused:
        make_post(slug="results")

    assert refused.value.code == "slug_taken"


def test_a_post_without_any_title_is_refused():
    with pytest.raises(NewsError) as refused:
        create_post(data={"body_en": "Text"}, by=None)

    assert refused.value.code == "no_title"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (PostState.DRAFT, PostState.PUBLISHED),
        (PostState.SCHEDULED, PostState.PUBLISHED),
        (PostState.SCHEDULED, PostState.DRAFT),
        (PostState.PUBLISHED, PostState.DRAFT),
    ],
)
def test_the_allowed_moves(staff_user, old, new):
    post = make_post()
    if old == PostState.SCHEDULED:
        schedule_post(
            post, publish_at=timezone.now() + datetime.timedelta(days=1), by=staff_user
        )
    elif old == PostState.PUBLISHED:
        publish_post_now(post, by=staff_user)

    set_post_state(post, new, by=staff_user)

    post.refresh_from_db()
    assert post.state == new


def test_a_published_post_cannot_be_scheduled(staff_user):
    post = make_post(published=True)

    with pytest.raises(NewsError) as refused:
        set_post_state(
            post,
            PostState.SCHEDULED,
            by=staff_user,
            publish_at=timezone.now() + datetime.timedelta(days=1),
        )

    assert refused.value.code == "not_allowed"
    assert NewsPost.objects.get(pk=post.pk).state == PostState.PUBLISHED


def test_publishing_records_the_moment_and_the_audit_event(staff_user):
    post = make_post()
    moment = timezone.now()

    publish_post_now(post, by=staff_user, now=moment)

    post.refresh_from_db()
    assert (post.state, post.published_at) == (PostState.PUBLISHED, moment)
    assert events(post, verb=AuditVerb.STATE_CHANGED) == [
        (AuditVerb.STATE_CHANGED, "draft", "published")
    ]


def test_a_post_without_text_is_not_published(staff_user):
    post = make_post(body_en="", body_zh_hant="")

    with pytest.raises(NewsError) as refused:
        publish_post_now(post, by=staff_user)

    assert refused.value.code == "incomplete"
    assert [str(problem) for problem in refused.value.problems] == [
        "The post has no text."
    ]


def test_scheduling_needs_a_moment_in_the_future(staff_user):
    post = make_post()

    with pytest.raises(NewsError) as refused:
        schedule_post(
            post,
            publish_at=timezone.now() - datetime.timedelta(minutes=1),
            by=staff_user,
        )

    assert refused.value.code == "publish_at_past"
    assert NewsPost.objects.get(pk=post.pk).state == PostState.DRAFT


def test_beat_publishes_the_scheduled_posts_whose_time_has_come(staff_user):
    now = timezone.now()
    due = make_post()
    later = make_post()
    schedule_post(due, publish_at=now + datetime.timedelta(minutes=5), by=staff_user)
    schedule_post(later, publish_at=now + datetime.timedelta(hours=5), by=staff_user)

    published = publish_due_posts(now=now + datetime.timedelta(minutes=6))

    assert published == [due.pk]
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.state, due.publish_at) == (PostState.PUBLISHED, None)
    assert later.state == PostState.SCHEDULED
    assert events(due) == [
        (AuditVerb.CREATED, "", ""),
        (AuditVerb.SCHEDULED, "draft", "scheduled"),
        (AuditVerb.STATE_CHANGED, "scheduled", "published"),
    ]
    assert publish_due_posts(now=now + datetime.timedelta(minutes=7)) == []


def test_unpublishing_takes_a_post_back_to_a_draft(staff_user):
    post = make_post(published=True)

    unpublish_post(post, by=staff_user, reason="Wrong date")

    post.refresh_from_db()
    assert post.state == PostState.DRAFT
    assert AuditEvent.objects.for_object(post).latest("pk").reason == "Wrong date"


def test_a_change_of_a_published_post_is_an_audited_correction(staff_user):
    post = make_post(published=True)

    fields = update_post(
        post,
        data={
            **TEXTS,
            "title_en": "Winners announced (corrected)",
            "body_zh_hant": "改",
        },
        by=staff_user,
        note="The title missed a word.",
    )

    post.refresh_from_db()
    assert fields == ["body_zh_hant", "title_en"]
    assert post.corrected_at is not None
    event = AuditEvent.objects.for_object(post).latest("pk")
    assert (event.verb, event.reason, event.data) == (
        AuditVerb.UPDATED,
        "The title missed a word.",
        {"fields": ["body_zh_hant", "title_en"]},
    )


def test_saving_nothing_new_writes_nothing(staff_user):
    post = make_post()
    before = AuditEvent.objects.count()

    assert update_post(post, data=TEXTS, by=staff_user) == []
    assert AuditEvent.objects.count() == before


# Covers ----------------------------------------------------------------------------


def stored(key):
    with storages["public"].open(key, "rb") as file:
        return file.read()


def test_a_phone_photo_becomes_three_web_sizes_without_its_metadata(
    staff_user, tmp_path
):
    post = make_post()

    set_cover(post, image=GPS_PHOTO.read_bytes(), alt_en="A street", by=staff_user)

    post.refresh_from_db()
    assert [(size["width"], size["height"]) for size in post.cover_sizes] == [
        (480, 206),
        (960, 412),
        (1600, 686),
    ]
    assert (post.cover_key, post.cover_width, post.cover_height) == (
        post.cover_sizes[-1]["key"],
        1600,
        686,
    )
    for size in post.cover_sizes:
        # A random name: nothing of the post or the original file.
        assert size["key"].startswith("news/")
        assert len(size["key"]) == len("news/") + 32 + len(".jpg")
        data = stored(size["key"])
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "JPEG"
            assert dict(image.getexif()) == {}
            assert "xmp" not in image.info
            assert "exif" not in image.info
        path = tmp_path / "copy.jpg"
        path.write_bytes(data)
        found = subprocess.run(
            ["exiftool", "-gps:all", "-xmp:all", "-exif:all", "-s", str(path)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert found == ""


def test_the_cover_is_turned_upright(staff_user):
    post = make_post()

    set_cover(post, image=TURNED_PHOTO.read_bytes(), alt_en="A face", by=staff_user)

    post.refresh_from_db()
    with Image.open(io.BytesIO(stored(post.cover_key))) as image:
        assert image.height > image.width


def test_a_heic_photo_is_taken(staff_user):
    post = make_post()

    set_cover(
        post,
        image=(GPS_PHOTO.parent / "iphone_13_pro_max.HEIC").read_bytes(),
        alt_en="A phone photo",
        by=staff_user,
    )

    post.refresh_from_db()
    assert [size["width"] for size in post.cover_sizes] == [480, 960, 1600]


def test_replacing_the_cover_deletes_the_old_objects_after_the_commit(staff_user):
    post = make_post(cover=png_bytes(), cover_alt_en="Blue")
    old = [size["key"] for size in post.cover_sizes]

    set_cover(post, image=png_bytes(colour=(200, 0, 0)), by=staff_user)

    message = pending_messages().get(task="news.delete_cover_objects")
    assert message.args == old
    delete_cover_objects(message.args)
    assert [storages["public"].exists(key) for key in old] == [False, False]
    post.refresh_from_db()
    assert storages["public"].exists(post.cover_key)


def test_removing_the_cover_empties_its_fields(staff_user):
    post = make_post(cover=png_bytes(), cover_alt_en="Blue")

    remove_cover(post, by=staff_user)

    post.refresh_from_db()
    assert (post.cover_key, post.cover_sizes, post.cover_width) == ("", [], None)


def test_another_app_hands_a_cover_already_in_public_storage():
    key = storages["public"].save(
        "results/poster.png", io.BytesIO(png_bytes(1200, 600))
    )

    post = create_post(
        data={**TEXTS, "cover_key": key, "cover_alt_en": "The poster"}, by=None
    )

    assert [size["width"] for size in post.cover_sizes] == [480, 960, 1200]
    # The caller's object stays the caller's.
    assert storages["public"].exists(key)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"%PDF-1.4 not an image at all", "not_an_image"),
        (png_bytes()[:200], "corrupt"),
        ((GPS_PHOTO.parent / "Arbitro.tiff").read_bytes(), "not_an_image"),
    ],
    ids=["empty", "pdf", "truncated", "tiff"],
)
def test_a_refused_cover_leaves_nothing_behind(data, code):
    before = NewsPost.objects.count()

    with pytest.raises(CoverError) as refused:
        create_post(data={**TEXTS, "cover": data}, by=None)

    assert refused.value.code == code
    assert NewsPost.objects.count() == before


def test_a_cover_over_10_mb_is_refused():
    with pytest.raises(CoverError) as refused:
        images.make_cover(b"\xff\xd8\xff" + b"0" * images.MAX_BYTES)

    assert refused.value.code == "too_large"


def test_a_post_is_made_by_the_api_of_other_apps_and_published():
    """What judging does with the results: plain values in, a published post."""
    staff = factories.make_staff()

    post = create_post(
        data={
            "title_en": "Results of the 2026 prize",
            "title_zh_hant": "二〇二六年得獎結果",
            "summary_en": "Three winners.",
            "body_en": "Congratulations.",
            "cover": png_bytes(),
            "cover_alt_en": "The winning works",
        },
        by=staff,
    )
    publish_post_now(post, by=staff)

    assert (post.state, post.slug, post.cover_width) == (
        PostState.PUBLISHED,
        "results-of-the-2026-prize",
        800,
    )


def test_a_cover_of_too_many_pixels_is_refused_from_its_header():
    buffer = io.BytesIO()
    Image.new("1", (8000, 7000)).save(buffer, "PNG")

    with pytest.raises(CoverError) as refused:
        images.make_cover(buffer.getvalue())

    assert refused.value.code == "too_many_pixels"
