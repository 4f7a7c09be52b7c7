"""Publishing on a real Celery worker, in a subprocess on Redis, against the
suite's S3 server: the task sent twice makes one post, one set of public
copies and one results mail per entrant."""

import pytest

from artsprize.common.models import OutboxMessage
from artsprize.news.models import NewsPost
from judging.models import Publication
from judging.services.publishing import publication_for, save_texts
from submissions.enums import RoundState
from submissions.models import Entry, PublicCopy
from tests.judging.publishing_fixtures import (
    TEXTS,
    clear_public,
    make_decided_round,
    public_keys,
)
from tests.services import redis_available, redis_url, require
from tests.worker import running_worker

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

WAIT = 120


def test_a_worker_publishes_once_however_often_asked(tmp_path, s3_server):
    url = redis_url()
    require(redis_available(url), "Redis is needed: set REDIS_URL to a running Redis")
    round_, staff, works = make_decided_round()
    publication = publication_for(round_)
    save_texts(publication, data=TEXTS, by=staff)
    # Asked as the staff's button asks (the button's own test covers the
    # outbox), twice, as a double click or a redelivery would.
    Publication.objects.filter(pk=publication.pk).update(
        requested_at=round_.updated_at, requested_by=staff
    )
    try:
        with running_worker(
            folder=tmp_path, broker_url=url, s3_env=s3_server.env(), beat=False
        ) as worker:
            worker.wait_until_ready(beat=False)
            worker.send("judging.publish_round", round_.pk)
            worker.send("judging.publish_round", round_.pk)
            worker.wait_for(
                lambda: (
                    OutboxMessage.objects.filter(
                        task="submissions.mail_results", done_at__isnull=False
                    ).count()
                    == 2
                ),
                timeout=WAIT,
                what="the results to be published and mailed",
            )
        round_.refresh_from_db()
        assert round_.state == RoundState.PUBLISHED
        assert NewsPost.objects.count() == 1
        assert Publication.objects.get(pk=publication.pk).published_at is not None
        shown = {works["a"].pk, works["c"].pk}
        copies = PublicCopy.objects.all()
        assert {copy.artwork_file.entry_id for copy in copies} == shown
        assert sorted(key for key in public_keys() if key.startswith("works/")) == (
            sorted(copy.key for copy in copies)
        )
        entrants = (
            Entry.objects.filter(round=round_).values("entrant_id").distinct().count()
        )
        mails = OutboxMessage.objects.filter(task="submissions.mail_results")
        assert mails.count() == entrants == 2
    finally:
        clear_public()
