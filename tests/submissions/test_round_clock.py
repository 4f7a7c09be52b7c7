"""Beat opens and closes rounds at their times: a real worker with embedded beat, on
the filesystem broker (the embedded default of `make run`) and on Redis."""

import datetime

import pytest
from django.utils import timezone

from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from submissions.enums import RoundState
from submissions.models import Round
from submissions.services.rounds import schedule_round
from tests import factories
from tests.services import redis_available, redis_url, require
from tests.worker import running_worker

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

OPENS_IN = datetime.timedelta(seconds=3)
OPEN_FOR = datetime.timedelta(seconds=5)


def _state_of(round_):
    return Round.objects.values_list("state", flat=True).get(pk=round_.pk)


def _round_opened_and_closed_by_beat(*, folder, broker_url, s3_server):
    staff = factories.make_staff()
    with running_worker(
        folder=folder,
        broker_url=broker_url,
        s3_env=s3_server.env(),
        env={"ROUND_CLOCK_SECONDS": "1"},
    ) as worker:
        # Times are set once the worker runs, so that a slow start cannot eat them.
        worker.wait_until_ready()
        now = timezone.now()
        opens_at = (now + OPENS_IN).replace(microsecond=0)
        closes_at = opens_at + OPEN_FOR
        round_ = factories.make_round(opens_at=opens_at, closes_at=closes_at)
        schedule_round(round_, by=staff)

        worker.wait_for(
            lambda: _state_of(round_) != RoundState.DRAFT,
            timeout=60,
            what="beat to open the round",
        )
        assert _state_of(round_) == RoundState.OPEN
        worker.wait_for(
            lambda: _state_of(round_) == RoundState.CLOSED,
            timeout=60,
            what="beat to close the round",
        )

    round_.refresh_from_db()
    assert round_.state == RoundState.CLOSED
    assert round_.is_scheduled is False
    # Beat acts at the times staff set; it never moves them.
    assert (round_.opens_at, round_.closes_at) == (opens_at, closes_at)
    changes = list(
        AuditEvent.objects.for_object(round_)
        .filter(verb=AuditVerb.STATE_CHANGED)
        .order_by("at", "id")
    )
    assert [
        (event.actor, event.actor_repr, event.from_state, event.to_state)
        for event in changes
    ] == [
        (None, "", RoundState.DRAFT, RoundState.OPEN),
        (None, "", RoundState.OPEN, RoundState.CLOSED),
    ]
    assert changes[0].at >= opens_at
    assert changes[1].at >= closes_at


@pytest.mark.smoke
def test_worker_on_the_filesystem_broker_opens_and_closes_a_round_on_time(
    tmp_path, s3_server
):
    _round_opened_and_closed_by_beat(
        folder=tmp_path, broker_url="filesystem://", s3_server=s3_server
    )


def test_worker_on_redis_opens_and_closes_a_round_on_time(tmp_path, s3_server):
    url = redis_url()
    require(
        redis_available(url),
        "Redis is needed: set REDIS_URL or CELERY_BROKER_URL to a running Redis",
    )
    _round_opened_and_closed_by_beat(
        folder=tmp_path, broker_url=url, s3_server=s3_server
    )
