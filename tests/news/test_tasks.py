"""Beat publishes scheduled posts on the rounds' clock; the task that deletes a
replaced cover's objects runs from the outbox."""

import datetime

import pytest
from django.conf import settings
from django.core.files.storage import storages
from django.utils import timezone

from artsprize.celery import app
from artsprize.news.enums import PostState
from artsprize.news.models import NewsPost
from artsprize.news.services import schedule_post
from artsprize.news.tasks import delete_cover_objects_task, publish_due_posts_task
from tests import factories
from tests.news_factories import make_post, png_bytes


def test_beat_publishes_due_posts_every_round_clock_period():
    app.finalize()
    entry = app.conf.beat_schedule["publish scheduled news posts at their times"]

    assert entry["task"] == publish_due_posts_task.name == "news.publish_due_posts"
    assert entry["task"] in app.tasks
    assert entry["schedule"] == settings.ROUND_CLOCK_SECONDS
    assert entry["options"] == {"expires": max(settings.ROUND_CLOCK_SECONDS, 10)}


@pytest.mark.django_db
def test_the_task_publishes_a_post_whose_time_has_come(monkeypatch):
    staff = factories.make_staff()
    post = make_post()
    schedule_post(
        post, publish_at=timezone.now() + datetime.timedelta(minutes=1), by=staff
    )
    later = timezone.now() + datetime.timedelta(minutes=2)
    monkeypatch.setattr(timezone, "now", lambda: later)

    publish_due_posts_task()

    assert NewsPost.objects.get(pk=post.pk).state == PostState.PUBLISHED


@pytest.mark.django_db
def test_the_deletion_task_deletes_the_objects_and_may_run_twice():
    post = make_post(cover=png_bytes(), cover_alt_en="Blue")
    keys = [size["key"] for size in post.cover_sizes]

    delete_cover_objects_task(*keys)
    delete_cover_objects_task(*keys)

    assert [storages["public"].exists(key) for key in keys] == [False, False]
